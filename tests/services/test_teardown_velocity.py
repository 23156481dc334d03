"""Stop-and-withdraw on the relaunch's localnet where the relaunch differs from Drift: the
withdrawal circuit breaker (6128) parks the run as a paused withdrawal does and a later run
finishes it; a borrow the relaunch cannot trade away (it has no spot orders) parks the
repayment on one sentence, with nothing signed."""

import asyncio
import base64

import pytest

from rekt_tui.domain.money import format_usd
from rekt_tui.domain.records import TeardownStepStatus, TransactionStatus
from rekt_tui.domain.session import SessionStatus
from rekt_tui.domain.teardown import TeardownStep
from rekt_tui.services.models import OrderForm
from rekt_tui.services.reconcile import reconcile
from rekt_tui.services.teardown import TeardownService, teardown_in_progress
from tests.services.teardown_breaker import PROGRAM, switch_breaker
from tests.services.test_orders_service import SOL, USDC, close_desk, open_desk, until

pytestmark = pytest.mark.slow
BREAKER_SENTENCE = (
    "Withdrawals from spot market 0 are held by the exchange's withdrawal circuit breaker (DailyWithdrawLimit); "
    "the funds are safe in the account and the teardown resumes when the breaker lets them through."
)


async def teardown(desk) -> list:
    return [event async for event in TeardownService().run(desk.link)]


async def test_a_stop_held_by_the_withdraw_breaker_parks_and_a_later_run_archives(tmp_path):
    desk = await open_desk(tmp_path, usdc=100, venue="velocity")
    registry, pubkey = desk.services.registry, desk.pubkey
    try:
        await switch_breaker(desk.admin, on=True)
        parked = await teardown(desk)
        last = parked[-1]
        assert (last.step, last.state) == (TeardownStep.WITHDRAW, TeardownStepStatus.PARKED)
        assert last.message == BREAKER_SENTENCE
        # Nothing lost: the session stays active and paused, its money still in the account.
        assert (await registry.get_session(pubkey)).status is SessionStatus.ACTIVE
        assert await teardown_in_progress(registry, pubkey)
        assert desk.link.venue.holdings().spot_balances[0] == 100 * USDC
        assert await desk.link.venue.wallet_usdc() == 0
        failed = await registry.list_transactions(pubkey, statuses=[TransactionStatus.FAILED])
        assert [(t.kind, t.error_code) for t in failed] == [("withdraw", 6128)]
        [item] = await reconcile(desk.services)
        assert item.needs_recovery and item.collateral == 100 * USDC

        await switch_breaker(desk.admin, on=False)
        finished = await teardown(desk)
        assert (finished[-1].step, finished[-1].state) == (TeardownStep.ARCHIVE, TeardownStepStatus.DONE)
        assert await desk.link.venue.wallet_usdc() == 100 * USDC
        steps = await registry.latest_teardown_run(pubkey)
        assert len({s.run_id for s in steps}) == 1 and steps[0].step == "pause_trading"
        assert [s.message for s in steps if s.status is TeardownStepStatus.PARKED][-1] == BREAKER_SENTENCE
        assert all(s.status is not TeardownStepStatus.RUNNING for s in steps)
        assert (await registry.get_session(pubkey)).status is SessionStatus.ARCHIVED
        assert not await teardown_in_progress(registry, pubkey)
        landed = await registry.list_transactions(pubkey, statuses=[TransactionStatus.CONFIRMED])
        assert [t.kind for t in landed].count("withdraw") == 1  # one landed withdrawal for the one intent
    finally:
        await close_desk(desk)


