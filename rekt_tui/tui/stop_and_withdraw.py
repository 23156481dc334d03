"""Getting money out: launch reconciliation, the stop-and-withdraw run, marking a session resolved.

The run is a worker of the app, not of the progress screen, so closing that screen never
cancels it (workers die with the node that runs them). Its body calls `TeardownService.run`
on a link from the session controller and posts each event; `StopAndWithdraw` keeps the
events for the progress screen. When a run ends, however it ends, it reconciles again: a
run that failed or parked raises the recovery banner, one that archived clears it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from rekt_tui.domain.session import SessionStatus
from rekt_tui.domain.status import ShellStatus
from rekt_tui.services.models import RecoveryItem, TeardownEvent
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.recovery import RecoveryScreen
from rekt_tui.tui.screens.teardown import TeardownScreen, archived, run_outcome
from rekt_tui.tui.session_controller import SESSION_GROUP
from rekt_tui.tui.workers import group_running

if TYPE_CHECKING:
    from rekt_tui.tui.app import RektApp
    from rekt_tui.tui.order_actions import Post
    from rekt_tui.tui.session_controller import SessionController

TEARDOWN_GROUP = "teardown"
RECONCILE_GROUP = "reconcile"
STOP_QUESTION = (
    "Cancel every order, close every position reduce-only, settle PnL, withdraw all collateral "
    "to the session wallet and archive session {session}?"
)


class RecoveryLoaded(Message):
    """Launch reconciliation answered: one item per session of the cluster."""

    def __init__(self, items: tuple[RecoveryItem, ...]) -> None:
        super().__init__()
        self.items = items


class TeardownProgress(Message):
    """One event of the running stop-and-withdraw."""

    def __init__(self, pubkey: str, event: TeardownEvent) -> None:
        super().__init__()
        self.pubkey = pubkey
        self.event = event


class TeardownEnded(Message):
    """The stop-and-withdraw worker returned or raised; what the chain holds now is reconciled next."""

    def __init__(self, pubkey: str) -> None:
        super().__init__()
        self.pubkey = pubkey


def stoppable_session(status: ShellStatus | None) -> str | None:
    """The one active session ctrl+x would stop, from the last status the dashboard shows."""
    active = [s for s in status.sessions if s.status is SessionStatus.ACTIVE] if status else []
    return active[0].pubkey if len(active) == 1 else None


async def reconcile_sessions(sessions: SessionController, post: Post) -> None:
    """What every unwithdrawn session holds on chain."""
    post(RecoveryLoaded(tuple(await (await sessions.chain.load()).reconcile(sessions.services))))


async def run_teardown(
    sessions: SessionController, pubkey: str, post: Post, summarised: Callable[[str, tuple[str, ...]], None]
) -> None:
    try:
        link = await sessions.teardown_link(pubkey)
        try:
            events: tuple[TeardownEvent, ...] = ()
            chain = sessions.chain.loaded
            async for event in chain.TeardownService(sessions.services).run(link):
                events = (*events, event)
                post(TeardownProgress(pubkey, event))
            if archived(events):  # its transactions are finalized: the records are complete
                summarised(pubkey, await chain.archive_result(link))
        finally:
            await link.close()
    finally:
        post(TeardownEnded(pubkey))


async def mark_resolved(sessions: SessionController, pubkey: str) -> None:
    await (await sessions.chain.load()).mark_resolved(sessions.services, pubkey)


class StopAndWithdraw:
    """The cockpit's way out: the run the app started, its events so far, and the last reconciliation.

    It starts its workers on `app` (so they outlive every screen) and is told what they
    posted by the app's handlers.
    """

    def __init__(self, app: RektApp) -> None:
        self._app = app
        self.session: str | None = None  # of the last run started
        self.events: tuple[TeardownEvent, ...] = ()
        self.result: tuple[str, ...] | None = None  # the archived session's result lines
        self.recovery_items: tuple[RecoveryItem, ...] = ()

    @property
    def running(self) -> bool:
        return group_running(self._app, TEARDOWN_GROUP)

    @property
    def unfinished(self) -> bool:
        """A run is going and has not reached its outcome (archived or parked)."""
        return self.running and run_outcome(self.events) is None

    def reconcile(self) -> None:
        self._app.start(reconcile_sessions(self._app.sessions, self._app.post_message), RECONCILE_GROUP, True)

    def resolve(self, pubkey: str) -> None:
        async def resolve_then_reconcile() -> None:
            await mark_resolved(self._app.sessions, pubkey)
            self.reconcile()

        self._app.start(resolve_then_reconcile(), RECONCILE_GROUP)

    def reconciled(self, items: tuple[RecoveryItem, ...]) -> None:
        """Show the banner while a session needs recovery (not over a run, whose end reconciles again)."""
        self.recovery_items = items
        app = self._app
        banner = next((screen for screen in app.screen_stack if isinstance(screen, RecoveryScreen)), None)
        if banner is not None:
            banner.show(items)
        elif any(item.needs_recovery for item in items) and not self.running:
            app.push_screen(RecoveryScreen(items, app.services.settings.labels.name))

    def stop_or_show(self) -> None:
        """ctrl+x: show the running stop, or ask before starting one on the active session."""
        if self.running:
            self.show()
        elif (pubkey := stoppable_session(self._app.dashboard.status)) is not None:
            self.confirm(pubkey)

    def confirm(self, pubkey: str) -> None:
        def answered(confirmed: bool | None) -> None:
            if confirmed:  # after the confirm modal has left the stack, so the progress screen lands on top
                self._app.call_after_refresh(self._start, pubkey)

        self._app.push_screen(ConfirmScreen("Stop and withdraw", STOP_QUESTION.format(session=pubkey)), answered)

    def _start(self, pubkey: str) -> None:
        app = self._app
        self.session, self.events, self.result = pubkey, (), None
        app.start(run_teardown(app.sessions, pubkey, app.post_message, self.summarised), TEARDOWN_GROUP, True)
        self.show()
        app.refresh_bindings()

    def show(self) -> None:
        app = self._app
        if isinstance(app.screen, TeardownScreen) or self.session is None:
            return
        # A parked or failed run's progress screen can lie under the recovery banner it raised: the
        # new run's screen replaces it and what is above it (the run's end raises the banner again).
        stack = app.screen_stack
        stale = next((i for i, screen in enumerate(stack) if isinstance(screen, TeardownScreen)), len(stack))
        for _ in range(len(stack) - stale):
            app.pop_screen()
        app.push_screen(TeardownScreen(self.session, self.events, self.result))

    def progressed(self, event: TeardownEvent) -> None:
        self.events = (*self.events, event)
        for screen in self._app.screen_stack:
            if isinstance(screen, TeardownScreen):
                screen.events = self.events

    def summarised(self, pubkey: str, lines: tuple[str, ...]) -> None:
        """The archived session's result, for the progress screen (open now or later)."""
        self.result = lines
        for screen in self._app.screen_stack:
            if isinstance(screen, TeardownScreen) and screen.session == pubkey:
                screen.result = lines

    def ended(self, pubkey: str) -> None:
        """Stop working with the torn-down session (its link closes, its keys go quiet), then look again."""
        app = self._app

        async def release() -> None:
            if await app.sessions.release(pubkey):
                app.dashboard.session = None
                app.refresh_bindings()

        app.start(release(), SESSION_GROUP, True)
        app.load_shell_status()
        self.reconcile()
