"""Open perp positions, one row per market, updated cell by cell as the account changes.

Until the account feed exists it says why the panel is empty.
"""

from textual.app import ComposeResult
from textual.reactive import reactive, var
from textual.widgets import DataTable, Static

from rekt_tui.domain.status import ShellStatus
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.formatting import positions_placeholder
from rekt_tui.tui.tables import POSITION_COLUMNS, position_cells
from rekt_tui.tui.widgets.panel import Panel
from rekt_tui.tui.widgets.rows import add_columns, show_rows

NO_POSITIONS = "No open positions."


class PositionsPanel(Panel):
    status: reactive[ShellStatus | None] = reactive(None)
    account: reactive[AccountSnapshot | None] = var(None)

    def __init__(self) -> None:
        super().__init__("Positions", id="positions")

    def compose(self) -> ComposeResult:
        yield Static(positions_placeholder(self.status), id="positions-note", markup=False)
        table: DataTable = DataTable(id="positions-table", cursor_type="row", zebra_stripes=True)
        add_columns(table, POSITION_COLUMNS)
        yield table

    def on_mount(self) -> None:
        self._show()

    def watch_status(self) -> None:
        if self.is_mounted:
            self._show()

    def watch_account(self) -> None:
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        account = self.account
        rows = None if account is None else {p.symbol: position_cells(p) for p in account.positions}
        empty = positions_placeholder(self.status) if account is None else NO_POSITIONS
        show_rows(self.query_one("#positions-table", DataTable), self.query_one("#positions-note", Static), rows, empty)
