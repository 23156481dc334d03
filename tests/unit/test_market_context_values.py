"""The pure figures of market context: 24 h change over gaps, premium, rates, countdown."""

from decimal import Decimal

from rekt_tui.domain.market_context import (
    Candle, annualized, change_24h, countdown_text, hourly_rate, percent_text, premium,
)  # fmt: skip

NOW = 1_800_000_000


def candle(ts: int, open_: int | None, oracle_open: int | None = 100_000_000) -> Candle:
    return Candle(ts, open_, open_, open_, open_, oracle_open, oracle_open, 0)


def test_change_is_against_the_oldest_hour_within_a_day_and_skips_gaps():
    hours = [
        candle(NOW - 25 * 3_600, 50_000_000),  # older than a day: ignored
        candle(NOW - 23 * 3_600, None, 120_000_000),  # nothing traded: its oracle open counts
        candle(NOW - 3_600, 130_000_000),
    ]
    assert change_24h(hours, NOW, 150_000_000) == Decimal(30) / 120
    assert change_24h([candle(NOW - 3_600, None, None)], NOW, 150_000_000) is None
    assert change_24h([], NOW, 150_000_000) is None


def test_premium_rates_and_countdown():
    assert premium(101_000_000, 100_000_000) == Decimal("0.01")
    assert premium(None, 100_000_000) is None and premium(1, 0) is None
    # 1e9 per base over a $100 oracle: 0.01 (1 %) of the price per hour.
    assert hourly_rate(1_000_000_000, 100_000_000) == Decimal("0.01")
    assert annualized(Decimal("0.0001")) == Decimal("0.8760")
    assert percent_text(Decimal("0.000125"), 4) == "+0.0125%" and percent_text(None) == "—"
    assert countdown_text(3_599) == "0:59:59" and countdown_text(-5) == "0:00:00"


def test_the_tape_merges_fills_of_one_second_side_and_price_and_marks_ours():
    from rekt_tui.domain.market_context import Trade, coalesce
    from rekt_tui.domain.records import Direction

    def fill(ts: int, side: Direction, price: int, base: int, taker: str = "them") -> Trade:
        return Trade(ts, 1, side, price, base, taker, "maker", None)

    rows = coalesce([
        fill(10, Direction.LONG, 100, 1), fill(10, Direction.LONG, 100, 2, taker="me"),
        fill(10, Direction.SHORT, 100, 4), fill(9, Direction.SHORT, 100, 8),
    ], "me")  # fmt: skip
    assert [(r.ts, r.side, r.base, r.count, r.own) for r in rows] == [
        (10, Direction.LONG, 3, 2, True), (10, Direction.SHORT, 4, 1, False), (9, Direction.SHORT, 8, 1, False),
    ]
    assert not any(row.own for row in coalesce([fill(1, Direction.LONG, 1, 1)], None))


def test_chart_levels_are_the_sessions_own_prices_in_that_market():
    from rekt_tui.domain.market_context import ChartLevel, chart_levels
    from tests.tui import live_data

    account = live_data.account()
    assert chart_levels(account, 0) == (
        ChartLevel("entry", 150_000_000), ChartLevel("liq", 98_000_000), ChartLevel("buy", 100_000_000),
    )  # fmt: skip
    assert chart_levels(account, 1) == (ChartLevel("entry", 100_000_000_000),)  # no liquidation price
    assert chart_levels(account, 2) == (ChartLevel("sell", 3_200_000_000),)  # a stop: its trigger
    assert chart_levels(None, 0) == ()
