"""The history screen against a real registry holding a real session history (records the
localnet's Drift program logged, decoded by our own reader): the figures, the four tables,
the market and session filters, empty states and a failed read. Snapshots at 80×24 and
200×60."""

from textual.widgets import DataTable, Select, Static, TabbedContent

from rekt_tui.domain.history import RecordKind
from rekt_tui.domain.money import format_usd
from rekt_tui.tui.screens import history as history_screen
from rekt_tui.tui.screens.history import EMPTY, HistoryScreen
from tests.tui.conftest import make_app, text_of
from tests.tui.history_data import history_session


async def opened(pilot) -> None:
    await pilot.press("h")
    await pilot.app.workers.wait_for_complete()
    await pilot.app.screen.workers.wait_for_complete()
    await pilot.pause()


def rows(screen: HistoryScreen, name: str) -> int:
    return screen.query_one(f"#history-{name}-table", DataTable).row_count


async def test_h_opens_the_sessions_figures_tables_and_filters(services, tmp_path):
    session = await history_session(services, tmp_path)
    records = await services.registry.list_records(session.pubkey)
    fills = [r for r in records if r.kind is RecordKind.FILL]
    funding = [r for r in records if r.kind is RecordKind.FUNDING]
    assert len(fills) >= 3 and funding
    app = make_app(services)
    async with app.run_test(size=(200, 60)) as pilot:
        await opened(pilot)
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.session == session.pubkey
        figures = text_of(screen.query_one("#history-figures"))
        assert f"Trades        {len(fills)}" in figures
        assert format_usd(sum(r.realized_pnl for r in fills)) in figures
        assert format_usd(sum(r.amount for r in funding), 4) in figures
        assert (rows(screen, "fills"), rows(screen, "funding")) == (len(fills), len(funding))
        assert (rows(screen, "orders"), rows(screen, "transactions")) == (3, 3)
        first = screen.query_one("#history-fills-table", DataTable).get_row_at(0)
        assert first[1] == "SOL-PERP" and str(first[-1]) == f"{fills[-1].signature[:6]}…{fills[-1].signature[-6:]}"
        assert "explorer.solana.com/tx/" + fills[-1].signature in str(first[-1].style)

        await pilot.press("o")
        assert screen.query_one(TabbedContent).active == "orders"
        orders = screen.query_one("#history-orders-table", DataTable)
        outcomes = [str(orders.get_row_at(index)[8]) for index in range(3)]
        assert outcomes == ["expired", "cancelled", "filled"]

        screen.query_one("#history-market", Select).value = 1  # BTC-PERP: one order, no fills
        await pilot.pause()  # the Changed message starts the reload; then wait for it
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert (rows(screen, "orders"), rows(screen, "fills")) == (1, 0)
        assert screen.query_one("#history-fills-empty", Static).display
        assert "Trades        0" in text_of(screen.query_one("#history-figures"))

        old = [s for s in screen.view.sessions if s.pubkey != session.pubkey][0]
        screen.query_one("#history-session", Select).value = old.pubkey  # archived, nothing recorded
        await pilot.pause()
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert screen.session == old.pubkey and screen.market is None
        for name in ("fills", "orders", "transactions", "funding"):
            assert rows(screen, name) == 0
            assert text_of(screen.query_one(f"#history-{name}-empty")).strip() == EMPTY[name]
        await pilot.press("escape")
        assert not isinstance(app.screen, HistoryScreen)


async def test_no_sessions_and_a_failed_read_are_one_sentence_each(services, tmp_path):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        screen = app.screen
        assert "No session wallets yet" in text_of(screen.query_one("#history-figures"))
        await services.registry.close()  # the registry goes away under the screen
        await pilot.press("r")
        await screen.workers.wait_for_complete()
        await pilot.pause()
        note = text_of(screen.query_one("#history-note")).strip()
    assert note.startswith("The history could not be read") and note.count(".") >= 1 and "\n" not in note


async def launched(pilot) -> None:
    """The launch's status read (after the first frame) done before the session exists, so
    the footer's keys never depend on which came first."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_history_80x24(snap_compare, services, tmp_path):
    async def setup(pilot) -> None:
        await launched(pilot)
        await history_session(services, tmp_path)
        await opened(pilot)

    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=setup)


def test_history_200x60(snap_compare, services, tmp_path):
    async def setup(pilot) -> None:
        await launched(pilot)
        await history_session(services, tmp_path)
        await opened(pilot)

    assert snap_compare(make_app(services), terminal_size=(200, 60), run_before=setup)


async def test_long_tables_hold_the_newest_rows_and_say_how_many_there_are(services, tmp_path, monkeypatch):
    """A table measures every row it holds, so each keeps the newest TABLE_ROWS (500); the
    tab says how many exist. Two here, to keep the test small."""
    monkeypatch.setattr(history_screen, "TABLE_ROWS", 2)
    session = await history_session(services, tmp_path)
    fills = [r for r in await services.registry.list_records(session.pubkey) if r.kind is RecordKind.FILL]
    app = make_app(services)
    async with app.run_test(size=(200, 60)) as pilot:
        await opened(pilot)
        screen = app.screen
        table = screen.query_one("#history-fills-table", DataTable)
        assert table.row_count == 2 and str(table.get_row_at(0)[-1]).startswith(fills[-1].signature[:6])
        assert str(screen.query_one(TabbedContent).get_tab("fills").label) == f"Fills 2 newest of {len(fills)}"
        assert str(screen.query_one(TabbedContent).get_tab("funding").label) == "Funding 2"
