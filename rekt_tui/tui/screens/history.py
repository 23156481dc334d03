"""The history screen: a session's fills, orders with their outcome, transactions and
funding, its figures and its equity curve, filtered by session and by market.

Everything comes from the registry through `services.history.history_view` (records the
reconcile backfilled from the chain, orders and transactions as sent, account reads), in
one worker of this screen, so it opens at once and works with no chain to reach. A
failed read is one sentence under the tables; empty tables say what fills them.
"""

import logging
import time
from collections.abc import Iterable, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Select, Static, TabbedContent, TabPane

from rekt_tui.domain.errors import RektError
from rekt_tui.services.container import Services
from rekt_tui.services.history import HistoryView, history_view
from rekt_tui.tui.formatting import short_pubkey
from rekt_tui.tui.widgets.equity_chart import EquityChart
from rekt_tui.tui.widgets.history_rows import (
    FILL_COLUMNS,
    FUNDING_COLUMNS,
    ORDER_COLUMNS,
    TRANSACTION_COLUMNS,
    figures_text,
    fill_row,
    fills,
    funding,
    funding_row,
    order_row,
    transaction_row,
)
from rekt_tui.tui.widgets.screen_footer import ScreenFooter

log = logging.getLogger(__name__)
ALL_MARKETS = -1
NO_SESSIONS = "No session wallets yet: press escape, then w to create one."
EMPTY = {
    "fills": "No fills yet: trade (b / s) and they appear here once finalized on chain.",
    "orders": "No orders yet: press escape, then b or s to place one.",
    "transactions": "No transactions yet: setup, orders and stop-and-withdraw record theirs here.",
    "funding": "No funding payments yet: they are settled hourly while a position is open.",
}
TITLES = {"fills": "Fills", "orders": "Orders", "transactions": "Transactions", "funding": "Funding"}
TABLE_ROWS = 500  # rows per table: the newest; `rekt-tui history --csv` lists every record
Row = Sequence[str | Text]


class HistoryScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back", id="history.close"),
        Binding("f", "tab('fills')", "Fills", id="history.fills"),
        Binding("o", "tab('orders')", "Orders", id="history.orders"),
        Binding("t", "tab('transactions')", "Transactions", id="history.transactions"),
        Binding("u", "tab('funding')", "Funding", id="history.funding"),
        Binding("r", "reload", "Reload history", id="history.reload"),
    ]
    DEFAULT_CSS = """
    HistoryScreen #history-filters { height: 3; }
    HistoryScreen #history-session { width: 2fr; }
    HistoryScreen #history-market { width: 1fr; max-width: 28; }
    HistoryScreen #history-body { height: 1fr; }
    HistoryScreen #history-side { width: 30%; min-width: 32; max-width: 64; }
    HistoryScreen .history-panel { border: round $primary-muted; }
    HistoryScreen #history-figures { height: auto; padding: 0 1; }
    HistoryScreen .history-empty { color: $text-muted; padding: 1 2; width: 100%; }
    HistoryScreen #history-note { height: auto; color: $text-warning; padding: 0 1; }
    """

    def __init__(self, services: Services, session: str | None = None) -> None:
        super().__init__(id="history")
        self.services = services
        self.session = session  # None: the newest session
        self.market: int | None = None
        self.view: HistoryView | None = None
        self.load_seconds: float | None = None  # how long the last read took

    def compose(self) -> ComposeResult:
        with Horizontal(id="history-filters"):
            yield Select[str]([], prompt="Session", id="history-session", allow_blank=True)
            yield Select[int]([("All markets", ALL_MARKETS)], value=ALL_MARKETS, id="history-market",
                              allow_blank=False)  # fmt: skip
        with Horizontal(id="history-body"):
            with Vertical(id="history-side"):
                figures = Static("Reading the history…", id="history-figures", classes="history-panel")
                figures.border_title = "Result"
                yield figures
                yield EquityChart()
            with TabbedContent(id="history-tabs", initial="fills"):
                for name, title in TITLES.items():
                    with TabPane(title, id=name):
                        yield DataTable(id=f"history-{name}-table", cursor_type="row", zebra_stripes=True)
                        yield Static(EMPTY[name], id=f"history-{name}-empty", classes="history-empty")
        yield Static("", id="history-note")
        yield ScreenFooter()

    def on_mount(self) -> None:
        for name, columns in (("fills", FILL_COLUMNS), ("orders", ORDER_COLUMNS),
                              ("transactions", TRANSACTION_COLUMNS), ("funding", FUNDING_COLUMNS)):  # fmt: skip
            self.query_one(f"#history-{name}-table", DataTable).add_columns(*columns)
        self.load()

    @work(group="history", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        started = time.perf_counter()
        settings = self.services.settings
        try:
            view = await history_view(self.services.registry, settings.cluster, self.session, self.market)
        except RektError as error:
            self.failed(error.message)
            return
        except Exception:  # noqa: BLE001 - a bug: one sentence here, the details in the log
            log.exception("history not read")
            self.failed(f"The history could not be read; the details are in {settings.log_file}.")
            return
        self.load_seconds = time.perf_counter() - started
        self.show(view)

    def show(self, view: HistoryView) -> None:
        self.view = view
        self.session = view.session.pubkey if view.session else None
        self.query_one("#history-note", Static).update("")
        self._fill_filters(view)
        if view.session is None:
            self.query_one("#history-figures", Static).update(NO_SESSIONS)
        else:
            self.query_one("#history-figures", Static).update(figures_text(view))
        self.query_one(EquityChart).show(view.equity)
        explorer = self.services.settings.profile.explorer_tx_url
        fill_records, payments = fills(view), funding(view)
        self._table("fills", len(fill_records), (fill_row(view, r, explorer) for r in fill_records[:TABLE_ROWS]))
        self._table("orders", len(view.orders), (order_row(view, o, explorer) for o in view.orders[:TABLE_ROWS]))
        self._table("transactions", len(view.transactions),
                    (transaction_row(t, explorer) for t in view.transactions[:TABLE_ROWS]))  # fmt: skip
        self._table("funding", len(payments), (funding_row(view, r, explorer) for r in payments[:TABLE_ROWS]))

    def _fill_filters(self, view: HistoryView) -> None:
        sessions = self.query_one("#history-session", Select)
        options = [(f"{s.label or 'session'} {short_pubkey(s.pubkey)} · {s.status.value}", s.pubkey)
                   for s in view.sessions]  # fmt: skip
        with self.prevent(Select.Changed):
            sessions.set_options(options)
            if view.session is not None:
                sessions.value = view.session.pubkey
            markets = self.query_one("#history-market", Select)
            markets.set_options([("All markets", ALL_MARKETS), *((name, i) for i, name in view.markets.items())])
            markets.value = ALL_MARKETS if view.market_index is None else view.market_index

    def _table(self, name: str, total: int, rows: Iterable[Row]) -> None:
        """The newest rows (a table measures every row it holds; the CLI's CSV has them all)."""
        table = self.query_one(f"#history-{name}-table", DataTable)
        table.clear()
        table.add_rows(list(rows))
        shown = f"{total:,}" if total <= TABLE_ROWS else f"{TABLE_ROWS:,} newest of {total:,}"
        self.query_one(TabbedContent).get_tab(name).label = f"{TITLES[name]} {shown}"
        table.display = table.row_count > 0
        self.query_one(f"#history-{name}-empty", Static).display = table.row_count == 0

    def failed(self, sentence: str) -> None:
        self.query_one("#history-note", Static).update(sentence)
        if self.view is None:
            self.query_one("#history-figures", Static).update("Nothing to show: the reason is below.")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "history-session" and isinstance(event.value, str):
            self.session, self.market = event.value, None
        elif event.select.id == "history-market" and isinstance(event.value, int):
            self.market = None if event.value == ALL_MARKETS else event.value
        else:
            return
        self.load()

    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        self.query_one(f"#history-{name}-table", DataTable).focus()

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss()

