"""The order book of the selected market: asks above bids, each level with its cumulative depth.

Both sides have as many rows as the panel's height allows (`book_layout`), one per distance
from the spread, so a new book repaints two blocks of text and changes the layout only on a
resize. Depth bars scale to the deepest shown level. Until the DLOB feed exists it says so.
"""

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.app import ComposeResult
from textual.color import Color
from textual.content import Content
from textual.events import Resize
from textual.geometry import Region, Size
from textual.reactive import reactive, var
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from rekt_tui.domain.orderbook import BookLevel, OrderBook
from rekt_tui.tui.book_ladder import (
    BOOK_ALIGN,
    BOOK_COLUMNS,
    BookLayout,
    Places,
    book_cells,
    book_column_widths,
    book_figure_widths,
    book_layout,
    book_summary,
    depth_bar_width,
    ladder_places,
    liquidity_sources,
    shown_depth,
    table_line,
)
from rekt_tui.tui.formatting import orderbook_placeholder
from rekt_tui.tui.widgets.panel import Panel



BOOK_LABEL_WIDTHS = tuple(cell_len(label) for label in BOOK_COLUMNS)
LADDER_PLACES: Places = (2, 0)  # a market's least decimals before its first book: prices in cents


class BookLine(Widget):
    """A fixed-height line of text: unlike `Static.update`, a new text repaints it without a relayout."""

    text: reactive[str] = reactive("")

    def __init__(self, text: str, *, id: str) -> None:
        super().__init__(id=id)
        self.set_reactive(BookLine.text, text)

    def render(self) -> Content:
        return Content(self.text)


class BookSide(ScrollView):
    """One side of the book as text columns under a fixed header, drawn as a DataTable
    without a cursor is, and scrolling as one does when the panel is too short for it.

    Not a DataTable: any `update_cell` makes one re-render every cell and keep each
    rendering in its caches, which at one book a frame was most of the frame time and
    a stream of long-lived garbage that made the full GC pause for hundreds of ms.
    """

    COMPONENT_CLASSES = {"book-side--header"}
    DEFAULT_CSS = """
    BookSide {
        height: auto;
        max-height: 100%;
        & > .book-side--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
    }
    """

    # A var: a new book repaints only the lines whose text changed (most levels of a busy book
    # keep theirs from one slot to the next), not the whole side.
    rows: reactive[tuple[tuple[str, ...], ...]] = var(())

    def __init__(self, *, id: str, show_header: bool) -> None:
        super().__init__(id=id)
        self.show_header = show_header
        self.widths = BOOK_LABEL_WIDTHS  # the panel keeps both sides' equal
        self._base = RichStyle()  # the widget's own style, taken afresh at each repaint

    def show(self, rows: tuple[tuple[str, ...], ...], widths: tuple[int, ...]) -> None:
        """New rows in these column widths; new widths repaint every line."""
        if widths != self.widths:
            self.widths = widths
            self._size_to(rows)
            self.refresh()
        self.rows = rows

    def watch_rows(self, old: tuple[tuple[str, ...], ...], new: tuple[tuple[str, ...], ...]) -> None:
        self._size_to(new)
        if len(old) != len(new):
            self.refresh()
            return
        for row, (was, now) in enumerate(zip(old, new)):
            if was != now:
                self.refresh_line(self.show_header + row)

    def _size_to(self, rows: tuple[tuple[str, ...], ...]) -> None:
        self.virtual_size = Size(sum(self.widths) + 2 * len(self.widths), self.show_header + len(rows))

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style  # once per repaint: it walks every ancestor's styles
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base = self._base
        scroll_x, scroll_y = self.scroll_offset
        if self.show_header and y == 0:
            line = self._header()
        elif 0 <= (row := y + scroll_y - self.show_header) < len(self.rows):
            line = Strip([Segment(table_line(self.rows[row], self.widths, BOOK_ALIGN), base)])
        else:
            return Strip.blank(self.size.width, base)
        return line.crop_extend(scroll_x, scroll_x + self.size.width, base)

    def _header(self) -> Strip:
        """The column labels, their band faded out to the edge as a DataTable's header is."""
        header = self.get_component_rich_style("book-side--header")
        faded = Color.from_rich_color(header.bgcolor).blend(self.background_colors[1], 0.25)
        labels = table_line(BOOK_COLUMNS, self.widths, BOOK_ALIGN)
        rest = " " * max(0, self.size.width - cell_len(labels))
        fill = RichStyle(color=header.color, bgcolor=faded.rich_color)
        return Strip([Segment(labels, self._base + header), Segment(rest, fill)])


