"""Session setup: opening the setup and checklist screens, linking the chosen wallet, and the steps.

Steps (airdrops, initialize, verify, deposit, strategy, start) run as workers of the app,
so leaving the setup or checklist screen never cancels one whose transaction is on its
way. A step posts when it starts and when it ends, with its outcome as one sentence, to the
dashboard, which keeps the step running for the screens; a refusal reaches the user
through the app's worker-error handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rekt_tui.domain.checklist import ChecklistAction, start_trading_title
from rekt_tui.domain.errors import RektError
from rekt_tui.tui.order_actions import Confirm, Post, confirm
from rekt_tui.tui.screens.checklist import ChecklistScreen, checklist_screen
from rekt_tui.tui.screens.curtain import push_full_screen
from rekt_tui.tui.screens.setup import SetupScreen, setup_screen
from rekt_tui.tui.session_controller import SESSION_GROUP
from rekt_tui.tui.session_messages import SessionOpened, StepRequested, StepStateChanged

if TYPE_CHECKING:
    from rekt_tui.services.session import SessionService
    from rekt_tui.tui.app import RektApp
    from rekt_tui.tui.session_controller import SessionController

STEP_GROUP = "session-step"
# What one press of the airdrop keys asks the localnet faucet for (None: the venue's quote).
AIRDROPS = {"fund_sol": ("1", "SOL"), "fund_usdc": ("1000", None)}
START = ChecklistAction.CONFIRM_START.value


async def run_step(sessions: SessionController, request: StepRequested, confirm: Confirm, post: Post) -> None:
    """One step at a time (screens hide step keys while one runs); starting asks first."""
    setup = sessions.setup()
    title = start_trading_title(setup.labels)
    if request.step == START and not await confirm(title, await setup.start_summary()):
        return
    post(StepStateChanged(request.step, done=False))
    outcome = ""
    try:
        outcome = await perform(setup, request)
    finally:
        post(StepStateChanged(request.step, done=True, outcome=outcome))


async def perform(setup: SessionService, request: StepRequested) -> str:
    step = request.step
    if step in AIRDROPS:
        amount, asset = AIRDROPS[step]
        return await setup.airdrop(amount, asset or setup.labels.quote)
    if step == ChecklistAction.INITIALIZE_ACCOUNT.value:
        session = await setup.initialize()
        return f"{setup.labels.account} {session.drift_user} initialized; referrer verified."
    if step == ChecklistAction.VERIFY_REFERRER.value:
        await setup.verify_referrer()
        return "Referrer verified."
    if step == ChecklistAction.DEPOSIT.value:
        landed = await setup.deposit(request.amount, request.asset)
        return f"Deposited {request.amount.strip()} {request.asset} ({landed.signature})."
    if step == ChecklistAction.CHOOSE_STRATEGY.value:
        session = await setup.choose_strategy(request.strategy)
        return f"Strategy {session.strategy} chosen."
    if step == START:
        await setup.start_trading()
        return f"Trading on {setup.labels.name} started."
    raise RektError(f"Unknown setup step {step!r}.")


class SetupActions:
    """The app's side of setup: the screens it opens, and the workers that link and set up a session."""

    def __init__(self, app: RektApp) -> None:
        self._app = app

    def open_setup(self) -> None:
        app = self._app
        if not isinstance(app.screen, SetupScreen):
            labels = app.services.settings.labels
            push_full_screen(app, setup_screen(labels, app.dashboard.status, app.dashboard.session, app.sessions))

    def open_checklist(self) -> None:
        app = self._app
        if not isinstance(app.screen, ChecklistScreen):
            settings, session = app.services.settings, app.dashboard.session
            push_full_screen(app, checklist_screen(
                settings.labels, localnet=settings.cluster == "localnet", strategies=tuple(settings.strategies),
                strategy=session.strategy if session else None, sessions=app.sessions,
            ))  # fmt: skip

    def choose(self, pubkey: str | None) -> None:
        """Create the wallet when `pubkey` is None, then link it to the chain (closing the previous link)."""
        app = self._app

        async def open_session(pubkey: str | None) -> None:
            if pubkey is None:
                pubkey = await app.sessions.create_wallet()
                app.load_shell_status()
            session = await app.sessions.open(pubkey)
            app.dashboard.post_message(SessionOpened(session, app.sessions.refusal))

        app.start(open_session(pubkey), SESSION_GROUP, exclusive=True)

    def step(self, request: StepRequested) -> None:
        app = self._app
        app.start(run_step(app.sessions, request, confirm(app), app.dashboard.post_message), STEP_GROUP)
