"""A resting limit order's previewed fee against the fee its fill then pays, on both venues."""

import pytest

from rekt_tui.domain.history import RecordKind
from rekt_tui.domain.orders import OrderKind
from rekt_tui.domain.records import Direction
from rekt_tui.services.history import backfill
from rekt_tui.services.models import OrderForm
from tests.services.test_orders_service import SOL, close_desk, open_desk, until
from tests.services.test_velocity_money_truth import order_request

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("venue", "role"), [("drift", "taker"), ("velocity", "maker")])
async def test_a_resting_limit_previews_the_fee_its_fill_then_pays(tmp_path, venue, role):
    """A limit bid below the book rests there until the oracle falls through it. On the
    relaunch it is then the maker, so the preview shows the rebate. On Drift the older of two
    resting orders is the maker only when neither is post-only, and the makers quote post-only:
    the bid is the taker, and the preview must not promise a rebate it never earns."""
    desk = await open_desk(tmp_path, usdc=300, venue=venue)
    try:
        venue = desk.link.venue
        request = await order_request(desk, Direction.LONG, 3 * SOL // 10, kind=OrderKind.LIMIT, price=145 * 10**6)
        previewed = venue.preview(request, auction_end_price=None,
                                  book=await venue.book_side(request.market, Direction.LONG))  # fmt: skip
        assert (previewed.fee < 0) == (role == "maker")
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.3", kind="limit", price="145"))
        await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "140"])  # the makers take the crossed bid
        fills: list = []

        async def recorded() -> bool:
            await backfill(desk.services.registry, venue, desk.pubkey)
            fills[:] = [r for r in await desk.services.registry.list_records(desk.pubkey) if r.kind is RecordKind.FILL]
            return bool(fills)

        await until(recorded, timeout=30, what="the resting bid's fill")
        [fill] = fills
        assert fill.role == role
        if role == "maker":  # at its own price
            assert fill.fee == previewed.fee
        else:  # a taker can fill better than its limit, never worse: the preview is the most it pays
            assert 0 < fill.fee <= previewed.fee
    finally:
        await close_desk(desk)
