"""A resting order's preview values the account as it will be when the order fills, with the
market at the order's price, on both venues: not credited the paper gain a bid under today's
oracle would show, which let a bid pass a leverage cap it breaks when it fills."""

from dataclasses import replace

import pytest

from rekt_tui.domain.orders import OrderKind
from rekt_tui.domain.records import Direction
from rekt_tui.services.models import OrderForm
from tests.services.test_orders_service import SOL, close_desk, open_desk, until
from tests.services.test_velocity_money_truth import _fresh_base, order_request

pytestmark = pytest.mark.slow
USD = 10**6


def sol_oracle(desk) -> int:
    return next(m for m in desk.link.venue.markets() if m.symbol == "SOL-PERP").oracle_price


@pytest.mark.parametrize("venue", ["drift", "velocity"])
async def test_a_resting_bid_previews_the_account_as_it_is_when_the_bid_fills(tmp_path, venue):
    desk = await open_desk(tmp_path, usdc=300, venue=venue)
    try:
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5"))
        await until(lambda: _fresh_base(desk, SOL // 2), timeout=20, what="the 0.5 SOL long")
        bid = (sol_oracle(desk) // USD - 8) * USD
        request = replace(await order_request(desk, Direction.LONG, 4 * SOL, kind=OrderKind.LIMIT, price=bid),
                          post_only=True)  # fmt: skip
        resting = desk.link.venue.preview(request, auction_end_price=None, book=())

        await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", str(bid // USD)])

        async def at_the_bid() -> bool:
            await desk.fresh()
            return sol_oracle(desk) == bid

        await until(at_the_bid, timeout=10, what="the oracle at the bid")
        there = desk.link.venue.preview(request, auction_end_price=None, book=())
        # Today's oracle would credit the 0.5 SOL held and the 4 bought $8 a SOL they do not have then.
        assert resting.leverage_after == there.leverage_after
        assert resting.liquidation_price_after == there.liquidation_price_after
        assert resting.entry_price == there.entry_price == bid
    finally:
        await close_desk(desk)


@pytest.mark.parametrize("venue", ["drift", "velocity"])
async def test_a_market_order_planned_without_the_book_says_so(tmp_path, venue):
    """With the book server refusing, a market order's preview is all at its worst price, and the
    plan says its entry is not known rather than passing the worst off as the entry."""
    desk = await open_desk(tmp_path, usdc=300, venue=venue)
    try:
        assert not (await desk.orders.plan(OrderForm("SOL-PERP", "buy", "0.5"))).book_unread
        await desk.admin.call("rekt_setFaults", [{"http429": 1.0}])
        try:
            plan = await desk.orders.plan(OrderForm("SOL-PERP", "buy", "0.5"))
        finally:
            await desk.admin.call("rekt_setFaults", [{"http429": 0.0}])
        assert plan.book_unread and plan.preview.entry_price == plan.preview.worst_price == plan.auction[1]
    finally:
        await close_desk(desk)
