"""RektApp: the bindings, what each one starts, and the one place worker errors become notifications.

The CLI hands the app its `Services`; a `SessionController` owns the chosen session's connections.
Workers that sign run on the app (started by `SetupActions`, `OrderActions`, `StopAndWithdraw`),
so closing a screen never cancels one; screens that only read run their own workers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from rekt_tui.tui.action_rules import SHELL_STATUS_GROUP, CockpitState, action_applies
from rekt_tui.tui.bindings import binding_entries
from rekt_tui.tui.chain import ChainLoader
from rekt_tui.tui.commands import ActionCommands, own_system_commands
from rekt_tui.tui.live import followed_session
from rekt_tui.tui.messages import ShellStatusLoaded, WorkerFailed
from rekt_tui.tui.order_actions import COMMAND_LINE, OrderActions
from rekt_tui.tui.quit_guard import exposure, quit_question
from rekt_tui.tui.screens.dashboard import DashboardScreen
from rekt_tui.tui.screens.recovery import RecoveryScreen
from rekt_tui.tui.stop_and_withdraw import RecoveryLoaded, StopAndWithdraw, TeardownEnded, TeardownProgress
from rekt_tui.tui.session_controller import SessionController
from rekt_tui.tui.session_messages import OrderPlaceRequested, SessionChosen, StepRequested
from rekt_tui.tui.setup_actions import SetupActions
from rekt_tui.tui.workers import failure_text

if TYPE_CHECKING:
    from rekt_tui.services.container import Services


class RektApp(App[None], inherit_bindings=False):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so a subclass defined elsewhere finds it
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
        Binding("v", "close_position(True)", "Reverse the selected position", id="app.reverse_position"),
        Binding("d", "cancel_order", "Cancel the selected order", id="app.cancel_order"),
        Binding("D", "cancel_all_orders", "Cancel all orders", id="app.cancel_all_orders", show=False),
        Binding("M", "market", "Markets: header, chart, trades", id="app.market"),
        Binding("ctrl+x", "stop_and_withdraw", "Stop and withdraw", id="app.stop_and_withdraw"),
        Binding("colon", f"push_screen('{COMMAND_LINE}')", "Command line (order, cancel, close)", id="app.command_line"),
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
        self.sessions = SessionController(services, ChainLoader())
        leverage = services.settings.preset().max_leverage
        self.dashboard = DashboardScreen(sessions=self.sessions, max_leverage=leverage, clock=clock)
        self.setup, self.orders, self.way_out = SetupActions(self), OrderActions(self), StopAndWithdraw(self)

    def get_default_screen(self) -> DashboardScreen:
        return self.dashboard

    def on_mount(self) -> None:
        self.call_after_refresh(self.sessions.chain.first_frame_drawn)  # the chain's modules load now
        self.load_shell_status(launching=True)
        if self._reconcile_at_launch:
            self.way_out.reconcile()

    async def on_unmount(self) -> None:
        await self.sessions.close()
        self.sessions.chain.release()

    def start(self, body: Coroutine[Any, Any, None], group: str, exclusive: bool = False) -> None:
        """Run `body` as a worker of the app: it outlives every screen, and its errors reach the one handler."""
        self.run_worker(body, group=group, exclusive=exclusive, exit_on_error=False)

    @work(group=SHELL_STATUS_GROUP, exclusive=True, exit_on_error=False)
    async def load_shell_status(self, launching: bool = False) -> None:
        """Where the shell stands (cluster, keys, registry, wallets), posted as a message. At launch,
        after the first frame, keys a crash left pending are settled first (the keystore opens here)."""
        if launching:
            await self.sessions.chain.first_frame()
            await self.services.settle_pending_keys()
        self.post_message(ShellStatusLoaded(await self.services.shell_status()))

    def on_shell_status_loaded(self, message: ShellStatusLoaded) -> None:
        self.dashboard.show_status(message.status, message.changes)
        if (fresh := self.sessions.adopt(message.status.sessions)) is not None:  # changed by another process
            self.dashboard.session = fresh
            self.refresh_bindings()
        if (session := followed_session(message.status)) is not None:
            self.dashboard.feeds.follow(session.pubkey)
            if not self.sessions.linked:  # its keys (b, s, x, d) work without choosing it first
                self.setup.choose(session.pubkey)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures surface: the app's own, and the screens' (as `WorkerFailed`)."""
        if self.screen_stack:  # a worker can end after the screens, as the app shuts down
            self.refresh_bindings()  # reload is hidden while a load runs
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.on_worker_failed(WorkerFailed(event.worker.error))

    def on_worker_failed(self, message: WorkerFailed) -> None:
        """A `RektError` is shown as its sentence; anything else is a bug: logged, and named briefly."""
        text = failure_text(message.error, self.services.settings.log_file)
        self.notify(text, title="Error", severity="error", timeout=10, markup=False)
        self.dashboard.record(text, "error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action_applies(action, CockpitState.of(self), parameters)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        return own_system_commands(super().get_system_commands(screen))

    def on_key(self, event: events.Key) -> None:
        self.orders.explain_dimmed(event.key)

    def action_reload_status(self) -> None:
        self.load_shell_status()

    def action_help(self) -> None:
        from rekt_tui.tui.screens.help import HelpScreen  # not on the first frame's path
        self.push_screen(HelpScreen(binding_entries(self.screen)))

    async def action_quit(self) -> None:
        """Quit at once when nothing is exposed; otherwise ask (`quit_guard`), and quit only on a yes."""
        what = exposure(self.way_out.unfinished, self.dashboard.account, self.way_out.recovery_items, self.dashboard.linked)
        if what is None:
            self.exit()
        else:
            self.push_screen(quit_question(what), lambda confirmed: confirmed and self.exit())

    def action_session_setup(self) -> None:
        self.setup.open_setup()

    def action_checklist(self) -> None:
        self.setup.open_checklist()

    def on_session_chosen(self, message: SessionChosen) -> None:
        self.setup.choose(message.pubkey)

    def on_step_requested(self, message: StepRequested) -> None:
        self.setup.step(message)

    def action_buy(self) -> None:
        self.orders.open_entry("buy")

    def action_sell(self) -> None:
        self.orders.open_entry("sell")

    def on_order_place_requested(self, message: OrderPlaceRequested) -> None:
        self.orders.place(message)

    def action_close_position(self, reverse: bool = False) -> None:
        self.orders.close_selected(reverse=reverse)

    def action_cancel_order(self) -> None:
        self.orders.cancel_selected()

    def action_cancel_all_orders(self) -> None:
        self.orders.cancel(None)

    def action_market(self) -> None:
        self.dashboard.open_market_screen()

    def action_stop_and_withdraw(self) -> None:
        self.way_out.stop_or_show()

    def on_recovery_loaded(self, message: RecoveryLoaded) -> None:
        self.way_out.reconciled(message.items)

    def on_recovery_screen_recover(self, message: RecoveryScreen.Recover) -> None:
        self.way_out.confirm(message.pubkey)

    def on_recovery_screen_mark_resolved(self, message: RecoveryScreen.MarkResolved) -> None:
        self.way_out.resolve(message.pubkey)

    def on_teardown_progress(self, message: TeardownProgress) -> None:
        self.way_out.progressed(message.event)

    def on_teardown_ended(self, message: TeardownEnded) -> None:
        self.way_out.ended(message.pubkey)
