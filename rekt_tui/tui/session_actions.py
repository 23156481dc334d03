"""The app's side of session setup, the checklist and order entry.

`SessionActions` is mixed into `RektApp`, so its workers live as long as the app: closing
a screen never cancels a transaction that is already on its way. Each worker calls one
service and posts the answer; each handler pushes that answer down to the screen that
shows it. The session's live link (`Lander`) is opened here once and shared by every action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from rekt_tui.domain.checklist import ChecklistAction
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.tui.messages import DataFreshness, ShellStatusLoaded
from rekt_tui.tui.screens.checklist import ChecklistScreen
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.order_entry import OrderEntryScreen, order_question
from rekt_tui.tui.screens.recovery import RecoveryScreen
from rekt_tui.tui.screens.setup import SetupScreen
from rekt_tui.tui.session_messages import (
    OrderFormChanged,
    OrderPlaced,
    OrderPlaceRequested,
    OrderPlanned,
    SessionChosen,
    SessionDataLoaded,
    SessionDataWanted,
    SessionOpened,
    StepRequested,
    StepStateChanged,
)

if TYPE_CHECKING:
    from rekt_tui.services.landing import Lander
    from rekt_tui.services.models import OrderForm
    from rekt_tui.services.session import SessionService
    from rekt_tui.tui.app import RektApp

    _Base = RektApp
else:
    _Base = object

SESSION_GROUP = "session-link"
DATA_GROUP = "session-data"
STEP_GROUP = "session-step"
PLAN_GROUP = "order-plan"
PLACE_GROUP = "order-place"
# What one press of the airdrop keys asks the localnet faucet for.
AIRDROPS = {"fund_sol": ("1", "SOL"), "fund_usdc": ("1000", "USDC")}
# The app bindings this mixin decides on.
SESSION_BINDING_ACTIONS = frozenset({"session_setup", "checklist", "buy", "sell"})


class SessionActions(_Base):
    """Mixin for `RektApp`: the chosen session's link, its workers and their handlers."""

    _lander: Lander | None = None
    # The session as last read, and whether the dashboard's data is stale: buy and sell
    # need trading started and fresh data.
    session: SessionRecord | None = None
    data_stale: bool = False

    # Opening screens

    def action_session_setup(self) -> None:
        if not isinstance(self.screen, SetupScreen):
            self.push_screen(SetupScreen(self.get_default_screen().status, self.session))

    def action_checklist(self) -> None:
        if not isinstance(self.screen, ChecklistScreen):
            settings, chosen = self.services.settings, self.session.strategy if self.session else None
            self.push_screen(
                ChecklistScreen(
                    localnet=settings.cluster == "localnet", strategies=tuple(settings.strategies), strategy=chosen
                )
            )

    def action_buy(self) -> None:
        self._open_order_entry("buy")

    def action_sell(self) -> None:
        self._open_order_entry("sell")

    def _open_order_entry(self, side: str) -> None:
        markets = tuple(sorted(self.loaded_chain.OrderService(self._lander).markets())) if self._lander else ()
        self.push_screen(OrderEntryScreen(side, markets))

    def session_action_applies(self, action: str) -> bool:
        """Setup is always there; the checklist needs a session; orders need trading started
        and fresh data. None of them opens over a question already asked (confirm, order
        entry) or over the recovery banner, which blocks everything until it is dealt with."""
        if isinstance(self.screen, (ConfirmScreen, OrderEntryScreen, RecoveryScreen)):
            return False
        if action == "session_setup":
            return True
        if self.teardown_running:  # nothing new while money is on its way out
            return False
        if action == "checklist":
            return self._lander is not None
        session = self.session
        started = session is not None and session.status is SessionStatus.ACTIVE and session.trading_started_at
        return self._lander is not None and bool(started) and not self.data_stale

    def on_data_freshness(self, message: DataFreshness) -> None:
        self.data_stale = message.stale
        self.refresh_bindings()

    # Choosing and reading the session

    def on_session_chosen(self, message: SessionChosen) -> None:
        self.open_session(message.pubkey)

    @work(group=SESSION_GROUP, exclusive=True, exit_on_error=False)
    async def open_session(self, pubkey: str | None) -> None:
        """Create the wallet when asked, then link it to the chain (closing the previous link)."""
        if pubkey is None:
            pubkey = (await (await self.services.wallets()).create()).pubkey
            self.load_shell_status()
        await self.close_session()
        self._lander = await (await self.chain()).open_lander(self.services, pubkey)
        self.post_message(SessionOpened(self._lander.link.session))

    @work(group=SESSION_GROUP, exclusive=True, exit_on_error=False)
    async def release_session(self, pubkey: str) -> None:
        """Stop working with a session that was torn down: its link closes, its keys go quiet."""
        if self.session is not None and self.session.pubkey == pubkey:
            self.session = None
            await self.close_session()
            self.refresh_bindings()

    async def close_session(self) -> None:
        lander, self._lander = self._lander, None
        if lander is not None:
            await lander.link.close()

    async def on_unmount(self) -> None:
        await self.close_session()

    def on_session_opened(self, message: SessionOpened) -> None:
        self.session = message.session
        self.follow(message.session.pubkey)
        self.record(f"Session wallet {message.session.pubkey} is linked to {self.services.settings.cluster}.")
        for screen in self._screens(SetupScreen):
            screen.session = message.session
        self.refresh_bindings()
        self.load_session_data()

    def on_shell_status_loaded(self, message: ShellStatusLoaded) -> None:
        for screen in self._screens(SetupScreen):
            screen.status = message.status

    def on_session_data_wanted(self, message: SessionDataWanted) -> None:
        if self._lander is not None:
            self.load_session_data()

    @work(group=DATA_GROUP, exclusive=True, exit_on_error=False)
    async def load_session_data(self) -> None:
        setup = self.loaded_chain.SessionService(self._lander)
        funding, checklist = await setup.funding(), await setup.checklist()
        self.post_message(SessionDataLoaded(setup.session, funding, checklist))

    def on_session_data_loaded(self, message: SessionDataLoaded) -> None:
        self.session = message.session
        for screen in self._screens(SetupScreen):
            screen.funding = message.funding
        for screen in self._screens(ChecklistScreen):
            screen.checklist = message.checklist
        self.refresh_bindings()

    # Setup steps

    def on_step_requested(self, message: StepRequested) -> None:
        if message.step == ChecklistAction.CONFIRM_START.value:
            self.ask_to_start()
        else:
            self.run_step(message)

    @work(group=STEP_GROUP, exclusive=False, exit_on_error=False)
    async def run_step(self, request: StepRequested) -> None:
        """One step at a time (screens hide step keys while one runs); its outcome is a sentence."""
        self.post_message(StepStateChanged(request.step, done=False))
        outcome = ""  # a refusal reaches the user through the app's worker-error handler
        try:
            outcome = await self._perform(self.loaded_chain.SessionService(self._lander), request)
        finally:
            self.post_message(StepStateChanged(request.step, done=True, outcome=outcome))
            self.load_session_data()

    async def _perform(self, setup: SessionService, request: StepRequested) -> str:
        step = request.step
        if step in AIRDROPS:
            return await setup.airdrop(*AIRDROPS[step])
        if step == ChecklistAction.INITIALIZE_ACCOUNT.value:
            session = await setup.initialize()
            return f"Drift account {session.drift_user} initialized; referrer verified."
        if step == ChecklistAction.VERIFY_REFERRER.value:
            await setup.verify_referrer()
            return "Referrer verified."
        if step == ChecklistAction.DEPOSIT.value:
            landed = await setup.deposit(request.amount, request.asset)
            return f"Deposited {request.amount.strip()} {request.asset} ({landed.signature})."
        if step == ChecklistAction.CHOOSE_STRATEGY.value:
            session = await setup.choose_strategy(request.strategy)
            return f"Strategy {session.strategy} chosen."
        if step == ChecklistAction.CONFIRM_START.value:
            await setup.start_trading()
            return "Trading on Drift started."
        raise RektError(f"Unknown setup step {step!r}.")

    def on_step_state_changed(self, message: StepStateChanged) -> None:
        for screen in self._screens(ChecklistScreen, SetupScreen):
            screen.busy_step = None if message.done else message.step
        if message.done and message.outcome:
            self.record(message.outcome)
            self.refresh_linked()

    @work(group=STEP_GROUP, exit_on_error=False)
    async def ask_to_start(self) -> None:
        """The start summary comes from the chain, then the one confirm modal asks."""
        summary = await self.loaded_chain.SessionService(self._lander).start_summary()
        if await self.push_screen_wait(ConfirmScreen("Start trading on Drift", summary)):
            self.run_step(StepRequested(ChecklistAction.CONFIRM_START.value))

    # Orders

    def on_order_form_changed(self, message: OrderFormChanged) -> None:
        self.plan_order(message.form)

    @work(group=PLAN_GROUP, exclusive=True, exit_on_error=False)
    async def plan_order(self, form: OrderForm) -> None:
        """A preview for the form as typed; a form that cannot be planned says why, inline."""
        if self._lander is None:
            self.post_message(OrderPlanned(form, None, "Choose a session wallet first (w)."))
            return
        try:
            plan = await self.loaded_chain.OrderService(self._lander).plan(form)
        except RektError as error:
            self.post_message(OrderPlanned(form, None, error.message))
            return
        self.post_message(OrderPlanned(form, plan))

    def on_order_planned(self, message: OrderPlanned) -> None:
        for screen in self._screens(OrderEntryScreen):
            screen.show_plan(message.form, message.plan, message.problem)

    def on_order_place_requested(self, message: OrderPlaceRequested) -> None:
        # One at a time, and never by cancelling the one on its way: that would leave its
        # transaction to the next launch's reconciliation.
        if any(worker.group == PLACE_GROUP and worker.is_running for worker in self.workers):
            self.notify("The previous order is still being placed.", severity="warning")
            return
        self.place_order(message.form)

    @work(group=PLACE_GROUP, exit_on_error=False)
    async def place_order(self, form: OrderForm) -> None:
        """Plan again on current data, confirm, then sign; a refusal goes back to the form."""
        orders = self.loaded_chain.OrderService(self._lander)
        plan = await orders.plan(form)
        if plan.refusals:
            self.post_message(OrderPlanned(form, plan))
            return
        if await self.push_screen_wait(ConfirmScreen("Place order", order_question(plan))):
            self.post_message(OrderPlaced(await orders.submit(plan)))

    def on_order_placed(self, message: OrderPlaced) -> None:
        record = message.placed.record
        text = f"Order {record.user_order_id} placed ({record.status.value}): {message.placed.signature}"
        self.record(text)
        self.refresh_linked()
        self.notify(text, title="Order placed", markup=False)
        for screen in self._screens(OrderEntryScreen):
            screen.dismiss()

    def _screens(self, *kinds: type) -> list:
        return [screen for screen in self.screen_stack if isinstance(screen, kinds)]
