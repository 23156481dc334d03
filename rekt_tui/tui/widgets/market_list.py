"""Every perp market with price, 24 h change, a 24 h sparkline, funding and open interest;
`/` filters, Enter selects.

The sparkline is Textual's own (`textual.renderables.sparkline`, the renderable its
`Sparkline` widget draws) placed in a table cell: one line per market, drawn only when the
list is refilled from the overview (every few seconds), from the hourly candles already
read for the 24 h change. A plotext plot per row would be a widget and a canvas per market
redrawn on every layout, for the same one line of bars.
"""

from collections.abc import Sequence

from rich.color import Color
from rich.console import RenderableType
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.renderables.sparkline import Sparkline
from textual.widgets import DataTable, Input

from rekt_tui.domain.market_context import MarketContext, base_text, percent_text
from rekt_tui.domain.markets import format_price
from rekt_tui.tui.widgets.typed_input import TypedInput

COLUMNS = ("Market", "Price", "24h", "Trend 24h", "Fund/h", "OI")
SPARK_WIDTH = 12  # cells: two hourly closes each
FALLING, RISING = Color.from_rgb(224, 82, 82), Color.from_rgb(82, 196, 120)


def _last(bucket: Sequence[int]) -> int:
    return bucket[-1]


def sparkline(closes: tuple[int, ...]) -> RenderableType:
    """The hourly closes as one line of bars, lowest red to highest green; "—" with fewer than two."""
    if len(closes) < 2:
        return "—"
    return Sparkline(closes, width=SPARK_WIDTH, min_color=FALLING, max_color=RISING, summary_function=_last)


def list_cells(context: MarketContext) -> tuple[RenderableType, ...]:
    chain = context.chain
    price = context.contract.last_price if context.contract is not None else chain.oracle_price
    return (
        chain.symbol, format_price(price), percent_text(context.change_24h), sparkline(context.closes),
        percent_text(chain.last_hourly_rate, 4), base_text(chain.base_long, 1),
    )  # fmt: skip


class MarketList(Vertical):
    DEFAULT_CSS = """
    MarketList { height: 1fr; }
    MarketList Input { display: none; height: 3; }
    MarketList.-filtering Input { display: block; }
    MarketList DataTable { height: 1fr; }
    """

    class Selected(Message):
        def __init__(self, symbol: str) -> None:
            super().__init__()
            self.symbol = symbol

    def __init__(self) -> None:
        super().__init__(id="market-list", classes="market-panel")
        self.border_title = "Markets  (/ filter, Enter select)"
        self.markets: tuple[MarketContext, ...] = ()

    def compose(self) -> ComposeResult:
        yield TypedInput(placeholder="filter markets", id="market-filter")
        table: DataTable[RenderableType] = DataTable(id="market-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table

    def show(self, markets: tuple[MarketContext, ...]) -> None:
        self.markets = markets
        self._fill()
        self.set_class(False, "-stale")

    def failed(self) -> None:
        self.set_class(True, "-stale")

    def on_key(self, event) -> None:
        """Escape in the filter closes the filter, not the screen."""
        if event.key == "escape" and self.has_class("-filtering"):
            event.stop()
            self._close_filter()

    def start_filter(self) -> None:
        self.add_class("-filtering")
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Select the row under the cursor, then show every market again."""
        event.stop()
        table = self.query_one(DataTable)
        if table.row_count:
            self.post_message(self.Selected(str(table.get_row_at(table.cursor_row)[0])))
        self._close_filter()

    def _close_filter(self) -> None:
        self.remove_class("-filtering")
        self.query_one(Input).value = ""  # refills the table (Input.Changed)
        self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Selected(str(event.row_key.value)))

    def _fill(self) -> None:
        wanted = self.query_one(Input).value.strip().upper()
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for context in self.markets:
            if wanted in context.symbol.upper():
                table.add_row(*list_cells(context), key=context.symbol)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
