"""The app's side of getting money out: launch reconciliation, stop-and-withdraw, the quit guard.

The teardown runs as a worker of the app, not of the progress screen, so closing that
screen never cancels it (workers die with the node that runs them). Its body calls
`TeardownService.run` and posts each event as a message; the app keeps the events and
pushes them down to any progress screen. When a run ends, however it ends, the app
reconciles again: a run that failed or parked raises the recovery banner, one that
archived clears it. Errors reach the app's one worker-error handler like any other.

This is a mixin so `RektApp` stays a thin list of screens and bindings; it relies on
the app's `services` and `report_error` and on Textual's `App` API.
"""

from textual import work
from textual.message import Message

from rekt_tui.domain.session import SessionStatus
from rekt_tui.services.models import RecoveryItem, TeardownEvent
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.recovery import RecoveryScreen
from rekt_tui.tui.screens.teardown import TeardownScreen, run_outcome

TEARDOWN_GROUP = "teardown"
RECONCILE_GROUP = "reconcile"
STOP_QUESTION = (
    "Cancel every order, close every position reduce-only, settle PnL, withdraw all collateral "
    "to the session wallet and archive session {session}?"
)
QUIT_QUESTION = (
    "{what}. Quitting does not close anything: positions stay open on chain, unwatched. "
    "The next launch offers to recover. Quit anyway?"
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


class TeardownTasks:
    """Workers and handlers for reconciliation and stop-and-withdraw, mixed into `RektApp`."""

    teardown_session: str | None = None
    teardown_events: tuple[TeardownEvent, ...] = ()
    recovery_items: tuple[RecoveryItem, ...] = ()

    @work(group=RECONCILE_GROUP, exclusive=True, exit_on_error=False)
    async def reconcile_sessions(self) -> None:
        """What every unwithdrawn session holds on chain; the answer comes back as a message."""
        self.post_message(RecoveryLoaded(tuple(await (await self.chain()).reconcile(self.services))))

    @work(group=TEARDOWN_GROUP, exclusive=True, exit_on_error=False)
    async def run_teardown(self, pubkey: str) -> None:
        try:
            chain = await self.chain()
            link = await chain.open_link(self.services, pubkey)
            try:
                async for event in chain.TeardownService(self.services).run(link):
                    self.post_message(TeardownProgress(pubkey, event))
            finally:
                await link.close()
        finally:
            self.post_message(TeardownEnded(pubkey))

    @work(group=RECONCILE_GROUP, exit_on_error=False)
    async def resolve_session(self, pubkey: str) -> None:
        await (await self.chain()).mark_resolved(self.services, pubkey)
        self.reconcile_sessions()

    def on_recovery_loaded(self, message: RecoveryLoaded) -> None:
        self.recovery_items = message.items
        banner = next((s for s in self.screen_stack if isinstance(s, RecoveryScreen)), None)
        if banner is not None:
            banner.show(message.items)
        elif any(item.needs_recovery for item in message.items) and not self.teardown_running:
            self.push_screen(RecoveryScreen(message.items))

    def on_teardown_progress(self, message: TeardownProgress) -> None:
        self.teardown_events = (*self.teardown_events, message.event)
        for screen in self.screen_stack:
            if isinstance(screen, TeardownScreen):
                screen.events = self.teardown_events

    def on_teardown_ended(self, message: TeardownEnded) -> None:
        self.release_session(message.pubkey)
        self.load_shell_status()
        self.reconcile_sessions()

    def on_recovery_screen_recover(self, message: RecoveryScreen.Recover) -> None:
        self.confirm_stop(message.pubkey)

    def on_recovery_screen_mark_resolved(self, message: RecoveryScreen.MarkResolved) -> None:
        self.resolve_session(message.pubkey)

    @property
    def teardown_running(self) -> bool:
        return any(worker.group == TEARDOWN_GROUP and worker.is_running for worker in self.workers)

    def stoppable_session(self) -> str | None:
        """The one active session ctrl+x would stop, from the last status the dashboard shows."""
        status = self.get_default_screen().status
        active = [s for s in status.sessions if s.status is SessionStatus.ACTIVE] if status else []
        return active[0].pubkey if len(active) == 1 else None

    def stop_applies(self) -> bool:
        """ctrl+x is offered while a stop runs (to show it) or when one active session can be stopped.

        Not over the recovery banner: there, recover is the same action for the chosen session.
        """
        if isinstance(self.screen, RecoveryScreen):
            return False
        return self.teardown_running or self.stoppable_session() is not None

    def action_stop_and_withdraw(self) -> None:
        """Show the running stop, or ask before starting one on the active session."""
        if self.teardown_running:
            self.show_teardown()
        elif (pubkey := self.stoppable_session()) is not None:
            self.confirm_stop(pubkey)

    def confirm_stop(self, pubkey: str) -> None:
        def answered(confirmed: bool | None) -> None:
            if confirmed:  # after the confirm modal has left the stack, so the progress screen lands on top
                self.call_after_refresh(self.start_teardown, pubkey)

        question = STOP_QUESTION.format(session=pubkey)
        self.push_screen(ConfirmScreen("Stop and withdraw", question), callback=answered)

    def start_teardown(self, pubkey: str) -> None:
        self.teardown_session, self.teardown_events = pubkey, ()
        self.run_teardown(pubkey)
        self.show_teardown()
        self.refresh_bindings()

    def show_teardown(self) -> None:
        if not isinstance(self.screen, TeardownScreen) and self.teardown_session is not None:
            self.push_screen(TeardownScreen(self.teardown_session, self.teardown_events))

    def exposure(self) -> str | None:
        """Why quitting deserves a question (a running stop, or positions and orders on chain), or None.

        The followed session is judged by its live feed, so a position opened a second ago
        counts; the others by the last reconciliation.
        """
        if self.teardown_running and run_outcome(self.teardown_events) is None:
            return "A stop-and-withdraw is still running; it finishes on the next launch"
        live = self.get_default_screen().account  # the followed session, as the feed shows it now
        if live is not None and (live.positions or live.orders):
            return (
                f"The session on screen holds {_count(live.positions, 'position')} and {_count(live.orders, 'order')}"
            )
        held = [i for i in self.recovery_items if i.positions or i.open_orders]
        if held:
            return f"{len(held)} session(s) hold open positions or orders"
        return None

    async def may_quit(self) -> bool:
        """Quit at once when nothing is exposed; otherwise ask, and quit only on a yes."""
        what = self.exposure()
        if what is None:
            return True

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.exit()

        self.push_screen(ConfirmScreen("Quit with positions open?", QUIT_QUESTION.format(what=what)), answered)
        return False


def _count(items: tuple, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
