"""Open perp positions, a line per market; a new account snapshot redraws only the lines that changed.

Until the account feed exists it says why the panel is empty. A narrow panel drops the
least needed columns (`POSITION_DROP_ORDER`) rather than cut a figure.
"""

from textual.app import ComposeResult
from textual.events import Resize
from textual.reactive import reactive, var
from textual.widgets import Static

from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.domain.status import ShellStatus
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.formatting import positions_placeholder
from rekt_tui.tui.tables import POSITION_COLUMNS, POSITION_DROP_ORDER, position_cells
from rekt_tui.tui.widgets.row_lines import RowLines, TablePanel, show_table

NO_POSITIONS = "No open positions."


class PositionsPanel(TablePanel):
    status: reactive[ShellStatus | None] = reactive(None)
    account: reactive[AccountSnapshot | None] = var(None)
    book: reactive[OrderBook | None] = var(None)  # the shown market's book: its mark for that position

    def __init__(self) -> None:
        super().__init__("Positions", id="positions")

    def compose(self) -> ComposeResult:
        yield Static(positions_placeholder(self.status), id="positions-note", markup=False)
        yield RowLines(id="positions-table")

    def on_mount(self) -> None:
        self._show()

    def on_resize(self, event: Resize) -> None:
        self._show()

    def watch_status(self) -> None:
        if self.is_mounted:
            self._show()

    def watch_account(self) -> None:
        if self.is_mounted:
            self._show()

    def watch_book(self) -> None:
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        account, book = self.account, self.book
        rows = None
        if account is not None:
            marks = {book.market_name: book.mark_price} if book is not None else {}
            rows = {p.symbol: position_cells(p, marks.get(p.symbol), account.total_collateral) for p in account.positions}
        empty = positions_placeholder(self.status) if account is None else NO_POSITIONS
        table, note = self.query_one("#positions-table", RowLines), self.query_one("#positions-note", Static)
        show_table(table, note, POSITION_COLUMNS, POSITION_DROP_ORDER, rows, empty, self.size.width)
