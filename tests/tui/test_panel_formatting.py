"""The panels' pure rules: the chain's slot, depth bars scaled to the shown rows, levels that
fit a height, columns dropped whole, market cycling both ways, footer keys."""

from dataclasses import replace
from decimal import Decimal

from textual.app import App
from textual.binding import Binding

from rekt_tui.tui.book_ladder import (
    BookLayout,
    book_cells,
    book_column_widths,
    book_figure_widths,
    book_layout,
    book_summary,
    depth_bar_width,
    shown_depth,
    table_line,
)
from rekt_tui.tui.formatting import chain_slot, cycled, hud_price, hud_readings
from rekt_tui.tui.screens.dashboard import session_max_leverage
from rekt_tui.tui.tables import (
    POSITION_COLUMNS,
    POSITION_DROP_ORDER,
    cell_pieces,
    fitting_columns,
    position_cells,
    roe_label,
    table_layout,
)
from rekt_tui.tui.widgets.key_bar import footer_bindings, footer_width
from tests.tui import live_data
from tests.tui.conftest import make_settings

SOL, USDC = live_data.SOL, live_data.USDC


def test_the_hud_slot_is_the_newest_any_feed_has_seen():
    account = live_data.account(slot=100)
    assert chain_slot(account, live_data.book(slot=250)) == 250  # the account sat still; the chain moved on
    assert chain_slot(live_data.account(slot=300), live_data.book(slot=250)) == 300
    assert chain_slot(None, None) is None
    readings = {r.key: r.value for r in hud_readings("localnet", Decimal(5), account, slot=250)}
    assert readings["slot"] == "250"
    assert {r.key: r.value for r in hud_readings("localnet", Decimal(5), account)}["slot"] == "100"


def test_depth_bars_scale_to_the_deepest_shown_level():
    book = live_data.book(levels=40)  # cumulative depth runs to 820 SOL, far past the shown rows
    deepest = shown_depth(book, 3)
    assert deepest == 6 * SOL  # 1 + 2 + 3 on either side
    assert book_cells(book.bids[2], deepest)[2] == "████████ 6"
    assert book_cells(book.bids[0], deepest)[2] == "█        1"
    assert shown_depth(replace(book, bids=(), asks=()), 3) == 0


def test_a_taller_book_panel_shows_more_levels():
    assert book_layout(34) == BookLayout(15, compact=False)
    assert book_layout(52).rows > book_layout(34).rows
    assert book_layout(10) == BookLayout(3, compact=False)


def test_the_depth_bar_narrows_before_a_figure_would_be_cut():
    btc = live_data.book("BTC-PERP", mid=100_235 * USDC, levels=30)
    levels = (*btc.bids[:20], *btc.asks[:20])
    figures = book_figure_widths(levels)
    assert figures == (11, 4, 3)  # "$100,435.00", the label "Size", cumulative "210"
    assert book_figure_widths(levels[:1], figures) == figures  # kept widths never narrow
    assert depth_bar_width(figures, 60) == 8
    assert depth_bar_width(figures, 30) == 5  # 11 + 4 + 1 + 3 + 6 padding leave 5
    assert depth_bar_width(figures, 20) == 1  # never gone: one cell still says there is depth
    widths = book_column_widths(figures, 5)
    assert widths == (11, 4, 9) and sum(widths) + 6 <= 30
    cells = [book_cells(level, shown_depth(btc, 20), 5) for level in levels]
    assert all(len(cell) <= width for row in cells for cell, width in zip(row, widths))


def test_the_hud_oracle_is_rounded_to_fit_never_cut():
    assert hud_price(100_235_055_903) == "$100,235.06"
    assert hud_price(150_132_987) == "$150.133"
    assert hud_price(152_000_000) == "$152.00"
    assert hud_price(123_456) == "$0.123456"
    assert {r.key: r.value for r in hud_readings("localnet", None, None, 100_235_055_903)}["oracle"] == "$100,235.06"


def test_a_short_book_panel_goes_compact_so_both_sides_show():
    assert book_layout(4) == BookLayout(1, compact=True)  # 80x24: one summary line, header, an ask, a bid
    assert book_layout(8) == BookLayout(3, compact=True)

    assert book_layout(1) == BookLayout(1, compact=True)  # never fewer than one a side
    assert book_summary(live_data.book(), compact=True) == "spread $0.02 · mark $152.00"


def test_a_narrow_table_drops_whole_columns_in_priority_order():
    account = live_data.account()
    rows = [position_cells(p, None, account.total_collateral) for p in account.positions]
    assert fitting_columns(POSITION_COLUMNS, rows, 200, POSITION_DROP_ORDER) == POSITION_COLUMNS
    narrow = fitting_columns(POSITION_COLUMNS, rows, 46, POSITION_DROP_ORDER)
    assert narrow == ("Market", "Side", "Size", "uPnL", "Liq.")
    assert fitting_columns(POSITION_COLUMNS, rows, 36, POSITION_DROP_ORDER) == ("Market", "Side", "Size", "uPnL")
    # What is kept fits whole: every cell and its padding.
    kept = [POSITION_COLUMNS.index(c) for c in narrow]
    assert sum(max(len(c), *(len(r[i]) for r in rows)) + 2 for c, i in zip(narrow, kept)) <= 46
    assert fitting_columns(("A", "B"), [("x" * 30, "y")], 10, ("B",)) == ("A",)  # nothing left to drop: kept


def test_roe_is_upnl_over_the_accounts_collateral():
    assert roe_label(4 * USDC, 1_000 * USDC) == "+0.40%"
    assert roe_label(-25 * USDC, 100 * USDC) == "-25.00%"
    assert roe_label(0, 100 * USDC) == "0.00%"
    assert roe_label(5, None) == roe_label(5, 0) == "—"


