"""Open orders of the followed account, one row per chain order id, updated in place; a narrow
panel drops the least needed columns (`ORDER_DROP_ORDER`) rather than cut a cell."""

from textual.app import ComposeResult
from textual.events import Resize
from textual.reactive import reactive, var
from textual.widgets import DataTable, Static

from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.formatting import NOT_CONNECTED
from rekt_tui.tui.tables import ORDER_COLUMNS, ORDER_DROP_ORDER, order_cells
from rekt_tui.tui.messages import LinkedSession
from rekt_tui.tui.widgets.panel import Panel
from rekt_tui.tui.widgets.rows import show_fitting_rows

NO_ORDERS = "No open orders."
ORDERS_PLACEHOLDER = f"Open orders: {NOT_CONNECTED}."


class OrdersPanel(Panel):
    account: reactive[AccountSnapshot | None] = var(None)
    linked: reactive[LinkedSession | None] = var(None)

    def __init__(self) -> None:
        super().__init__("Open orders", id="orders")

    def compose(self) -> ComposeResult:
        yield Static(ORDERS_PLACEHOLDER, id="orders-note", markup=False)
        yield DataTable(id="orders-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self._show()

    def on_resize(self, event: Resize) -> None:
        self._show()

    def watch_account(self) -> None:
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        account = self.account
        names = self.linked.market_names if self.linked is not None else {}
        rows = None if account is None else {str(order.order_id): order_cells(order, names) for order in account.orders}
        empty = ORDERS_PLACEHOLDER if account is None else NO_ORDERS
        table, note = self.query_one("#orders-table", DataTable), self.query_one("#orders-note", Static)
        show_fitting_rows(table, note, ORDER_COLUMNS, ORDER_DROP_ORDER, rows, empty, self.size.width)
