"""The setup and checklist screens' reader of the linked session's funding and checklist.

Composed into each screen (it shows nothing): it reads at mount, every `refresh_s` while
its screen is on top and no setup step runs, and again when a step ends, and it mirrors
the dashboard's running step. Answers bubble up to the screen as `SessionDataLoaded` and
`SetupFacts.BusyChanged`; a failed read goes up as `WorkerFailed` like every screen's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from rekt_tui.tui.messages import WorkerFailed
from rekt_tui.tui.session_messages import SessionDataLoaded

if TYPE_CHECKING:
    from rekt_tui.tui.session_controller import SessionController

REFRESH_S = 2.0


class SetupFacts(Widget):
    DEFAULT_CSS = "SetupFacts { display: none; }"

    class BusyChanged(Message):
        """The setup step running now (None: none), wherever it was started."""

        def __init__(self, step: str | None) -> None:
            super().__init__()
            self.step = step

    def __init__(
        self, sessions: SessionController | None, *, wanted: Callable[[], bool] = lambda: True,
        refresh_s: float = REFRESH_S,
    ) -> None:  # fmt: skip
        """`wanted` says whether a periodic read is worth it now (the setup screen: a wallet is chosen)."""
        super().__init__()
        self._sessions = sessions
        self._wanted = wanted
        self._refresh_s = refresh_s
        self._busy: str | None = None

    def on_mount(self) -> None:
        self.set_interval(self._refresh_s, self._periodic)
        if self._sessions is None:
            return
        # The dashboard keeps the running step; watching it from the start also reads once.
        self.watch(self.app.get_default_screen(), "busy_step", self._busy_changed)

    def _periodic(self) -> None:
        if self.screen.is_active and self._busy is None and self._wanted():
            self.read()

    def _busy_changed(self, step: str | None) -> None:
        self._busy = step
        self.post_message(self.BusyChanged(step))
        if step is None:
            self.read()

    @work(group="session-data", exclusive=True, exit_on_error=False)
    async def read(self) -> None:
        sessions = self._sessions
        if sessions is not None and sessions.linked:
            self.post_message(SessionDataLoaded(*await sessions.setup_facts()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkerFailed(event.worker.error))
