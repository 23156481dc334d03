"""The pre-trade preview against the chain: after the order fills, driftpy's DriftUser on
the real account shows the figures the preview promised (same oracle, same book)."""

import time

import pytest
from driftpy.math.margin import MarginCategory

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.orders import OrderKind, OrderRequest, auction_for
from rekt_tui.domain.records import Direction, OrderType
from rekt_tui.drift import actions, order_actions
from rekt_tui.drift.preview import expected_fills, preview_order, preview_perp_order
from tests.drift.test_actions import ORACLE, SOL, SOL_PERP, TICK, USDC, until
from tests.drift.test_actions import trader  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow



def test_fills_walk_the_book_and_the_rest_fills_at_the_worst_price():
    asks = [(150_075_000, SOL), (150_150_000, 2 * SOL), (151_000_000, 5 * SOL)]
    assert expected_fills(4 * SOL, Direction.LONG, 150_500_000, asks) == (
        [(150_075_000, SOL), (150_150_000, 2 * SOL)], [(150_500_000, SOL)],
    )  # fmt: skip
    bids = [(149_925_000, SOL)]
    assert expected_fills(SOL // 2, Direction.SHORT, 149_000_000, bids) == ([(149_925_000, SOL // 2)], [])
    assert expected_fills(SOL, Direction.SHORT, 149_950_000, bids) == ([], [(149_950_000, SOL)])


@pytest.mark.parametrize(("direction", "side"), [(Direction.LONG, "asks"), (Direction.SHORT, "bids")])
async def test_market_order_preview_matches_the_account_after_the_fill(trader, direction, side):
    client = trader.client
    await trader.open_account()
    await trader.land("deposit", lambda: actions.deposit_usdc(client, 100 * USDC))
    await trader.makers_quoting()
    book = await trader.book(side)
    request = OrderRequest(
        SOL_PERP, direction, OrderKind.MARKET, 3 * SOL, price=None, trigger_price=None, trigger_condition=None,
        reduce_only=False, post_only=False, max_ts=int(time.time()) + 60, user_order_id=1,
    )  # fmt: skip
    auction = auction_for(direction, ORACLE, 50, 1, slot_ms=50, tick_size=TICK)
    preview = preview_order(client, request, auction_end_price=auction[1], book=book)
    assert (preview.worst_price, preview.entry_price) == (auction[1], book[0][0])

    await trader.land("place_order", order_actions.place_order(client, request, auction=auction))
    await until(lambda: abs(trader.base()) == 3 * SOL, what="fill")
    await client.get_user_stats().fetch_accounts()
    user = trader.user
    position = user.get_perp_position(0)
    entry = abs(position.quote_entry_amount) * SOL // abs(position.base_asset_amount)
    assert abs(entry - preview.entry_price) <= TICK
    # The session was referred: the fee paid is 10 bps less the 5 % referee discount.
    assert client.get_user_stats().get_account().fees.total_fee_paid == preview.fee
    fee = -(-3 * book[0][0] // 1_000)
    assert preview.fee == fee - fee * 5 // 100
    assert user.get_margin_requirement(MarginCategory.INITIAL, strict=True) == preview.margin_required
    assert user.get_free_collateral() == preview.free_collateral_after
    assert user.get_leverage() == preview.leverage_after
    assert user.get_perp_liq_price(0) == preview.liquidation_price_after
    assert (preview.liquidation_price_after < ORACLE) == (direction is Direction.LONG)
    assert all(type(figure) is int for figure in vars(preview).values())


async def test_post_only_limit_earns_the_rebate_and_an_order_without_a_price_is_refused(trader):
    client = trader.client
    await trader.open_account()
    await trader.land("deposit", lambda: actions.deposit_usdc(client, 1_000 * USDC))
    limit = dict(market_index=0, direction=Direction.LONG, base_amount=2 * SOL)
    preview = preview_perp_order(client, **limit, order_type=OrderType.LIMIT, price=140 * USDC, post_only=True)
    assert (preview.entry_price, preview.worst_price) == (140 * USDC, 140 * USDC)
    assert preview.fee == -(280 * USDC * 20 // 100_000)  # the 2 bps maker rebate
    # The bid fills when SOL trades at 140, $10 under today's oracle: the account is valued
    # there, not credited $20 it will not have then.
    assert ORACLE == 150 * USDC
    assert preview.margin_required == 280 * USDC * 500 // 10_000  # 5 % initial margin at 140
    assert preview.free_collateral_after == 1_000 * USDC - preview.margin_required  # the rebate is PnL, not counted
    assert preview.leverage_after == 280 * USDC * 10_000 // (1_000 * USDC - preview.fee)  # liability over net value
    with pytest.raises(RektError, match="no limit, auction end or trigger price"):
        preview_perp_order(client, **limit, order_type=OrderType.MARKET)
