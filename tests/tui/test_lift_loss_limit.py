"""Lifting the loss limit from the cockpit (key L) against the real registry: refused with
one sentence while the session is not exit-only; while it is, the trader reads the breach
and must type "lift" (a wrong word changes nothing); then the registry's breach is gone and
the activity log says so."""

from datetime import UTC, datetime
from decimal import Decimal

from rekt_tui.domain.loss_limit import GuardState, LossBasis, LossLimitRule, LossUnit
from rekt_tui.tui.loss_limit_lift import NOT_EXIT_ONLY
from rekt_tui.tui.screens.confirm import ConfirmScreen
from tests.tui.conftest import add_wallet, make_app
from tests.tui.live_helpers import wait_until

USD = 10**6
RULE = LossLimitRule(session_max=Decimal(10), day_max=None, unit=LossUnit.USD, basis=LossBasis.PEAK)


async def breached(services, pubkey: str) -> GuardState:
    """A real breach in the registry ($100 to $80 against a $10 limit), as the watcher reports it."""
    at = datetime.now(UTC)
    await services.registry.observe_equity(pubkey, 100 * USD, RULE, at)
    ledger, newly = await services.registry.observe_equity(pubkey, 80 * USD, RULE, at)
    assert newly and ledger.breach is not None
    return GuardState(True, LossUnit.USD, LossBasis.PEAK, equity=ledger.equity, reference=100 * USD,
                      breach=ledger.breach, session=pubkey)  # fmt: skip


async def test_lift_needs_exit_only_and_the_typed_word(services, tmp_path):
    wallet = await add_wallet(services, tmp_path, 7, "limited")
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        dashboard = app.dashboard
        await pilot.press("L")  # nothing breached: one sentence, no question
        await wait_until(pilot, lambda: any(e.text == NOT_EXIT_ONLY for e in dashboard.activity), what="the refusal")
        dashboard.guard = GuardState(True, LossUnit.USD, LossBasis.PEAK, session=wallet.pubkey)  # watching
        await pilot.press("L")
        await wait_until(pilot, lambda: [e.text for e in dashboard.activity].count(NOT_EXIT_ONLY) == 2,
                         what="the second refusal")  # fmt: skip
        assert not isinstance(app.screen, ConfirmScreen)

        dashboard.guard = await breached(services, wallet.pubkey)
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the lift question")
        question = app.screen.question
        assert "breaking the session loss limit of $10 from its peak" in question and "$80.00" in question
        await pilot.press("y", "e", "s", "enter")  # not the word: still asking, still breached
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConfirmScreen)
        assert (await services.registry.get_loss_ledger(wallet.pubkey)).breach is not None
        await pilot.press("escape")
        await wait_until(pilot, lambda: any(e.text.startswith("Lift cancelled") for e in dashboard.activity),
                         what="the cancel line")  # fmt: skip
        assert (await services.registry.get_loss_ledger(wallet.pubkey)).breach is not None

        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the lift question")
        await pilot.press("l", "i", "f", "t", "enter")
        lifted = f"Loss limit lifted for session {wallet.pubkey}; it measures again from $80.00."
        await wait_until(pilot, lambda: any(e.text == lifted for e in dashboard.activity), what="the lifted line")
        ledger = await services.registry.get_loss_ledger(wallet.pubkey)
        assert ledger.breach is None and ledger.start_equity == ledger.peak_equity == 80 * USD
