"""Every perp market with price, 24 h change, funding and open interest; `/` filters, Enter selects."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input

from rekt_tui.domain.market_context import MarketContext, base_text, percent_text
from rekt_tui.domain.markets import format_price

COLUMNS = ("Market", "Price", "24h", "Fund/h", "OI")


def list_cells(context: MarketContext) -> tuple[str, ...]:
    chain = context.chain
    price = context.contract.last_price if context.contract is not None else chain.oracle_price
    return (
        chain.symbol, format_price(price), percent_text(context.change_24h),
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
        yield Input(placeholder="filter markets", id="market-filter")
        table: DataTable[str] = DataTable(id="market-table", cursor_type="row", zebra_stripes=True)
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
