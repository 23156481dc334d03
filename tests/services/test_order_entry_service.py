"""What order entry asks of the order service, on a live localnet (makers and keeper running):
sizes that pass every guard, post-only orders that would cross, triggers previewed at their
trigger, protective orders beside each other, and a close previewed beside them."""

import pytest

from rekt_tui.domain.brackets import Cover
from rekt_tui.domain.guards import RefusalCode
from rekt_tui.domain.records import Direction
from rekt_tui.services.models import OrderForm
from tests.services.test_orders_service import SOL, USDC, close_desk, open_desk, until

pytestmark = pytest.mark.slow


@pytest.fixture
async def desk(tmp_path):
    desk = await open_desk(tmp_path)
    yield desk
    await close_desk(desk)


async def test_the_largest_size_and_the_suggested_one_pass_both_guards(desk):
    largest = await desk.orders.largest_size(OrderForm("ETH-PERP", "buy", ""))
    spec = desk.orders.markets()["ETH-PERP"]
    assert largest > spec.min_order_size and largest % spec.step_size == 0
    fits = await desk.orders.plan(OrderForm("ETH-PERP", "buy", f"{largest / 10**9}"))
    assert fits.refusals == ()
    one_more = await desk.orders.plan(OrderForm("ETH-PERP", "buy", f"{(largest + spec.step_size) / 10**9}"))
    assert [r.code for r in one_more.refusals] == [RefusalCode.LEVERAGE]  # balanced caps at 5x before margin
    refused = await desk.orders.plan(OrderForm("ETH-PERP", "buy", "10"))
    shown = f"{largest / 10**9:g} ETH"
    assert all(f"reduce the size to at most {shown}" in r.sentence for r in refused.refusals), refused.refusals


async def test_a_post_only_that_would_cross_is_refused_before_signing(desk):
    prices = await desk.orders.reference_prices("ETH-PERP")
    assert prices.bid is not None and prices.ask is not None and prices.bid < prices.ask
    crossing = OrderForm("ETH-PERP", "buy", "0.1", kind="limit", price=f"{prices.ask / USDC}", post_only=True)
    signed = await desk.transactions()
    plan = await desk.orders.plan(crossing)
    assert [r.code for r in plan.refusals] == [RefusalCode.POST_ONLY_CROSSES]
    assert await desk.transactions() == signed
    resting = await desk.orders.plan(OrderForm("ETH-PERP", "buy", "0.1", kind="limit", price=f"{prices.bid / USDC}",
                                               post_only=True))  # fmt: skip
    assert resting.refusals == () and resting.preview.fee <= 0


async def test_a_stop_is_previewed_at_its_trigger_and_a_usd_size_at_its_price(desk):
    plan = await desk.orders.plan(OrderForm("ETH-PERP", "buy", "$700", kind="stop-market", trigger="3600"))
    assert plan.preview.entry_price == 3600 * USDC
    assert plan.request.base_amount == 194_000_000  # $700 / $3,600, down to the 0.001 step


async def test_protective_orders_rest_side_by_side_and_a_close_beside_them_goes_flat(desk):
    await desk.orders.place(OrderForm("SOL-PERP", "buy", "1"))

    async def long():
        await desk.fresh()
        return desk.base() == SOL

    await until(long, what="market fill")
    # A reduce-only order's largest size is the position it shrinks; more would never fill.
    assert await desk.orders.largest_size(OrderForm("SOL-PERP", "sell", "", reduce_only=True)) == SOL
    assert await desk.orders.largest_size(OrderForm("SOL-PERP", "buy", "", reduce_only=True)) == 0
    oversized = await desk.orders.plan(OrderForm("SOL-PERP", "sell", "1.5", reduce_only=True))
    assert [r.code for r in oversized.refusals] == [RefusalCode.REDUCE_ONLY_EXCEEDS]
    await desk.orders.place(OrderForm("SOL-PERP", "sell", "1", kind="take-profit", trigger="170", reduce_only=True))
    stop = OrderForm("SOL-PERP", "sell", "1", kind="stop-market", trigger="130", reduce_only=True)
    assert (await desk.orders.plan(stop)).refusals == ()
    await desk.orders.place(stop)
    await desk.fresh()
    assert len(desk.account().orders) == 2
    close = await desk.orders.preview_close("SOL-PERP")
    assert close.request.direction is Direction.SHORT and close.preview.leverage_after == 0

    # Beside a resting limit sell, an exit of the long is no stacking; a sell that would flip it is.
    await desk.orders.place(OrderForm("SOL-PERP", "sell", "2", kind="limit", price="175"))
    assert (await desk.orders.plan(OrderForm("SOL-PERP", "sell", "1"))).refusals == ()
    flip = await desk.orders.plan(OrderForm("SOL-PERP", "sell", "1.5"))
    assert [r.code for r in flip.refusals] == [RefusalCode.STACKING]
    # A buy's bracket beside the long is placed at once: it protects the long, at its break-even.
    buy = await desk.orders.plan(OrderForm("SOL-PERP", "buy", "1", kind="limit", price="140", take_profit="165"))
    [position] = desk.account().positions
    break_even = position.break_even_price or position.entry_price
    assert not buy.bracket_at_fill and buy.bracket_cover == Cover(SOL, break_even, SOL)
