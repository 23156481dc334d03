"""One table model for positions and open orders: the cockpit's panels and the CLI's `status` share it."""

from dataclasses import replace

from rekt_tui.cli.trading_views import ORDER_HEADINGS, POSITION_HEADINGS, order_rows, position_rows
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.records import MarketType
from rekt_tui.tui.formatting import tone
from rekt_tui.tui.tables import (
    ORDER_COLUMNS,
    POSITION_COLUMNS,
    base_size,
    headings,
    order_cells,
    perp_names,
    plain_size,
    position_cells,
    signed_usd,
)
from tests.tui import live_data

SPECS = {
    "SOL-PERP": MarketSpec("SOL-PERP", MarketType.PERP, 0, "SOL", tick_size=100, step_size=10**7, min_order_size=10**7),
    "ETH-PERP": MarketSpec("ETH-PERP", MarketType.PERP, 2, "ETH", tick_size=100, step_size=10**7, min_order_size=10**7),
    "SOL": MarketSpec("SOL", MarketType.SPOT, 1, "SOL", tick_size=100, step_size=10**7, min_order_size=10**7),
}


def test_sizes_and_signs():
    assert plain_size(1_500_000_000) == "1.5" and plain_size(0) == "0"
    assert base_size(10**6, "BTC-PERP") == "0.001 BTC"
    assert (signed_usd(1_500_000), signed_usd(-250_000), signed_usd(0)) == ("+$1.50", "-$0.25", "$0.00")
    assert (signed_usd(3_000), signed_usd(-3_000), signed_usd(6_000)) == ("$0.00", "$0.00", "+$0.01")  # no +$0.00
    assert (tone(3_000), tone(-3_000), tone(6_000), tone(-6_000)) == ("", "", "-gain", "-loss")  # $0.00 is uncoloured


def test_perp_names_skip_spot_markets():
    assert perp_names(SPECS.values()) == {0: "SOL-PERP", 2: "ETH-PERP"}


def test_the_cli_renders_the_cockpits_cells_under_the_same_columns():
    account = live_data.account()
    assert POSITION_HEADINGS == headings(POSITION_COLUMNS) == [
        "MARKET", "SIDE", "SIZE", "NOTIONAL", "ENTRY", "MARK", "ORACLE", "UPNL", "ROE %", "LIQ.", "BREAK-EVEN",
    ]  # fmt: skip
    assert position_rows(account) == [list(position_cells(p, None, 1_000 * 10**6)) for p in account.positions]

    names = live_data.linked().market_names
    assert ORDER_HEADINGS == ["ID", "UID", *headings(ORDER_COLUMNS), "POST"]
    limit, trigger = order_rows(account, SPECS)
    assert limit == ["7", "100", *order_cells(account.orders[0], names), "yes"]
    assert trigger == ["8", "101", *order_cells(account.orders[1], names), "no"]
    assert len(limit) == len(ORDER_HEADINGS)


def test_an_order_on_an_unknown_market_names_its_index():
    order = replace(live_data.account().orders[0], market_index=9)
    assert order_cells(order, perp_names(SPECS.values()))[0] == "PERP #9"
