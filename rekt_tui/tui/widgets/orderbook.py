"""The order book of the selected market: asks above bids, each level with its cumulative depth.

Both sides are tables with a fixed number of rows keyed by distance from the spread, so a
new book rewrites only the cells whose text changed. Until the DLOB feed exists it says so.
"""

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive, var
from textual.widget import Widget
from textual.widgets import DataTable

from rekt_tui.domain.orderbook import BookLevel, OrderBook
from rekt_tui.tui.formatting import BOOK_COLUMNS, book_cells, book_summary, liquidity_sources, orderbook_placeholder
from rekt_tui.tui.widgets.panel import Panel
from rekt_tui.tui.widgets.rows import add_columns, sync_rows

BOOK_DEPTH = 8


class BookLine(Widget):
    """A fixed-height line of text: unlike `Static.update`, a new text repaints it without a relayout."""

    text: reactive[str] = reactive("")

    def __init__(self, text: str, *, id: str) -> None:
        super().__init__(id=id)
        self.set_reactive(BookLine.text, text)

    def render(self) -> Content:
        return Content(self.text)


class OrderbookPanel(Panel):
    book: reactive[OrderBook | None] = var(None)
    market: reactive[str] = reactive("")

    def __init__(self) -> None:
        super().__init__("Order book", id="orderbook")

    def compose(self) -> ComposeResult:
        yield BookLine(orderbook_placeholder(), id="book-summary")
        for side in ("asks", "bids"):
            table: DataTable = DataTable(id=f"book-{side}", cursor_type="none", show_header=side == "asks")
            add_columns(table, BOOK_COLUMNS)
            table.display = False
            yield table
        yield BookLine("", id="book-sources")

    def watch_market(self, market: str) -> None:
        self.border_title = f"Order book · {market}" if market else "Order book"

    def on_mount(self) -> None:
        self._show()

    def watch_book(self) -> None:
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        book = self.book
        if book is None:
            self.query_one("#book-summary", BookLine).text = orderbook_placeholder()
            for table in self.query(DataTable):
                table.display = False
            return
        deepest = max((side[-1].cumulative_size for side in (book.bids, book.asks) if side), default=0)
        self.query_one("#book-summary", BookLine).text = book_summary(book)
        self.query_one("#book-sources", BookLine).text = liquidity_sources(book)
        # Asks read upwards from the spread, so the best ask sits on the last row.
        self._show_side("asks", tuple(reversed(_padded(book.asks))), deepest)
        self._show_side("bids", _padded(book.bids), deepest)

    def _show_side(self, side: str, levels: tuple[BookLevel | None, ...], deepest: int) -> None:
        table = self.query_one(f"#book-{side}", DataTable)
        if not table.display:
            table.display = True
        sync_rows(table, {f"{side}-{row}": book_cells(level, deepest) for row, level in enumerate(levels)})


def _padded(levels: tuple[BookLevel, ...]) -> tuple[BookLevel | None, ...]:
    """Exactly `BOOK_DEPTH` rows, blank where the side is thinner, so rows never come and go."""
    shown = levels[:BOOK_DEPTH]
    return (*shown, *(None,) * (BOOK_DEPTH - len(shown)))
