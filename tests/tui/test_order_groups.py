"""The open-orders panel: a market's take-profit and stop-loss follow its other orders; `e` on no
order says what to select."""

from dataclasses import replace
from datetime import UTC, datetime

from textual.notifications import Notify

from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import AccountSnapshot, Order, Position
from rekt_tui.tui.screens.dashboard import DashboardScreen
from rekt_tui.tui.widgets.orders import grouped_rows
from rekt_tui.tui.widgets.row_lines import RowLines
from tests.tui import live_data
from tests.tui.conftest import make_app
from tests.tui.test_live_snapshot import fed

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
    assert [rows[key][:3] for key in ("6", "7", "3", "4")] == [
        ("6", "SOL-PERP", "limit"), ("7", "SOL-PERP", "trig mkt"), ("3", "SOL-PERP", "↳ TP"), ("4", "SOL-PERP", "↳ SL"),
    ]  # each row opens with its order number, which `:modify` and `:cancel` name


async def test_e_without_a_selected_order_says_so_and_opens_nothing(services, message_log):
    app = make_app(services)
    async with app.run_test(size=(120, 36), message_hook=message_log) as pilot:
        await pilot.press("5", "e")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        told = {n.notification.message for n in message_log.of_type(Notify)}
        assert told == {"Select an open order to modify (5 goes to the open orders)."}


def test_a_resting_entrys_waiting_legs_sit_right_under_it_and_are_no_order():
    from rekt_tui.domain.brackets import waiting_legs

    orders = (order(6), order(8, market_index=1))
    account = AccountSnapshot(1, datetime.now(UTC), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (), orders)
    waiting = waiting_legs(6, 0, Direction.LONG, take_profit=2100 * USDC, stop_loss=1900 * USDC)
    rows = grouped_rows(account, {0: "SOL-PERP", 1: "BTC-PERP"}, waiting)
    assert list(rows) == ["6", "6:take-profit", "6:stop-loss", "8"]
    assert rows["6:take-profit"] == ("", "SOL-PERP", "↳ TP", "sell", "at fill", "mkt / $2,100.00", "yes", "never")
    assert rows["6:stop-loss"][2:4] == ("↳ SL", "sell")
    # A leg names its entry by user order id and market: another market's order with that id is not its entry.
    assert list(grouped_rows(account, {}, waiting_legs(8, 0, Direction.SHORT, take_profit=1, stop_loss=None))) == ["6", "8"]


def test_legs_keep_their_names_after_their_position_is_gone():
    """Between a close's fill and the watcher's cancel, the legs rest on a flat market: the names
    seen while it was held still tell them apart."""
    legs = (
        order(3, OrderType.TRIGGER_MARKET, Direction.SHORT, trigger=160 * USDC, reduce_only=True),
        order(4, OrderType.TRIGGER_MARKET, Direction.SHORT, trigger=140 * USDC, reduce_only=True),
    )
    flat = AccountSnapshot(1, datetime.now(UTC), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (), legs)
    assert [row[2] for row in grouped_rows(flat, {0: "SOL-PERP"}).values()] == ["trig mkt", "trig mkt"]
    assert [row[2] for row in grouped_rows(flat, {0: "SOL-PERP"}, known_legs={3: "TP", 4: "SL"}).values()] == [
        "↳ TP", "↳ SL",
    ]  # fmt: skip


async def test_the_orders_panel_remembers_leg_names_once_the_market_is_flat(services):
    app = make_app(services)
    async with app.run_test(size=(120, 36)) as pilot:
        await fed(pilot)
        legs = (
            order(3, OrderType.TRIGGER_MARKET, Direction.SHORT, trigger=160 * USDC, reduce_only=True),
            order(4, OrderType.TRIGGER_MARKET, Direction.SHORT, trigger=140 * USDC, reduce_only=True),
        )
        held = replace(live_data.account(slot=123_460), orders=legs)
        app.dashboard.feeds.relay_account(held)
        await pilot.pause(0.3)
        table = app.screen.query_one("#orders-table", RowLines)
        assert [table.get_row_at(i)[2] for i in range(table.row_count)] == ["↳ TP", "↳ SL"]
        flat = replace(held, slot=123_461, positions=tuple(p for p in held.positions if p.market_index != 0))
        app.dashboard.feeds.relay_account(flat)  # the close filled; the watcher has not cancelled them yet
        await pilot.pause(0.3)
        assert app.dashboard.account.slot == 123_461
        assert [table.get_row_at(i)[2] for i in range(table.row_count)] == ["↳ TP", "↳ SL"]
