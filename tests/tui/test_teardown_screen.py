"""The progress screen's rows: a step's outcome replaces its running line; the run ends in a
summary (with what came out, what is left and the session's result) or a parked reason."""

import json

from rekt_tui.domain.records import TeardownStepStatus, TransactionStatus
from rekt_tui.domain.teardown import TeardownStep
from rekt_tui.services.models import TeardownEvent
from rekt_tui.tui.messages import LinkedSession, SessionLinked
from rekt_tui.tui.screens.teardown import PARKED_HINT, TeardownScreen, run_outcome, step_rows
from tests.tui.conftest import add_wallet, make_app, text_of

USDC = 10**6

RUNNING, DONE, PARKED = TeardownStepStatus.RUNNING, TeardownStepStatus.DONE, TeardownStepStatus.PARKED


def test_a_step_outcome_replaces_its_running_row():
    events = (
        TeardownEvent(TeardownStep.PAUSE_TRADING, RUNNING, None, "Pausing new orders."),
        TeardownEvent(TeardownStep.PAUSE_TRADING, DONE, None, "New orders are refused."),
        TeardownEvent(TeardownStep.CLOSE_POSITIONS, RUNNING, None, "Closing."),
        TeardownEvent(TeardownStep.CLOSE_POSITIONS, DONE, "sig1", "Closed 3."),
        TeardownEvent(TeardownStep.CLOSE_POSITIONS, RUNNING, None, "Waiting for fills."),
    )
    rows = step_rows(events)
    assert [(r.label, r.state, r.signature) for r in rows] == [
        ("Pause new orders", DONE, None), ("Close positions", DONE, "sig1"), ("Close positions", RUNNING, None)
    ]
    assert run_outcome(events) is None


def test_outcome_is_the_summary_or_the_parked_reason():
    summary = TeardownEvent(TeardownStep.ARCHIVE, DONE, None, "Session wallet 9.9 SOL • Drift $0.00")
    assert run_outcome((summary,)) == summary.message
    parked = TeardownEvent(TeardownStep.WITHDRAW, PARKED, None, "MarketWithdrawPaused (6149)")
    assert run_outcome((parked,)) == PARKED_HINT
    assert step_rows((parked,))[0].message == "MarketWithdrawPaused (6149)"
    assert run_outcome(()) is None


async def _landed(services, pubkey: str, kind: str, intent: dict, signature: str) -> None:
    await services.registry.record_transaction(
        pubkey, kind=kind, intent=json.dumps(intent), signature=signature, raw_tx=b"tx", last_valid_block_height=9
    )
    await services.registry.update_transaction(signature, status=TransactionStatus.SENT)
    await services.registry.update_transaction(signature, status=TransactionStatus.CONFIRMED)


async def test_the_archived_session_shows_what_came_out_what_is_left_and_its_result(services, tmp_path):
    """From the registry's confirmed deposits and withdrawals (a failed one does not count) and
    the wallet's balances as the live feed read them."""
    session = await add_wallet(services, tmp_path, 7, "summary")
    await _landed(services, session.pubkey, "deposit", {"action": "deposit", "asset": "USDC", "amount": 100 * USDC}, "d1")
    await _landed(services, session.pubkey, "withdraw", {"market": 0, "amount": 103_250_000}, "w1")
    await services.registry.record_transaction(
        session.pubkey, kind="withdraw", intent=json.dumps({"market": 0, "amount": 5 * USDC}), signature="w2",
        raw_tx=b"tx", last_valid_block_height=9,
    )  # fmt: skip  (never landed)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        linked = LinkedSession(session, 1_500_000_000, {}, usdc=103_250_000)
        app.dashboard.post_message(SessionLinked(linked))
        archived = TeardownEvent(TeardownStep.ARCHIVE, DONE, None, "Session wallet 1.5000 SOL • Drift $0.00")
        await app.push_screen(TeardownScreen(session.pubkey, (archived,)))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)
        summary = text_of(app.screen.query_one("#teardown-summary"))
    assert "Withdrawn from Drift: $103.25 USDC" in summary
    assert "Left in the session wallet: 1.5000 SOL · $103.25 USDC" in summary
    assert "Session result: +$3.25 USDC ($100.00 USDC in, $103.25 USDC out)" in summary


async def test_no_summary_while_the_run_goes_on(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        running = TeardownEvent(TeardownStep.WITHDRAW, RUNNING, None, "Withdrawing.")
        await app.push_screen(TeardownScreen("7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU", (running,)))
        await pilot.pause(0.1)
        assert not app.screen.query("#teardown-summary")
