"""Open orders of the followed account, one row per chain order id, updated in place; a narrow
panel drops the least needed columns (`ORDER_DROP_ORDER`) rather than cut a cell. A market's
take-profit and stop-loss (reduce-only triggers) follow its other orders, marked as its bracket.
Each row starts with its order number, the one `:modify` and `:cancel` name."""

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.reactive import reactive, var
from textual.widgets import Static

from rekt_tui.domain.brackets import WaitingLeg, resting_protection, waiting_leg_cells
from rekt_tui.domain.order_modify import kind_of
from rekt_tui.domain.orders import OrderKind
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.formatting import NOT_CONNECTED
from rekt_tui.tui.tables import ORDER_COLUMNS, ORDER_DROP_ORDER, order_cells
from rekt_tui.tui.messages import LinkedSession
from rekt_tui.tui.screen_names import MODIFY_ORDER
from rekt_tui.tui.widgets.row_lines import RowLines, TablePanel, show_table

NO_ORDERS = "No open orders."
PANEL_COLUMNS = ("#", *ORDER_COLUMNS)  # the chain order id first: what the command line names
ORDERS_PLACEHOLDER = f"Open orders: {NOT_CONNECTED}."


def leg_names(account: AccountSnapshot) -> dict[int, str]:
    """`TP` or `SL` by order id, for the protection of held markets: the position's oracle tells
    which side of it each trigger lies on."""
    oracles = {p.market_index: p.oracle_price for p in account.positions}
    names = {}
    for order in account.orders:
        if resting_protection(order) and order.market_index in oracles:
            kind = kind_of(order, oracles[order.market_index])
            names[order.order_id] = "SL" if kind in (OrderKind.STOP_MARKET, OrderKind.STOP_LIMIT) else "TP"
    return names


def grouped_rows(
    account: AccountSnapshot, names: dict[int, str], waiting: tuple[WaitingLeg, ...] = (),
    known_legs: Mapping[int, str] | None = None,
) -> dict[str, tuple[str, ...]]:  # fmt: skip
    """Rows by chain order id: each market's orders, then its bracket legs marked `↳ TP` / `↳ SL`;
    a resting entry's legs that wait for its fill right under it (keyed `<id>:<leg>`: not an order).
    `known_legs` names legs seen while their market was held: in the moments after a close, before
    the watcher cancels them, the position that told them apart is gone."""
    legs = {**(known_legs or {}), **leg_names(account)}
    rows = {}
    for order in sorted(account.orders, key=lambda o: (o.market_index, resting_protection(o), o.order_id)):
        cells = order_cells(order, names)
        if resting_protection(order) and order.order_id in legs:
            cells = (cells[0], f"↳ {legs[order.order_id]}", *cells[2:])
        rows[str(order.order_id)] = (str(order.order_id), *cells)
        for pending in waiting:
            if (pending.entry_user_order_id, pending.market_index) == (order.user_order_id, order.market_index):
                rows[f"{order.order_id}:{pending.name}"] = ("", *waiting_leg_cells(pending, cells[0]))
    return rows


class OrdersPanel(TablePanel):
    BINDINGS = [
        Binding("e", f"app.push_screen('{MODIFY_ORDER}')", "Modify the selected order", id="orders.modify"),
    ]

    account: reactive[AccountSnapshot | None] = var(None)
    linked: reactive[LinkedSession | None] = var(None)

    def __init__(self) -> None:
        super().__init__("Open orders", id="orders")
        self._legs: dict[int, str] = {}  # TP or SL by order id, as last seen with its position

    def compose(self) -> ComposeResult:
        yield Static(ORDERS_PLACEHOLDER, id="orders-note", markup=False)
        yield Static("", id="orders-unread", markup=False)  # above rows that may be incomplete
        yield RowLines(id="orders-table")

    def on_mount(self) -> None:
        self._show()

    def on_resize(self, event: Resize) -> None:
        self._show()

    def watch_account(self) -> None:
        if self.is_mounted:
            self._show()

    def watch_linked(self) -> None:  # waiting bracket legs come with the linked session's reads
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        account = self.account
        names = self.linked.market_names if self.linked is not None else {}
        waiting = self.linked.waiting_legs if self.linked is not None else ()
        if account is not None:  # remember each leg's name for the moments after its position is gone
            resting = {o.order_id for o in account.orders}
            self._legs = {key: leg for key, leg in self._legs.items() if key in resting} | leg_names(account)
        rows = None if account is None else grouped_rows(account, names, waiting, self._legs)
        unread = None if account is None else account.orders_unread
        empty = ORDERS_PLACEHOLDER if account is None else unread or NO_ORDERS
        table, note = self.query_one("#orders-table", RowLines), self.query_one("#orders-note", Static)
        show_table(table, note, PANEL_COLUMNS, ORDER_DROP_ORDER, rows, empty, self.size.width)
        warning = self.query_one("#orders-unread", Static)
        shown = unread if rows else None  # with no rows the note itself says it
        if warning.display != (shown is not None):
            warning.display = shown is not None
        if shown is not None and warning.content != shown:
            warning.update(shown)