async def test_a_borrow_the_relaunch_cannot_trade_away_parks_with_nothing_signed(tmp_path):
    desk = await open_desk(tmp_path, usdc=20, venue="velocity")
    registry, pubkey = desk.services.registry, desk.pubkey
    try:
        await desk.setup.deposit("0.5", "SOL")
        await until(lambda: _holds_sol(desk, SOL // 2), what="the SOL deposit")
        # The localnet never opens a borrow (its settle_pnl refuses a loss beyond the deposit), so
        # the account is written as the relaunch's settle_pnl leaves one: the quote balance owed.
        await _owe_quote(desk, 15 * USDC)
        await desk.link.venue.refresh_account()
        assert desk.link.venue.holdings().spot_balances[0] == -15 * USDC
        before = await registry.list_transactions(pubkey)
        parked = await teardown(desk)
        assert (parked[-1].step, parked[-1].state) == (TeardownStep.REPAY_BORROW, TeardownStepStatus.PARKED)
        assert parked[-1].message == (
            "A $15.00 borrow remains: the relaunched program has no spot orders, so SOL cannot be traded for USDT "
            "to repay it; deposit the borrowed asset into the account to repay it, then stop again."
        )
        assert len(await registry.list_transactions(pubkey)) == len(before)  # nothing signed
        assert await registry.list_open_orders(pubkey) == []  # no order row written for a trade never built
        assert (await registry.get_session(pubkey)).status is SessionStatus.ACTIVE
        assert await teardown_in_progress(registry, pubkey)
        assert desk.link.venue.holdings().spot_balances[1] == SOL // 2
    finally:
        await close_desk(desk)


async def _owe_quote(desk, amount: int) -> None:
    address = desk.link.venue.account_address
    info = await desk.admin.call("getAccountInfo", [address, {"encoding": "base64"}])
    user = PROGRAM.accounts.decode("User", base64.b64decode(info["value"]["data"][0]))
    quote = next(p for p in user["spot_positions"] if p["market_index"] == 0 and p["scaled_balance"])
    quote.update(balance_type="Borrow", scaled_balance=amount * 1_000)  # 1e9 scaled per 1e6 token
    data = base64.b64encode(PROGRAM.accounts.encode("User", user)).decode()
    written = {"owner": info["value"]["owner"], "data": data, "lamports": info["value"]["lamports"]}
    await desk.admin.call("rekt_setAccount", [address, written])


async def _holds_sol(desk, lamports: int) -> bool:
    await desk.fresh()
    return desk.account().sol_amount == lamports


async def test_profit_the_pnl_pool_cannot_pay_is_told_and_the_rest_withdrawn_without_archiving(tmp_path):
    """The relaunch pays a settled profit from the market's PnL pool, which holds only what
    losers settled: with it empty, a settle lands and moves nothing. The stop withdraws the
    rest, parks saying what waits, and never shows the empty settle as done."""
    desk = await open_desk(tmp_path, usdc=400, venue="velocity")
    registry, pubkey = desk.services.registry, desk.pubkey
    try:
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "1"))
        await until(lambda: _based(desk, SOL), what="the buy's fill")
        await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "160"])
        await asyncio.sleep(1)  # the makers quote around the new oracle
        await desk.orders.close("SOL-PERP")
        await until(lambda: _based(desk, 0), what="the close's fill")
        profit = desk.link.venue.holdings().unsettled_pnl[0]
        assert profit > 5 * USDC

        events = await teardown(desk)
        last = events[-1]
        assert (last.step, last.state) == (TeardownStep.SETTLE_PNL, TeardownStepStatus.PARKED)
        assert last.message.startswith(f"{format_usd(profit)} of PnL in SOL-PERP is not settled")
        assert not [e for e in events if e.step is TeardownStep.SETTLE_PNL and e.state is TeardownStepStatus.DONE]
        assert await desk.link.venue.wallet_usdc() >= 399 * USDC  # the deposit less fees: withdrawn
        assert (await registry.get_session(pubkey)).status is SessionStatus.ACTIVE
        settles = [s for s in await registry.latest_teardown_run(pubkey) if s.step == "settle_pnl"]
        assert [s.status for s in settles] == [TeardownStepStatus.PARKED, TeardownStepStatus.PARKED]
        [item] = await reconcile(desk.services)  # the next launch's banner says why, not "interrupted"
        assert item.parked == last.message
    finally:
        await close_desk(desk)


async def _based(desk, base: int) -> bool:
    await desk.fresh()
    return desk.base() == base
