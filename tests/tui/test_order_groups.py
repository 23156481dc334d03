"""The open-orders panel's rows: a market's take-profit and stop-loss follow its other orders."""

from datetime import UTC, datetime

from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import AccountSnapshot, Order, Position
from rekt_tui.tui.widgets.orders import grouped_rows

USDC = 10**6
SOL = 10**9


def order(order_id, order_type=OrderType.LIMIT, direction=Direction.LONG, *, trigger=None, reduce_only=False,
          market_index=0) -> Order:  # fmt: skip
    return Order(order_id, order_id, MarketType.PERP, market_index, order_type, direction, SOL, 0,
                 0 if trigger else 140 * USDC, trigger, reduce_only, False, None, 1)  # fmt: skip


def test_bracket_legs_follow_their_market_marked_tp_and_sl():
    position = Position(0, "SOL-PERP", SOL, -150 * USDC, 150 * USDC, 150 * USDC, 0, 100 * USDC)
    orders = (
        order(3, OrderType.TRIGGER_MARKET, Direction.SHORT, trigger=160 * USDC, reduce_only=True),
        order(4, OrderType.TRIGGER_MARKET, Direction.SHORT, trigger=140 * USDC, reduce_only=True),
        order(5, market_index=1),
        order(6),
        order(7, OrderType.TRIGGER_MARKET, Direction.SHORT, trigger=140 * USDC),  # a plain stop: not a leg
    )
    account = AccountSnapshot(1, datetime.now(UTC), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (position,), orders)
    rows = grouped_rows(account, {0: "SOL-PERP", 1: "BTC-PERP"})
    assert list(rows) == ["6", "7", "3", "4", "5"]
    assert [rows[key][1] for key in ("6", "7", "3", "4")] == ["limit", "trig mkt", "↳ TP", "↳ SL"]
