"""A position's own PnL on both venues: what a fill realized earlier in the market and did not
settle stays in the position's quote on chain, yet is no part of what the open size made."""

import asyncio
from decimal import Decimal

import pytest

from rekt_tui.cli.trading_views import account_rows
from rekt_tui.domain.money import format_usd
from rekt_tui.services.models import OrderForm
from rekt_tui.tui.tables import position_cells
from tests.services.test_orders_service import SOL, close_desk, open_desk, until

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("venue", ["drift", "velocity"])
async def test_a_position_reduced_at_a_profit_shows_what_its_open_size_made(tmp_path, venue):
    desk = await open_desk(tmp_path, usdc=500, venue=venue)
    try:
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "1"))

        async def holds(size):
            await desk.fresh()
            return desk.base() == size

        await until(lambda: holds(SOL), what="the buy's fill")
        await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "165"])
        await asyncio.sleep(1)  # the makers quote around the new oracle (the relaunch's close takes their book)
        await desk.orders.close("SOL-PERP", percent=50)  # realizes about +$7.5, not settled
        await until(lambda: holds(SOL // 2), what="the half close's fill")
        await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "145"])

        async def marked_at_145():
            return await holds(SOL // 2) and desk.account().positions[0].oracle_price < 146 * 10**6

        await until(marked_at_145, what="the oracle at 145")
        [position] = desk.account().positions
        # What the half still held made: its size at the oracle against what it cost, fees included.
        made = position.size * (position.oracle_price - position.break_even_price) // SOL
        assert abs(position.open_pnl - made) <= 1_000, (position.open_pnl, made)  # $0.001: rounding, funding
        assert position.open_pnl < -2 * 10**6  # half a SOL bought near 150, marked at 145
        assert position.unrealized_pnl - position.open_pnl > 6 * 10**6  # the close's profit, still unsettled
        cells = position_cells(position, collateral=desk.account().total_collateral)
        assert cells[7] == f"-${Decimal(-position.open_pnl) / 10**6:.2f}"  # the row's uPnL is the open size's
        assert desk.account().open_pnl == position.open_pnl
        rows = dict(account_rows(desk.account(), desk.services.settings.labels))  # `rekt-tui status`
        assert rows["unrealized pnl"] == format_usd(position.open_pnl)
        assert rows["realized, not settled"] == format_usd(position.unrealized_pnl - position.open_pnl)
    finally:
        await close_desk(desk)
