"""The positions and open-orders tables, updated cell by cell, always show what a fresh table would.

Rows are kept across notifications and only lines whose text changed are repainted
(`widgets.row_lines`), so a row left behind, a stale cell or rows in the wrong order would
show old money. Each step
of a position's life (open, partial close, flip, another market, close, all closed) and of
the open orders (placed, partly filled, cancelled, replaced) is posted as the live worker
posts it, and the whole table is compared with the rows built from scratch.
"""

from dataclasses import replace

from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import Order, Position
from rekt_tui.tui.messages import AccountUpdated, SessionLinked
from rekt_tui.tui.tables import POSITION_COLUMNS, position_cells
from rekt_tui.tui.widgets.orders import grouped_rows
from rekt_tui.tui.widgets.row_lines import RowLines
from tests.tui import live_data
from tests.tui.conftest import make_app

SOL, USDC = live_data.SOL, live_data.USDC
WIDE = (250, 60)  # every column shown


def sol(base: int, oracle: int = 152 * USDC) -> Position:
    entry = 150 * USDC
    return Position(0, "SOL-PERP", base, -base * entry // SOL, entry, oracle, base * (oracle - entry) // SOL,
                    90 * USDC if base > 0 else 210 * USDC, entry)  # fmt: skip


def btc(base: int) -> Position:
    return Position(1, "BTC-PERP", base, -base * 100_000 // 1_000, 100_000 * USDC, 101_000 * USDC, USDC, None, None)


def limit(order_id: int, base: int, filled: int = 0, price: int = 100 * USDC) -> Order:
    return Order(order_id, order_id, MarketType.PERP, 0, OrderType.LIMIT, Direction.LONG, base, filled, price, None,
                 False, True, None, 1)  # fmt: skip


def shown(table: RowLines) -> list[tuple[str, ...]]:
    return [table.get_row_at(i) for i in range(table.row_count)]


async def test_positions_and_orders_tables_match_a_fresh_build_at_every_step(services):
    app = make_app(services)
    base = live_data.account()
    steps = [
        ((), ()),
        ((sol(2 * SOL),), (limit(7, SOL),)),  # opened, an order resting
        ((sol(SOL, oracle=153 * USDC),), (limit(7, SOL, filled=SOL // 2),)),  # half closed; the order half filled
        ((sol(-SOL, oracle=149 * USDC),), (limit(7, SOL, filled=SOL // 2), limit(9, SOL, price=90 * USDC))),  # flipped
        ((sol(-SOL), btc(-SOL // 1000)), (limit(9, 2 * SOL, price=90 * USDC),)),  # another market; one replaced
        ((btc(-SOL // 1000),), ()),  # SOL closed, orders gone
        ((sol(3 * SOL), btc(-SOL // 1000)), (limit(11, SOL), limit(7, SOL))),  # reopened, ids out of order
        ((), ()),  # all closed
    ]
    async with app.run_test(size=WIDE) as pilot:
        await pilot.app.workers.wait_for_complete()
        app.dashboard.post_message(SessionLinked(live_data.linked()))
        positions = app.screen.query_one("#positions-table", RowLines)
        orders = app.screen.query_one("#orders-table", RowLines)
        for slot, (held, resting) in enumerate(steps, start=1):
            account = replace(base, slot=base.slot + slot, positions=held, orders=resting)
            app.dashboard.post_message(AccountUpdated(account))
            await pilot.pause(0.2)
            assert positions.columns == POSITION_COLUMNS
            expected = [position_cells(p, None, account.total_collateral) for p in held]
            assert shown(positions) == expected, f"positions at step {slot}"
            assert positions.row_keys == tuple(p.symbol for p in held), f"position keys at step {slot}"
            assert shown(orders) == list(grouped_rows(account, live_data.linked().market_names).values()), slot
            assert positions.display == bool(held) and orders.display == bool(resting), f"display at step {slot}"


async def test_a_row_joining_before_the_cursor_keeps_the_cursor_on_its_row(services):
    app = make_app(services)
    base = live_data.account()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.app.workers.wait_for_complete()
        positions = app.screen.query_one("#positions-table", RowLines)
        app.dashboard.post_message(AccountUpdated(replace(base, positions=(btc(-SOL // 1000),), orders=())))
        await pilot.pause(0.2)
        assert app.dashboard.selected_position().symbol == "BTC-PERP"
        app.dashboard.post_message(AccountUpdated(replace(base, slot=base.slot + 1, positions=(sol(SOL), btc(-SOL // 1000)))))
        await pilot.pause(0.2)
        assert positions.row_keys == ("SOL-PERP", "BTC-PERP")
        assert app.dashboard.selected_position().symbol == "BTC-PERP"  # a close now still closes what was chosen
