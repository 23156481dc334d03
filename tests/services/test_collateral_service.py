"""Partial withdrawals on a live localnet: previewed on a copy of the account, guarded by
free collateral, the strategy's leverage cap and the loss limit, signed only without a
refusal, and booked like every other intent. Adding collateral is the checklist's deposit.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from rekt_tui.domain.errors import RektError, UsageError
from rekt_tui.domain.guards import OrderRefused, RefusalCode
from rekt_tui.domain.loss_limit import LossLimitRule, LossUnit
from rekt_tui.domain.records import TransactionStatus
from rekt_tui.domain.trading import LEVERAGE_PRECISION
from rekt_tui.services.collateral import CollateralService
from rekt_tui.services.models import OrderForm
from tests.services.test_orders_service import close_desk, open_desk, until

USDC = 10**6
SOL = 10**9


@pytest.fixture
async def desk(tmp_path):
    desk = await open_desk(tmp_path, usdc=500)
    yield desk
    await close_desk(desk)


async def withdrawals(desk) -> list:
    return [tx for tx in await desk.services.registry.list_transactions(desk.pubkey, limit=100) if tx.kind == "withdraw"]


async def test_a_flat_account_withdraws_part_then_all_and_refusals_sign_nothing(desk):
    service = CollateralService(desk.link)
    wallet_before = await desk.link.venue.wallet_usdc()

    plan = await service.plan_withdraw("120.5", "usdc")
    assert plan.refusals == () and plan.request.amount == 120_500_000
    assert plan.preview.held == 500 * USDC and plan.largest == 500 * USDC
    assert plan.preview.free_collateral_after == 379_500_000 and plan.preview.leverage_after == 0
    landed = await service.withdraw(plan)
    await desk.fresh()
    assert desk.account().total_collateral == 379_500_000
    assert await desk.link.venue.wallet_usdc() == wallet_before + 120_500_000
    [row] = await withdrawals(desk)
    assert (row.signature, row.status) == (landed.signature, TransactionStatus.CONFIRMED)

    signed = await desk.transactions()
    for amount, asset, sentence in [
        ("400", "USDC", r"Drift holds 379\.5 USDC for this session; a withdrawal never borrows"),
        ("-1", "USDC", "greater than zero"), ("NaN", "USDC", "not a finite number"),
        ("0.0000001", "USDC", "more than 6 decimal places"), ("1", "BTC", "Unknown asset 'BTC'"),
        ("1", "SOL", "Drift holds no SOL for this session"),
    ]:  # fmt: skip
        with pytest.raises(RektError, match=sentence):
            plan = await service.plan_withdraw(amount, asset)
            await service.withdraw(plan)
    assert await desk.transactions() == signed

    everything = await service.plan_withdraw("all", "USDC")
    assert everything.request.amount == 379_500_000 and everything.refusals == ()
    assert everything.preview.leverage_after is None  # nothing left to measure leverage against
    await service.withdraw(everything)
    await desk.fresh()
    assert desk.account().total_collateral == 0
    with pytest.raises(UsageError, match="Drift holds no USDC"):
        await service.plan_withdraw("1", "USDC")


async def test_with_a_position_the_leverage_cap_bounds_the_withdrawal(desk):
    await desk.orders.place(OrderForm("SOL-PERP", "buy", "10"))

    async def filled() -> bool:
        await desk.fresh()
        return desk.base() == 10 * SOL

    await until(filled, what="market fill")
    service = CollateralService(desk.link)
    cap = 5 * LEVERAGE_PRECISION  # the balanced strategy
    plan = await service.plan_withdraw("400", "USDC")
    [refusal] = plan.refusals
    assert refusal.code is RefusalCode.LEVERAGE
    assert "above the balanced strategy's 5x cap; withdraw at most" in refusal.sentence
    assert 0 < plan.largest < 400 * USDC

    largest = await service.plan_withdraw(str(Decimal(plan.largest) / USDC), "USDC")
    assert largest.refusals == () and largest.preview.leverage_after <= cap
    one_more = await service.plan_withdraw(str(Decimal(plan.largest + 1) / USDC), "USDC")
    assert [r.code for r in one_more.refusals] == [RefusalCode.LEVERAGE]

    signed = await desk.transactions()
    with pytest.raises(OrderRefused, match="5x cap"):
        await service.withdraw(plan)
    assert await desk.transactions() == signed

    wallet_before = await desk.link.venue.wallet_usdc()
    await service.withdraw(largest)
    await desk.fresh()
    assert desk.account().leverage <= cap
    assert await desk.link.venue.wallet_usdc() == wallet_before + plan.largest
    assert len(await withdrawals(desk)) == 1


async def test_an_exit_only_session_withdraws_only_once_flat(desk):
    await desk.orders.place(OrderForm("SOL-PERP", "buy", "1"))

    async def filled(size: int) -> bool:
        await desk.fresh()
        return desk.base() == size

    await until(lambda: filled(SOL), what="market fill")
    registry, now = desk.services.registry, datetime.now(UTC)
    rule = LossLimitRule(session_max=Decimal(10), day_max=None, unit=LossUnit.USD)
    await registry.observe_equity(desk.pubkey, 500 * USDC, rule, now)
    ledger, newly = await registry.observe_equity(desk.pubkey, 480 * USDC, rule, now)
    assert newly and ledger.breach is not None

    service = CollateralService(desk.link)
    plan = await service.plan_withdraw("10", "USDC")
    assert [r.code for r in plan.refusals] == [RefusalCode.LOSS_LIMIT]
    assert "exit-only: close the positions before withdrawing, or lift the limit (L lifts it in the cockpit" in plan.refusals[0].sentence

    await desk.orders.close("SOL-PERP")
    await until(lambda: filled(0), what="close fill")
    assert (await service.plan_withdraw("10", "USDC")).refusals == ()
