"""The panels in the running app, fed what the live workers hand over: names never cut,
columns dropped whole when narrow (closer together rather than one dropped when wide), both
sides of a short book, and `m`/`M` both ways."""

from dataclasses import replace

from rich.cells import cell_len

from rekt_tui.domain.feed import FeedState
from rekt_tui.tui.messages import AccountUpdated, FeedAged, MarketSelected, SessionLinked
from rekt_tui.tui.screens.market import MarketScreen
from rekt_tui.tui.formatting import hud_price
from rekt_tui.tui.live import ACCOUNT_FEED
from rekt_tui.tui.tables import POSITION_COLUMNS
from rekt_tui.tui.widgets.orderbook import BookSide
from rekt_tui.tui.widgets.row_lines import RowLines
from rekt_tui.tui.widgets.hud import Hud
from tests.tui import live_data
from tests.tui.conftest import make_app
from tests.tui.test_live_snapshot import fed
from tests.tui.test_row_lines import painted_lines

USDC = live_data.USDC


def _widths(table: RowLines) -> dict[str, int]:
    return dict(zip(table.columns, table.widths, strict=True))


async def test_a_market_name_learnt_after_its_order_row_widens_the_column(services):
    """An order row added before the market names are known reads `PERP #0`; the name that
    replaces it (one cell longer) must widen the column, not be cut to `SOL-PER`."""
    app = make_app(services)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.app.workers.wait_for_complete()
        app.dashboard.post_message(AccountUpdated(live_data.account()))
        await pilot.pause(0.2)
        table = app.screen.query_one("#orders-table", RowLines)
        assert table.get_cell("7", "Market") == "PERP #0"
        app.dashboard.post_message(SessionLinked(live_data.linked()))
        app.dashboard.post_message(AccountUpdated(live_data.account(slot=123_457)))
        await pilot.pause(0.2)
        assert table.get_cell("7", "Market") == "SOL-PERP"
        assert _widths(table)["Market"] >= cell_len("SOL-PERP")


async def test_a_live_feeds_ticking_age_repaints_no_panel(services):
    """Every panel's subtitle says how old its feed is, and a new subtitle repaints the whole
    panel: ages under a second read `<1 s`, so a live feed's sampled age repaints nothing
    (the HUD's data age has the tenths)."""
    app = make_app(services)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.app.workers.wait_for_complete()
        app.dashboard.post_message(AccountUpdated(live_data.account()))
        app.dashboard.post_message(FeedAged(ACCOUNT_FEED, 0.3, FeedState.CONNECTED))
        await pilot.pause(0.2)
        panel, table = app.screen.query_one("#positions"), app.screen.query_one("#positions-table", RowLines)
        assert panel.border_subtitle == "age <1 s"
        painted = []
        render_lines = table.render_lines
        table.render_lines = lambda crop: painted.append(crop) or render_lines(crop)  # type: ignore[method-assign]
        for age in (0.1, 0.45, 0.8, 0.2):
            app.dashboard.post_message(FeedAged(ACCOUNT_FEED, age, FeedState.CONNECTED))
            await pilot.pause(0.05)
        assert painted == [] and panel.border_subtitle == "age <1 s"
        assert app.screen.query_one(Hud).reading("data_age").value == "0.2 s"
        app.dashboard.post_message(FeedAged(ACCOUNT_FEED, 2.7, FeedState.CONNECTED))
        await pilot.pause(0.05)
        assert panel.border_subtitle == "age 2 s" and painted


async def test_a_changed_hud_figure_repaints_its_own_cells_lines_only(services):
    """A HUD frame comes with nearly every slot: a moved figure draws the lines of its row of
    cells again (the compositor then paints its cell alone), never the whole bar."""
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:  # six cells a row: two rows of two lines
        await fed(pilot)
        hud = app.screen.query_one(Hud)
        assert {key: region.y for key, region in hud.cell_regions().items() if key in ("data_age", "equity")} == {
            "data_age": 2, "equity": 0,
        }  # fmt: skip
        drawn = painted_lines(hud)
        app.dashboard.post_message(FeedAged(ACCOUNT_FEED, 7.3, FeedState.CONNECTED))
        await pilot.pause(0.1)
        assert hud.reading("data_age").value == "7.3 s" and set(drawn) == {2, 3}
        drawn.clear()
        app.dashboard.feeds.relay_account(live_data.account(slot=123_457, sol_oracle=153 * USDC))
        await pilot.pause(0.3)
        assert {0, 1} <= set(drawn), "the account figures' row is drawn again"
        assert hud.reading("oracle").value == "$153.00"


async def test_narrow_positions_drop_whole_columns_and_zoom_shows_them_all(services):
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await fed(pilot)
        table = app.screen.query_one("#positions-table", RowLines)
        shown = table.columns
        assert shown[:3] == ("Market", "Side", "Size") and len(shown) < len(POSITION_COLUMNS)
        assert table.virtual_size.width <= app.screen.query_one("#positions").size.width
        await pilot.press("1", "z")
        await pilot.pause(0.2)
        zoomed = table.columns
        assert len(zoomed) > len(shown) and {"Entry", "Oracle", "uPnL", "Liq."} <= set(zoomed)
        assert table.get_cell("SOL-PERP", "Market") == "SOL-PERP"


