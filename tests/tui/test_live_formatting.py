"""Wording of the live panels, checked without Textual: figures, signs, bars, ages and rows."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.tui.book_ladder import (
    BOOK_ALIGN,
    book_cells,
    book_figure_widths,
    book_summary,
    ladder_places,
    liquidity_sources,
    table_line,
)
from rekt_tui.tui.formatting import (
    PLACEHOLDER,
    age_label,
    feed_event_line,
    freshness_label,
    hud_readings,
    is_stale,
    session_lines,
    tone,
    usage_bar,
)
from rekt_tui.tui.tables import order_cells, position_cells, signed_usd
from tests.tui import live_data


def test_hud_shows_the_account_figures_with_a_sign_tone_and_a_margin_bar():
    readings = {r.key: r for r in hud_readings("localnet", Decimal(5), live_data.account(), 152_000_000, 0.44)}
    assert readings["collateral"].value == "$1,000.00"
    assert readings["upnl"].value == "+$3.00" and readings["upnl"].tone == "-gain"
    assert readings["margin_usage"].value == "█░░░░ 12%"
    assert readings["leverage"].value == "0.42x / 5x"
    assert readings["health"].value == "94%"
    assert readings["oracle"].value == "$152.00"
    assert readings["slot"].value == "123,456"
    assert readings["data_age"].value == "0.4 s"


def test_pnl_left_with_nothing_open_is_called_unsettled():
    closed = replace(live_data.account(), positions=(), unrealized_pnl=-160_000)
    [upnl] = [r for r in hud_readings("localnet", Decimal(5), closed, 152_000_000, 0.4) if r.key == "upnl"]
    assert (upnl.label, upnl.value) == ("Unsettled", "-$0.16")
    flat = replace(closed, unrealized_pnl=0)
    assert [r.label for r in hud_readings("localnet", Decimal(5), flat, 152_000_000, 0.4) if r.key == "upnl"] == ["uPnL"]
    assert [r.label for r in hud_readings("localnet", Decimal(5), live_data.account(), 152_000_000, 0.4)
            if r.key == "upnl"] == ["uPnL"]  # fmt: skip


def test_hud_without_an_account_is_all_placeholders_but_cluster_and_ceiling():
    readings = {r.key: r.value for r in hud_readings("devnet", Decimal(3))}
    assert readings["cluster"] == "devnet" and readings["leverage"] == "— / 3x"
    assert readings["equity"] == readings["slot"] == readings["data_age"] == PLACEHOLDER


@pytest.mark.parametrize(
    ("quote", "text", "css"), [(1_500_000, "+$1.50", "-gain"), (-250_000, "-$0.25", "-loss"), (0, "$0.00", "")]
)
def test_signed_figures(quote, text, css):
    assert signed_usd(quote) == text
    assert tone(quote) == css


def test_usage_bar_clamps_the_bar_but_not_the_figure():
    assert usage_bar(Decimal(0)) == "░░░░░ 0%"
    assert usage_bar(Decimal("0.5"), width=4) == "██░░ 50%"
    assert usage_bar(Decimal("1.3")) == "█████ 130%"


def test_ages_and_staleness():
    assert age_label(None) == age_label(float("inf")) == PLACEHOLDER
    assert age_label(0.44) == "0.4 s" and age_label(12.3) == "12 s"
    assert freshness_label(None, False) == ""
    assert freshness_label(0.5, False) == freshness_label(0.99, False) == "age <1 s"
    assert freshness_label(1.0, False) == freshness_label(1.99, False) == "age 1 s"
    assert freshness_label(12.0, True) == "STALE · 12 s"
    assert is_stale(11, FeedState.CONNECTED, 10) and not is_stale(9, FeedState.CONNECTED, 10)
    assert is_stale(0.1, FeedState.RECONNECTING, 10) and is_stale(None, FeedState.STALE, 10)
    assert not is_stale(None, None, 10)


def test_feed_event_line_names_the_feed_state_and_reason():
    at = datetime(2026, 4, 2, tzinfo=UTC)
    reconnecting = FeedEvent("account", FeedState.RECONNECTING, at, "silent")
    assert feed_event_line(reconnecting) == "account feed reconnecting: silent"
    assert feed_event_line(FeedEvent("orderbook", FeedState.CONNECTED, at)) == "orderbook feed connected"


def test_position_and_order_rows():
    sol, btc = live_data.account().positions
    assert position_cells(sol, 152_010_000, 1_000 * live_data.USDC) == (
        "SOL-PERP", "long", "2 SOL", "$304.00", "$150.00", "$152.01", "$152.00", "+$4.00", "+0.40%", "$98.00",
        "$150.18",
    )  # fmt: skip
    # Without a book for its market or collateral to measure against, mark and ROE say they are unknown.
    btc_cells = position_cells(btc)
    assert btc_cells[1:4] == ("short", "0.001 BTC", "$101.00") and btc_cells[5] == btc_cells[8] == PLACEHOLDER
    assert btc_cells[-2:] == (PLACEHOLDER, "$99,950.00")  # no liquidation price, a break-even
    limit, trigger = live_data.account().orders
    names = live_data.linked().market_names
    assert order_cells(limit, names) == ("SOL-PERP", "limit", "buy", "1 SOL / 0", "$100.00", "no", "10:30Z")
    assert order_cells(trigger, names) == (
        "ETH-PERP", "trig mkt", "sell", "0.1 ETH / 0", "mkt / $3,200.00", "yes", "never",
    )  # fmt: skip
    assert order_cells(trigger, {})[0] == "PERP #2"


def test_book_rows_scale_depth_to_the_deepest_side():
    book = live_data.book()
    deepest = book.bids[-1].cumulative_size
    assert book_cells(book.bids[0], deepest) == ("$151.99", "1", "█        1")
    assert book_cells(book.bids[-1], deepest) == ("$151.94", "6", "████████ 21")
    assert book_cells(None, deepest) == ("", "", "")
    assert book_summary(book) == "spread $0.02 · mark $152.00\noracle $151.995"
    assert liquidity_sources(book) == "sources: dlob 50% · vamm 50%"


def test_a_crossed_book_says_crossed_not_a_negative_spread():
    book = live_data.book()
    crossed = replace(book, bids=(replace(book.bids[0], price=book.asks[0].price + 5_000), *book.bids[1:]))
    assert book_summary(crossed, compact=True) == "crossed by $0.005 · mark $152.00"


def test_book_rows_are_padded_to_their_columns():
    widths = (7, 4, 5)
    assert table_line(("$9.00", "6", "█ 1"), widths) == " $9.00    6     █ 1   "
    assert table_line(("$9.00", "6", "█ 1"), widths, BOOK_ALIGN) == "   $9.00     6  █ 1   "


def test_a_ladders_figures_share_their_decimals_so_the_points_line_up():
    """A vAMM level at $171.2810 next to a maker's at $150.0085: every price to four places,
    every size (and cumulative size) to as many as the finest needs, never fewer than before."""
    level = live_data.book().bids[0]
    levels = [
        replace(level, price=171_281_000, size=18_301_860_000_000, cumulative_size=18_301_860_000_000),
        replace(level, price=150_008_500, size=3_330_000_000, cumulative_size=18_305_190_000_000),
        replace(level, price=150_000_000, size=500_000_000, cumulative_size=18_305_690_000_000),
    ]
    places = ladder_places(levels)
    assert places == (4, 2)
    deepest = levels[-1].cumulative_size
    rows = [book_cells(lv, deepest, 2, places, cumulative_cells=8) for lv in levels]
    assert [row[:2] for row in rows] == [("$171.2810", "18301.86"), ("$150.0085", "3.33"), ("$150.0000", "0.50")]
    assert [row[2] for row in rows] == ["█  18301.86", "█  18305.19", "██ 18305.69"]
    alone = replace(levels[2], cumulative_size=levels[2].size)
    assert ladder_places([alone]) == (2, 1)  # what the level alone needs: cents, and 0.5
    assert ladder_places([alone], least=places) == places  # never fewer than the ladder kept
    widths = book_figure_widths(levels, places=places)
    assert widths == (len("$171.2810"), len("18301.86"), len("18305.69"))


def test_session_lines_show_the_wallets_sol_and_usdc():
    lines = session_lines(live_data.session(), 9_876_543_210, live_data.account(), 25_500_000)
    assert lines == (
        "Wallet: 7xKX…gAsU (scalps)",
        "SOL: 9.8765 SOL",
        "USDC: $25.50",
        "Drift account: 9WzD…AWWM",
        "Referrer: verified",
        "Collateral: $1,000.00",
    )
    assert session_lines(live_data.session(), None, None)[1:3] == (f"SOL: {PLACEHOLDER}", f"USDC: {PLACEHOLDER}")
