"""The pure figures of market context: 24 h change over gaps, premium, rates, countdown."""

from decimal import Decimal

from rekt_tui.domain.market_context import (
    Candle, Trade, annualized, candle_gaps, change_24h, countdown_text, fold_trades, history_stopped, hourly_closes,
    hourly_rate, merge_trades, percent_text, premium,
)  # fmt: skip
from rekt_tui.domain.records import Direction

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


def fill(ts: int, price: int, slot: int = 0, base: int = 10**9, sig: str = "s") -> Trade:
    return Trade(ts, slot or ts, Direction.LONG, price, base, "T", "M", sig)


def test_streamed_and_read_fills_merge_newest_first_each_once():
    read = (fill(NOW - 1, 101), fill(NOW - 2, 102), fill(NOW - 3, 103))  # newest first, as /trades answers
    streamed = [fill(NOW - 1, 101), fill(NOW, 100), fill(NOW + 1, 99)]  # in arrival order; one read already
    merged = merge_trades(read, streamed, limit=4)
    assert [t.price for t in merged] == [99, 100, 101, 102]
    assert merge_trades(merged, read, limit=10) == (*merged, fill(NOW - 3, 103))


def test_fills_move_the_newest_candle_or_open_the_next_and_never_rewrite_history():
    span = 60
    start = NOW - NOW % span
    history = (Candle(start, None, None, None, None, 100, 101, 0), candle(start - span, 90))
    fills = [fill(start + 5, 110), fill(start + 1, 95), fill(start + 7, 100), fill(start - 30, 1)]
    folded = fold_trades(history, fills, span)
    newest = folded[0]
    # an oracle-only span takes its first fill as open; the older fill is already in the history
    assert (newest.open, newest.high, newest.low, newest.close, newest.base_volume) == (95, 110, 95, 100, 3 * 10**9)
    assert folded[1] == history[1] and len(folded) == 2
    opened = fold_trades(folded, [fill(start + span + 2, 120)], span)
    assert len(opened) == 3 and (opened[0].ts, opened[0].open, opened[0].close) == (start + span, 120, 120)
    assert fold_trades((), [fill(start + 3, 7)], span)[0] == Candle(start, 7, 7, 7, 7, None, None, 10**9)


def test_gaps_and_a_stopped_history_are_found():
    span, start = 60, NOW - NOW % 60
    bars = (candle(start, 1), candle(start - span, 1), candle(start - 4 * span, 1), candle(start - 6 * span, 1))
    assert candle_gaps(bars, span) == ((start - 3 * span, start - 2 * span), (start - 5 * span, start - 5 * span))
    assert candle_gaps(bars[:2], span) == ()
    assert not history_stopped(bars, span, start + span + 59) and history_stopped(bars, span, start + 2 * span)
    assert not history_stopped((), span, NOW)


def test_the_sparkline_is_each_hours_close_within_a_day_oldest_first():
    hours = [candle(NOW - 3_600, 130), candle(NOW - 25 * 3_600, 50), candle(NOW - 2 * 3_600, None, 120)]
    assert hourly_closes(hours, NOW) == (120, 130)  # older than a day: left out; no fill: the oracle's close