def test_markets_cycle_both_ways_and_wrap():
    markets = ("SOL-PERP", "BTC-PERP", "ETH-PERP")
    assert cycled(markets, "SOL-PERP", 1) == "BTC-PERP"
    assert cycled(markets, "SOL-PERP", -1) == "ETH-PERP"
    assert cycled(markets, "ETH-PERP", 1) == "SOL-PERP"
    assert cycled(markets, "DOGE-PERP", -1) == "SOL-PERP"


def test_the_lev_cap_is_the_sessions_strategy(tmp_path):
    settings = make_settings(tmp_path)
    caps = {name: values.max_leverage for name, values in settings.strategies.items()}
    assert len(set(caps.values())) > 1  # the presets differ, so the test can tell them apart
    for name, cap in caps.items():
        assert session_max_leverage(settings, name) == cap
    default = settings.preset().max_leverage
    assert session_max_leverage(settings, None) == session_max_leverage(settings, "gone") == default


def _binding(key: str, action: str) -> Binding:
    return Binding(key, action, action)


def test_the_footer_puts_trading_keys_first_and_setup_keys_away_while_trading():
    active = [(_binding(k, a), True) for k, a in (
        ("m", "next_market"), ("q", "quit"), ("question_mark", "help"), ("r", "reload_status"),
        ("w", "session_setup"), ("c", "checklist"), ("b", "buy"), ("s", "sell"), ("x", "close_position"),
        ("d", "cancel_order"), ("D", "cancel_all_orders"), ("ctrl+x", "stop_and_withdraw"),
    )] + [(Binding("v", "close_position(True)", "Reverse", id="app.reverse_position"), True)]  # fmt: skip
    display = App().get_key_display
    shown = footer_bindings(active, 80, display)
    assert [(binding.key, label) for binding, _, label in shown] == [
        ("b", "Buy"), ("s", "Sell"), ("x", "Close"), ("v", "Rev"), ("d", "Cancel"), ("D", "Cancel all"),
        ("ctrl+x", "Stop"), ("m", "Market"), ("question_mark", "Help"), ("q", "Quit"),
    ]  # fmt: skip
    assert footer_width(shown, display) <= 80
    before_trading = [pair for pair in active if pair[0].action not in ("buy", "sell")]
    assert ("w", "Wallet") in [(b.key, label) for b, _, label in footer_bindings(before_trading, 80, display)]


def test_a_wider_footer_shows_more_keys_before_help_and_quit():
    core = [(_binding(k, a), True) for k, a in (("b", "buy"), ("s", "sell"), ("question_mark", "help"), ("q", "quit"))]
    more = [
        (Binding("dollar_sign", "collateral", "Add or withdraw collateral", id="dashboard.collateral"), True),
        (Binding("h", "history", "History", id="dashboard.history"), True),
        (Binding("colon", "push_screen('command-line')", "Command line", id="app.command_line"), True),
    ]
    display = App().get_key_display
    labels = lambda width: [label for _, _, label in footer_bindings(core + more, width, display)]  # noqa: E731
    assert labels(200) == ["Buy", "Sell", "Collateral", "Command", "History", "Help", "Quit"]
    narrow = footer_width(footer_bindings(core, 80, display), display)
    # Room for the first extra only; one cell less, and a shorter one takes the room.
    assert labels(narrow + len("$ Collateral ")) == ["Buy", "Sell", "Collateral", "Help", "Quit"]
    assert labels(narrow + len("$ Collateral ") - 1) == ["Buy", "Sell", "Command", "Help", "Quit"]
    assert labels(narrow) == ["Buy", "Sell", "Help", "Quit"]


def test_the_session_panel_lays_out_again_only_when_its_text_changes_shape():
    from rekt_tui.tui.widgets.session_panel import _reshaped

    assert not _reshaped("Collateral: $400.00\nSOL: 1.9661 SOL", "Collateral: $399.87\nSOL: 1.9660 SOL")
    assert _reshaped("Collateral: $99.87", "Collateral: $100.02")  # one character longer may wrap
    assert _reshaped("Collateral: $400.00", "Collateral: $400.00\nPosition: SOL-PERP")


def test_a_table_a_few_cells_short_closes_its_gaps_rather_than_drop_a_column():
    account = live_data.account()
    rows = [position_cells(p, 152 * live_data.USDC, account.total_collateral) for p in account.positions]
    assert table_layout(POSITION_COLUMNS, rows, 109, POSITION_DROP_ORDER) == (POSITION_COLUMNS, 2)
    assert table_layout(POSITION_COLUMNS, rows, 101, POSITION_DROP_ORDER) == (POSITION_COLUMNS, 1)  # 200 columns
    assert table_layout(POSITION_COLUMNS, rows, 98, POSITION_DROP_ORDER) == (
        fitting_columns(POSITION_COLUMNS, rows, 98, POSITION_DROP_ORDER), 2,
    )  # not even one apart: the usual gap, a column dropped  # fmt: skip
    assert table_layout(POSITION_COLUMNS, rows, 74, POSITION_DROP_ORDER)[1] == 2  # 80 and 160 columns: as before


def test_a_row_is_drawn_a_piece_per_cell_as_wide_as_the_fitting_counts():
    assert "".join(cell_pieces(("ab", "c"), (3, 2))) == " ab   c  " == table_line(("ab", "c"), (3, 2))
    assert cell_pieces(("ab", "c"), (3, 2), gap=1) == (" ab ", " c  ")
    widths = (3, 2)
    for gap in (1, 2):  # what `fitting_columns` counts: the widths, the gaps, a space at either end
        assert len("".join(cell_pieces(("ab", "c"), widths, gap))) == sum(widths) + gap + 2
