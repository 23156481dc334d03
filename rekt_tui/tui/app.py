"""RektApp: screens, bindings, workers and the one place worker errors become notifications.

The app is handed its `Services` by the CLI. Its workers call a service and post the
answer as a message; the handlers push the data down to the dashboard. Nothing below the
app calls a service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from rekt_tui.domain.errors import RektError
from rekt_tui.tui.activity import ActivityEntry, Severity, appended
from rekt_tui.tui.bindings import binding_entries
from rekt_tui.tui.chain import ChainCalls
from rekt_tui.tui.commands import ActionCommands
from rekt_tui.tui.formatting import status_summary
from rekt_tui.tui.live import LiveFeeds, followed_session
from rekt_tui.tui.messages import ShellStatusLoaded
from rekt_tui.tui.position_actions import POSITION_BINDING_ACTIONS, PositionActions
from rekt_tui.tui.screens.dashboard import DashboardScreen
from rekt_tui.tui.screens.help import HelpScreen
from rekt_tui.tui.session_actions import SESSION_BINDING_ACTIONS, SessionActions
from rekt_tui.tui.teardown_task import TeardownTasks

if TYPE_CHECKING:
    from rekt_tui.services.container import Services

log = logging.getLogger(__name__)

SHELL_STATUS_GROUP = "shell-status"

# Textual's own palette entries that ours replace: our quit goes through `may_quit`,
# and our help lists the keys.
_REPLACED_SYSTEM_COMMANDS = frozenset({"Quit", "Keys"})


class RektApp(
    SessionActions, PositionActions, TeardownTasks, LiveFeeds, ChainCalls, App[None], inherit_bindings=False
):
    # Absolute, so a subclass defined elsewhere (tests, later screens) still finds it.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "rekt-tui"
    COMMANDS = App.COMMANDS | {ActionCommands}

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit_anywhere", priority=True, show=False),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("r", "reload_status", "Reload status", id="app.reload_status"),
        Binding("w", "session_setup", "Session wallet setup", id="app.session_setup"),
        Binding("c", "checklist", "Start-trading checklist", id="app.checklist"),
        Binding("b", "buy", "Buy (order entry)", id="app.buy"),
        Binding("s", "sell", "Sell (order entry)", id="app.sell"),
        Binding("x", "close_position", "Close the selected position", id="app.close_position"),
        Binding("d", "cancel_order", "Cancel the selected order", id="app.cancel_order"),
        Binding("D", "cancel_all_orders", "Cancel all orders", id="app.cancel_all_orders", show=False),
        Binding("ctrl+x", "stop_and_withdraw", "Stop and withdraw", id="app.stop_and_withdraw"),
        # The footer shows the palette key at its right edge already.
        Binding("ctrl+p", "command_palette", "Command palette", id="app.command_palette", priority=True, show=False),
    ]

    def __init__(
        self, *, services: Services, clock: Callable[[], datetime] = datetime.now, reconcile_at_launch: bool = True
    ) -> None:
        """`clock` stamps activity-log lines; tests pass a fixed one, and skip reconciling wallets with no chain."""
        super().__init__()
        self.services = services
        self._reconcile_at_launch = reconcile_at_launch
        self._clock = clock
        settings = services.settings
        self._dashboard = DashboardScreen(
            cluster=settings.cluster,
            mainnet=settings.cluster == "mainnet",
            max_leverage=settings.preset().max_leverage,
        )

    def get_default_screen(self) -> DashboardScreen:
        return self._dashboard

    def on_mount(self) -> None:
        self.call_after_refresh(self.first_frame_drawn)
        self.load_shell_status()
        if self._reconcile_at_launch:
            self.reconcile_sessions()

    @work(group=SHELL_STATUS_GROUP, exclusive=True, exit_on_error=False)
    async def load_shell_status(self) -> None:
        """Where the shell stands (cluster, keys, registry, wallets); the answer comes back as a message."""
        self.post_message(ShellStatusLoaded(await self.services.shell_status()))

    def on_shell_status_loaded(self, message: ShellStatusLoaded) -> None:
        status = message.status
        self._dashboard.status = status
        self.record(status_summary(status))
        if (session := followed_session(status)) is not None:
            self.follow(session.pubkey)
            if self._lander is None:  # its keys (b, s, x, d) work without choosing it first
                self.open_session(session.pubkey)
        if status.registry_read_only_reason is not None:
            self.record(f"Registry is read-only: {status.registry_read_only_reason}", "warning")
        if status.keystore.problem:
            self.record(status.keystore.problem, "error")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures surface; workers use `exit_on_error=False` so they land here."""
        self.refresh_bindings()  # reload is hidden while a load runs
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    def report_error(self, error: BaseException) -> None:
        """A `RektError` is shown as its sentence; anything else is a bug: logged, and named briefly."""
        if isinstance(error, RektError):
            text = error.message
        else:
            log.error("unexpected error in a background task", exc_info=error)
            text = f"Unexpected error; the details are in {self.services.settings.log_file}."
        self.notify(text, title="Error", severity="error", timeout=10, markup=False)
        self.record(text, "error")

    def record(self, text: str, severity: Severity = "information") -> None:
        """Add a line to the activity log."""
        entry = ActivityEntry(at=self._clock(), text=text, severity=severity)
        self._dashboard.activity = appended(self._dashboard.activity, entry)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reload_status":
            return not self._status_loading()
        if action in SESSION_BINDING_ACTIONS:
            return self.session_action_applies(action)
        if action in POSITION_BINDING_ACTIONS:
            return self.position_action_applies(action)
        if action == "stop_and_withdraw":
            return self.stop_applies()
        return True

    def _status_loading(self) -> bool:
        return any(worker.group == SHELL_STATUS_GROUP and worker.is_running for worker in self.workers)

    def action_reload_status(self) -> None:
        self.load_shell_status()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(binding_entries(self.screen)))

    async def action_quit(self) -> None:
        if await self.may_quit():
            self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        commands = super().get_system_commands(screen)
        return (command for command in commands if command.title not in _REPLACED_SYSTEM_COMMANDS)