async def test_wide_positions_close_their_gaps_rather_than_drop_break_even(services):
    """At 200 columns every position column fits one space apart, not two: none is dropped.
    Where every column fits two apart (250), they stay two apart."""
    for size, gap in (((200, 60), 1), ((250, 70), 2)):
        app = make_app(services)
        async with app.run_test(size=size) as pilot:
            await fed(pilot)
            table = app.screen.query_one("#positions-table", RowLines)
            assert (table.columns, table.gap) == (POSITION_COLUMNS, gap), size
            assert table.get_cell("BTC-PERP", "Break-even") == "$99,950.00"
            assert table.virtual_size.width <= app.screen.query_one("#positions").size.width


async def test_a_short_book_shows_both_sides(services):
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await fed(pilot)
        asks, bids = (app.screen.query_one(f"#book-{side}", BookSide) for side in ("asks", "bids"))
        book = app.screen.query_one("#orderbook")
        assert len(bids.rows) >= 1 and bids.rows[0][0] == "$151.99"
        assert asks.region.bottom <= bids.region.y and bids.region.bottom <= book.content_region.bottom
        assert asks.widths == bids.widths  # the sides' columns line up


async def test_a_new_book_repaints_only_the_levels_whose_line_changed(services):
    """A busy book keeps most of its lines from one slot to the next: only the changed ones are drawn."""
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await fed(pilot)
        asks, bids = (app.screen.query_one(f"#book-{side}", BookSide) for side in ("asks", "bids"))
        book = live_data.book(levels=40)
        requoted = lambda price: replace(book, bids=(*book.bids[:2], replace(book.bids[2], price=price), *book.bids[3:]))  # noqa: E731
        app.dashboard.feeds.relay_book(requoted(151_975_000))  # a half-cent price: the columns widen once
        await pilot.pause(0.3)
        drawn = {side: painted_lines(side) for side in (asks, bids)}
        app.dashboard.feeds.relay_book(replace(requoted(151_985_000), slot=123_457))  # one maker requotes
        await pilot.pause(0.3)
        assert bids.rows[2][0] == "$151.985"
        assert drawn[asks] == [] and set(drawn[bids]) == {2}
        drawn[bids].clear()
        app.dashboard.feeds.relay_book(replace(requoted(151_985_000), slot=123_458))  # a new slot alone
        await pilot.pause(0.3)
        assert drawn[asks] == drawn[bids] == []


async def test_m_cycles_markets_and_shift_m_opens_the_market_screen(services):
    app = make_app(services)
    selected: list[MarketSelected] = []

    def hook(message) -> None:  # a message bubbles, so the hook sees it more than once
        if isinstance(message, MarketSelected) and not any(message is seen for seen in selected):
            selected.append(message)

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await fed(pilot)
        for key in ("m", "m", "m", "m"):
            await pilot.press(key)
        await pilot.pause()
        assert [message.market for message in selected] == ["BTC-PERP", "ETH-PERP", "SOL-PERP", "BTC-PERP"]
        assert app.screen.query_one(Hud).reading("oracle").label == "BTC oracle"  # never a bare "Oracle" beside SOL
        await pilot.press("M")  # with a session too: M is the market screen, not a way back through the cycle
        await pilot.pause()
        assert isinstance(app.screen, MarketScreen) and app.screen.market == "BTC-PERP"


async def test_the_hud_slot_follows_the_book_while_the_account_is_still(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await fed(pilot)
        app.dashboard.feeds.relay_book(replace(live_data.book(levels=40), slot=123_999))
        await pilot.pause(0.2)
        assert app.screen.query_one(Hud).reading("slot").value == "123,999"
        app.dashboard.feeds.relay_book(replace(live_data.book(levels=40), slot=123_500))  # a late book
        await pilot.pause(0.2)
        assert app.screen.query_one(Hud).reading("slot").value == "123,999"  # the chain's slot never goes back


async def test_the_hud_oracle_is_the_newer_read_of_the_book_and_the_position(services):
    """With one feed silent, the other's reads keep the HUD's oracle current: a position's
    oracle read at a newer slot than the book's is the one shown, and the reverse."""
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await fed(pilot)  # book and account at slot 123,456
        oracle = lambda: app.screen.query_one(Hud).reading("oracle").value  # noqa: E731
        await pilot.pause(0.2)
        assert oracle() == hud_price(live_data.book().oracle_price)
        app.dashboard.post_message(AccountUpdated(live_data.account(slot=123_600, sol_oracle=158 * USDC)))
        await pilot.pause(0.2)
        assert oracle() == "$158.00"  # the book is older (its socket silent): the account's read
        app.dashboard.feeds.relay_book(replace(live_data.book(mid=161 * USDC, levels=40), slot=123_700))
        await pilot.pause(0.2)
        assert oracle() == hud_price(161 * USDC - 5_000)  # the book is newer again
