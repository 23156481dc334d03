"""Stop-and-withdraw on a live localnet (makers and keeper running): every step persisted,
the chain at zero, the session archived; a paused withdrawal parks and a later run finishes.
"""

import json

import pytest

from rekt_tui.domain.records import Direction, TeardownStepStatus, TransactionStatus
from rekt_tui.domain.session import SessionStatus
from rekt_tui.domain.teardown import DUST_COLLATERAL, TeardownStep
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.services.teardown import TeardownService, teardown_in_progress
from tests.services.teardown_setup import SOL, USDC, Book, funded_session, services  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


async def teardown(services, link) -> list:
    return [event async for event in TeardownService(services).run(link)]


def done_steps(steps) -> list[str]:
    return [s.step for s in steps if s.status is TeardownStepStatus.DONE]


async def test_three_positions_and_two_orders_to_zero_with_every_step_persisted(services):
    link = await funded_session(services)
    try:
        holdings = link.venue.holdings()
        assert (len(holdings.positions), len(holdings.orders)) == (3, 2)
        events = await teardown(services, link)
        holdings = link.venue.holdings()
        summary = await TeardownService(services).summary(link)
    finally:
        await link.close()
    assert holdings.orders == () and holdings.positions == () and not any(holdings.unsettled_pnl.values())
    assert holdings.total_collateral < DUST_COLLATERAL
    registry, pubkey = services.registry, link.session.pubkey
    assert (await registry.get_session(pubkey)).status is SessionStatus.ARCHIVED
    steps = await registry.latest_teardown_run(pubkey)
    # A second close_positions step (waiting for fills) appears only when the fills lag the close.
    assert [name for name in done_steps(steps) if name != "close_positions"] == [
        "pause_trading", "cancel_orders", "settle_pnl", "withdraw", "archive"
    ]
    assert done_steps(steps)[2] == "close_positions"
    assert all(s.status is TeardownStepStatus.DONE and s.finished_at for s in steps)
    assert all(s.transaction_signature for s in steps if s.step in ("cancel_orders", "settle_pnl", "withdraw"))
    assert not await teardown_in_progress(registry, pubkey)
    assert events[-1].step is TeardownStep.ARCHIVE and events[-1].message == summary
    assert summary.endswith("• Drift $0.00 • Referrer linked ✓") and summary.startswith("Session wallet ")
    session = await registry.get_session(pubkey)
    assert session.last_collateral_quote == holdings.total_collateral and session.last_sol_lamports > 9 * SOL
    closes = [o for o in await registry.list_open_orders(pubkey)]
    assert closes == [], "the registry still lists live orders"
    # Exactly one landed transaction per teardown intent.
    landed = await registry.list_transactions(pubkey, statuses=[TransactionStatus.CONFIRMED])
    intents = [t.intent for t in landed if "run_id" in json.loads(t.intent)]
    assert len(intents) == len(set(intents)) == 6  # cancel, three closes, settle, withdraw


async def test_sol_collateral_loss_is_repaid_by_selling_sol_then_everything_leaves(services):
    book = Book(sol=5 * SOL, positions=((0, Direction.LONG,
                                         10 * SOL, 150 * USDC, 100),), resting=())
    link = await funded_session(services, book)
    admin = JsonRpc(services.settings.profile.rpc_url)
    try:
        await admin.call("rekt_setOraclePrice", ["SOL-PERP", "148"])
        events = await teardown(services, link)
        holdings = link.venue.holdings()
    finally:
        await admin.close()
        await link.close()
    steps = done_steps(await services.registry.latest_teardown_run(link.session.pubkey))
    assert steps[steps.index("settle_pnl") + 1] == "repay_borrow"
    assert steps.count("withdraw") >= 1 and steps[-1] == "archive"
    assert not holdings.holds_anything and holdings.total_collateral < DUST_COLLATERAL
    assert all(amount >= 0 for amount in holdings.spot_balances.values())
    assert any(e.step is TeardownStep.REPAY_BORROW and e.signature for e in events)


async def test_paused_withdrawals_park_the_run_and_a_later_run_completes(services):
    link = await funded_session(services, Book(usdc=100 * USDC, positions=(), resting=()))
    admin = JsonRpc(services.settings.profile.rpc_url)
    pubkey = link.session.pubkey
    try:
        await admin.call("rekt_pauseMarket", ["spot", 0, ["withdraw"]])
        parked = await teardown(services, link)
        assert parked[-1].state is TeardownStepStatus.PARKED and parked[-1].step is TeardownStep.WITHDRAW
        assert "MarketWithdrawPaused" in parked[-1].message
        assert (await services.registry.get_session(pubkey)).status is SessionStatus.ACTIVE
        assert await teardown_in_progress(services.registry, pubkey)
        failed = await services.registry.list_transactions(pubkey, statuses=[TransactionStatus.FAILED])
        assert [t.error_code for t in failed] == [6149]

        await admin.call("rekt_resumeMarket", ["spot", 0])
        finished = await teardown(services, link)
    finally:
        await admin.close()
        await link.close()
    assert finished[-1].step is TeardownStep.ARCHIVE and finished[-1].state is TeardownStepStatus.DONE
    steps = await services.registry.latest_teardown_run(pubkey)
    assert len({s.run_id for s in steps}) == 1 and steps[0].step == "pause_trading"
    assert [s.step for s in steps if s.status is TeardownStepStatus.PARKED][-1] == "withdraw"
    assert (await services.registry.get_session(pubkey)).status is SessionStatus.ARCHIVED
    assert not await teardown_in_progress(services.registry, pubkey)
