"""One-cancels-other's rule: which resting protection a market that went flat leaves behind."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from rekt_tui.domain.brackets import closed_since, orphaned_legs, sibling_left, went_flat
from rekt_tui.domain.records import Direction, MarketType, OrderRecord, OrderStatus, OrderType
from rekt_tui.domain.trading import Order
from tests.tui import live_data

SOL, USDC = 10**9, 10**6
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def order(order_id: int, market_index: int, order_type: OrderType, *, reduce_only: bool, trigger=None) -> Order:
    return Order(order_id, order_id + 100, MarketType.PERP, market_index, order_type, Direction.SHORT, SOL, 0,
                 0 if trigger else 140 * USDC, trigger, reduce_only, False, None, 1)  # fmt: skip


TAKE_PROFIT = order(3, 0, OrderType.TRIGGER_MARKET, reduce_only=True, trigger=160 * USDC)
STOP_LOSS = order(4, 0, OrderType.TRIGGER_MARKET, reduce_only=True, trigger=140 * USDC)
BTC_STOP = order(5, 1, OrderType.TRIGGER_MARKET, reduce_only=True, trigger=90_000 * USDC)


def reading(*orders: Order, sol_held: bool = True):
    held = live_data.account()
    positions = held.positions if sol_held else tuple(p for p in held.positions if p.market_index != 0)
    return replace(held, positions=positions, orders=orders)


def test_a_market_that_went_flat_leaves_its_protection_orphaned():
    before, after = reading(TAKE_PROFIT, STOP_LOSS, BTC_STOP), reading(TAKE_PROFIT, BTC_STOP, sol_held=False)
    assert went_flat(before, after) == {0}
    assert orphaned_legs(after, 0) == (TAKE_PROFIT,)
    assert orphaned_legs(after, 1) == ()  # BTC is still held: its stop protects it
    assert went_flat(None, after) == set() and went_flat(after, after) == set()


def test_an_entry_resting_in_the_flat_market_keeps_its_protection():
    entry = order(6, 0, OrderType.LIMIT, reduce_only=False)
    assert orphaned_legs(reading(TAKE_PROFIT, entry, sol_held=False), 0) == ()
    reduce_only_limit = order(7, 0, OrderType.LIMIT, reduce_only=True)  # no entry: only what rests is cancelled
    assert orphaned_legs(reading(TAKE_PROFIT, reduce_only_limit, sol_held=False), 0) == (TAKE_PROFIT,)


def row(order: Order, status: OrderStatus, signature: str | None) -> OrderRecord:
    return OrderRecord(order.order_id, "pk", order.user_order_id, order.order_id, MarketType.PERP, order.market_index,
                       order.direction, order.order_type, order.base_amount, None, order.trigger_price,
                       order.reduce_only, False, None, status, signature, NOW, NOW)  # fmt: skip


def test_at_start_only_a_leg_whose_sibling_left_the_chain_uncancelled_is_orphaned():
    flat = reading(TAKE_PROFIT, sol_held=False)
    legs = orphaned_legs(flat, 0)
    fired = [row(TAKE_PROFIT, OrderStatus.OPEN, "sig"), row(STOP_LOSS, OrderStatus.OPEN, "sig")]  # gone: fired
    assert sibling_left(fired, legs, flat)
    assert sibling_left([fired[0], row(STOP_LOSS, OrderStatus.FILLED, "sig")], legs, flat)
    assert not sibling_left([fired[0], row(STOP_LOSS, OrderStatus.CANCELLED, "cancel sig")], legs, flat)
    assert not sibling_left([row(TAKE_PROFIT, OrderStatus.OPEN, "sig")], legs, flat)  # placed on its own
    assert not sibling_left([fired[0], row(STOP_LOSS, OrderStatus.OPEN, "other")], legs, flat)  # another transaction


def test_at_start_legs_a_close_of_ours_left_behind_are_orphaned_and_a_stop_placed_after_it_is_not():
    flat = reading(TAKE_PROFIT, STOP_LOSS, sol_held=False)
    legs = orphaned_legs(flat, 0)
    placed = [row(TAKE_PROFIT, OrderStatus.OPEN, "sig"), row(STOP_LOSS, OrderStatus.OPEN, "sig")]
    close = order(8, 0, OrderType.MARKET, reduce_only=True)
    later = lambda record, minutes: replace(record, created_at=NOW + timedelta(minutes=minutes))  # noqa: E731
    assert closed_since([*placed, later(row(close, OrderStatus.OPEN, "close"), 1)], legs, flat)  # gone: filled
    assert closed_since([*placed, later(row(close, OrderStatus.FILLED, "close"), 1)], legs, flat)
    assert not closed_since([*placed, later(row(close, OrderStatus.CANCELLED, "close"), 1)], legs, flat)
    assert not closed_since([*placed, later(row(close, OrderStatus.FILLED, "close"), -1)], legs, flat)  # before them
    assert not closed_since([*placed, later(row(BTC_STOP, OrderStatus.FILLED, "btc"), 1)], legs, flat)
    still_resting = reading(TAKE_PROFIT, STOP_LOSS, close, sol_held=False)
    assert not closed_since([*placed, later(row(close, OrderStatus.OPEN, "close"), 1)], legs, still_resting)
