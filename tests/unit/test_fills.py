"""Fills read from two account snapshots: size, side, average price and fee as Drift books them."""

from dataclasses import replace

from rekt_tui.domain.fills import Fill, fills_between
from rekt_tui.domain.records import Direction, OrderType
from tests.unit.test_guards import ACCOUNT, open_order


def position(base, entry_quote, quote):
    from rekt_tui.domain.trading import Position

    return Position(0, "SOL-PERP", base, entry_quote, 150_000_000, 150_000_000, 0, None, quote_amount=quote)


def test_an_opening_fill_has_its_average_price_and_fee():
    before = replace(ACCOUNT, slot=1, orders=(open_order(order_type=OrderType.MARKET),))
    after = replace(ACCOUNT, slot=2, positions=(position(2 * 10**9, -300_200_000, -300_500_000),))
    assert fills_between(before, after) == [Fill(0, "SOL-PERP", Direction.LONG, 2 * 10**9, 150_100_000, 300_000, 7)]


def test_a_partial_close_is_a_sell_net_of_its_fee_and_a_full_close_has_no_price_here():
    held = replace(ACCOUNT, slot=1, positions=(position(2 * 10**9, -300_000_000, -300_300_000),))
    half = replace(ACCOUNT, slot=2, positions=(position(10**9, -150_000_000, -150_000_000),))
    [fill] = fills_between(held, half)
    assert (fill.direction, fill.size, fill.price, fill.fee, fill.order_id) == (Direction.SHORT, 10**9, 150_300_000,
                                                                                None, None)  # fmt: skip
    [closed] = fills_between(half, replace(ACCOUNT, slot=3))
    assert (closed.direction, closed.size, closed.price) == (Direction.SHORT, 10**9, None)


def test_no_change_of_base_is_no_fill():
    held = replace(ACCOUNT, positions=(position(10**9, -150_000_000, -150_000_000),))
    assert fills_between(held, replace(held, slot=9)) == []


def test_an_opening_fill_in_a_market_with_unsettled_pnl_has_its_own_fee():
    """The chain's quote of a flat market still holds what earlier fills realized (+$9.21 here,
    not settled); the snapshot shows no position there, so only the break-even quote tells the fee."""
    from rekt_tui.domain.trading import Position

    opened = Position(0, "SOL-PERP", 2 * 10**9, -300_200_000, 150_100_000, 150_000_000, 0, None,
                      quote_amount=-300_500_000 + 9_210_000, quote_break_even_amount=-300_500_000)  # fmt: skip
    after = replace(ACCOUNT, slot=2, positions=(opened,))
    [fill] = fills_between(replace(ACCOUNT, slot=1), after)
    assert (fill.price, fill.fee) == (150_100_000, 300_000)


def test_a_resting_order_that_did_not_fill_is_not_named_by_a_fill_on_its_side():
    """A market sell filled at once while a take-profit sell rests: the fill is no order of the
    snapshot's (the market order came and went between them), so it names none."""
    take_profit = replace(open_order(order_type=OrderType.TRIGGER_MARKET), direction=Direction.SHORT)
    before = replace(ACCOUNT, slot=1, positions=(position(10**9, -150_000_000, -150_000_000),), orders=(take_profit,))
    after = replace(ACCOUNT, slot=2, positions=(position(-10**9, 150_000_000, 149_700_000),), orders=(take_profit,))
    [fill] = fills_between(before, after)
    assert (fill.direction, fill.size, fill.order_id) == (Direction.SHORT, 2 * 10**9, None)
    gone = replace(after, orders=())  # had the take-profit gone, it would be the order that filled
    assert fills_between(before, gone)[0].order_id == take_profit.order_id