class OrderbookPanel(Panel):
    book: reactive[OrderBook | None] = var(None)
    market: reactive[str] = reactive("")
    shape: reactive[BookLayout] = var(BookLayout(1, compact=True))  # from the panel's height

    def __init__(self) -> None:
        super().__init__("Order book", id="orderbook")
        self._figures = (0, 0, 0)  # widest price, size and cumulative size so far
        self._places = LADDER_PLACES  # the most decimals this market's prices and sizes have needed

    def compose(self) -> ComposeResult:
        yield BookLine(orderbook_placeholder(), id="book-summary")
        for side in ("asks", "bids"):
            lines = BookSide(id=f"book-{side}", show_header=side == "asks")
            lines.display = False
            yield lines
        yield BookLine("", id="book-sources")

    def watch_market(self, market: str) -> None:
        self._figures = (0, 0, 0)  # another market's figures have other widths
        self._places = LADDER_PLACES  # and other decimals
        self.border_title = f"Order book · {market}" if market else "Order book"

    def on_mount(self) -> None:
        self._show()

    def on_resize(self, event: Resize) -> None:
        self._figures = (0, 0, 0)  # columns only ever widen between resizes
        self.shape = book_layout(self.size.height)

    def watch_shape(self, layout: BookLayout) -> None:
        self.query_one("#book-sources", BookLine).display = not layout.compact
        if self.is_mounted:
            self._show()

    def watch_book(self) -> None:
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        book = self.book
        summary = self.query_one("#book-summary", BookLine)
        # Two lines for the placeholder or the full summary; one for a compact book's summary.
        height = 1 if book is not None and self.shape.compact else 2
        if summary.styles.height is None or summary.styles.height.value != height:
            summary.styles.height = height
        if book is None:
            summary.text = orderbook_placeholder()
            for side in self.query(BookSide):
                side.display = False
            return
        layout = self.shape
        asks, bids = _padded(book.asks, layout.rows), _padded(book.bids, layout.rows)
        deepest = shown_depth(book, layout.rows)
        shown = [level for level in (*asks, *bids) if level is not None]
        places = self._places = ladder_places(shown, self._places)
        self._figures = book_figure_widths(shown, self._figures, places)
        bar = depth_bar_width(self._figures, self.size.width)
        widths = book_column_widths(self._figures, bar)
        summary.text = book_summary(book, layout.compact)
        self.query_one("#book-sources", BookLine).text = liquidity_sources(book)
        # Asks read upwards from the spread, so the best ask sits on the last row.
        sides = {
            "asks": tuple(book_cells(level, deepest, bar, places, self._figures[2]) for level in reversed(asks)),
            "bids": tuple(book_cells(level, deepest, bar, places, self._figures[2]) for level in bids),
        }
        lines = {side: self.query_one(f"#book-{side}", BookSide) for side in sides}
        for side, rows in sides.items():  # one set of widths, so asks and bids line up
            if not lines[side].display:
                lines[side].display = True
            lines[side].show(rows, widths)


def _padded(levels: tuple[BookLevel, ...], depth: int) -> tuple[BookLevel | None, ...]:
    """Exactly `depth` rows, blank where the side is thinner, so rows never come and go."""
    shown = levels[:depth]
    return (*shown, *(None,) * (depth - len(shown)))
