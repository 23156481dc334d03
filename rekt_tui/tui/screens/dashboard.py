"""The main screen: HUD across the top; positions, open orders, order book, session and activity below.

The screen holds the data its widgets show as reactives; the app sets them and
`data_bind` carries each value down to the widgets that display it. Panels fed by the
account feed share its age and staleness; the order book has its own. The live feeds
arrive twice: `account` and `book` are the newest, for the HUD and for actions; the
panels show `panel_account` and `panel_book`, which the app refreshes less often.
"""

from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer

from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.domain.status import ShellStatus
from rekt_tui.domain.trading import AccountSnapshot, Order, Position
from rekt_tui.services.market_data import BOOK_MARKETS
from rekt_tui.tui.activity import ActivityEntry
from rekt_tui.tui.messages import LinkedSession, MarketSelected
from rekt_tui.tui.widgets.activity_log import ActivityLog
from rekt_tui.tui.widgets.banners import MainnetBanner, ReadOnlyNotice
from rekt_tui.tui.widgets.hud import Hud
from rekt_tui.tui.widgets.orderbook import OrderbookPanel
from rekt_tui.tui.widgets.orders import OrdersPanel
from rekt_tui.tui.widgets.positions import PositionsPanel
from rekt_tui.tui.widgets.session_panel import SessionPanel


class DashboardScreen(Screen[None], inherit_bindings=False):
    # Below 120 columns the panels sit two by two; from 120 on, `-wide` gives them three columns.
    HORIZONTAL_BREAKPOINTS = [(120, "-wide")]
    AUTO_FOCUS = "#positions"
    # Escape is an explicit binding below, so it shows up in help like every other key.
    ESCAPE_TO_MINIMIZE = False

    BINDINGS = [
        Binding("tab", "app.focus_next", "Next panel", id="dashboard.focus_next", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous panel", id="dashboard.focus_previous", show=False),
        Binding("1", "focus('#positions')", "Go to positions", id="dashboard.go_positions", show=False),
        Binding("2", "focus('#orderbook')", "Go to order book", id="dashboard.go_orderbook", show=False),
        Binding("3", "focus('#session')", "Go to session", id="dashboard.go_session", show=False),
        Binding("4", "focus('#activity')", "Go to activity log", id="dashboard.go_activity", show=False),
        Binding("5", "focus('#orders')", "Go to open orders", id="dashboard.go_orders", show=False),
        Binding("m", "next_market", "Next market", id="dashboard.next_market"),
        Binding("z", "maximize", "Zoom panel", id="dashboard.zoom"),
        Binding("escape", "minimize", "Restore panels", id="dashboard.restore"),
        Binding("ctrl+c", "copy_text", "Copy selected text", id="dashboard.copy_text", show=False),
    ]

    status: reactive[ShellStatus | None] = reactive(None)
    cluster: reactive[str | None] = reactive(None)
    mainnet: reactive[bool] = reactive(False)
    read_only_reason: reactive[str | None] = reactive(None)
    max_leverage: reactive[Decimal | None] = reactive(None)
    activity: reactive[tuple[ActivityEntry, ...]] = reactive(())
    # Live data changes many times a second: `var`, so a change repaints the widgets showing it, not the screen.
    linked: reactive[LinkedSession | None] = var(None)
    account: reactive[AccountSnapshot | None] = var(None)
    panel_account: reactive[AccountSnapshot | None] = var(None)
    account_age: reactive[float | None] = var(None)
    account_stale: reactive[bool] = var(False)
    market: reactive[str] = var(BOOK_MARKETS[0])
    book: reactive[OrderBook | None] = var(None)
    panel_book: reactive[OrderBook | None] = var(None)
    book_age: reactive[float | None] = var(None)
    book_stale: reactive[bool] = var(False)
    oracle_price: reactive[int | None] = var(None)

    def __init__(self, *, cluster: str, mainnet: bool, max_leverage: Decimal) -> None:
        """`mainnet` is known from settings so the banner is up before the status has loaded."""
        super().__init__(id="dashboard")
        self.set_reactive(DashboardScreen.cluster, cluster)
        self.set_reactive(DashboardScreen.mainnet, mainnet)
        self.set_reactive(DashboardScreen.max_leverage, max_leverage)

    def compose(self) -> ComposeResult:
        yield MainnetBanner().data_bind(DashboardScreen.mainnet)
        yield ReadOnlyNotice().data_bind(DashboardScreen.read_only_reason)
        account_freshness = {"age_s": DashboardScreen.account_age, "stale": DashboardScreen.account_stale}
        yield Hud().data_bind(
            DashboardScreen.cluster, DashboardScreen.max_leverage, DashboardScreen.account,
            DashboardScreen.oracle_price, **account_freshness,
        )  # fmt: skip
        with Grid(id="panels"):
            panel_account = {"account": DashboardScreen.panel_account, **account_freshness}
            yield PositionsPanel().data_bind(DashboardScreen.status, **panel_account)
            yield OrderbookPanel().data_bind(
                DashboardScreen.market, book=DashboardScreen.panel_book,
                age_s=DashboardScreen.book_age, stale=DashboardScreen.book_stale,
            )  # fmt: skip
            yield SessionPanel().data_bind(DashboardScreen.status, DashboardScreen.linked, **panel_account)
            yield ActivityLog().data_bind(entries=DashboardScreen.activity)
            yield OrdersPanel().data_bind(DashboardScreen.linked, **panel_account)
        yield Footer()

    def watch_status(self, status: ShellStatus | None) -> None:
        if status is not None:
            self.cluster = status.cluster
            self.mainnet = status.is_mainnet
            self.read_only_reason = status.registry_read_only_reason

    def watch_book(self, book: OrderBook | None) -> None:
        self._show_oracle()

    def watch_account(self, account: AccountSnapshot | None) -> None:
        self._show_oracle()

    def watch_linked(self) -> None:
        self.refresh_bindings()  # the market switch applies once a book feed runs

    def _show_oracle(self) -> None:
        """The selected market's oracle: from its book, else from a position in it."""
        if self.book is not None and self.book.oracle_price is not None:
            self.oracle_price = self.book.oracle_price
            return
        positions = () if self.account is None else self.account.positions
        self.oracle_price = next((p.oracle_price for p in positions if p.symbol == self.market), None)

    def selected_position(self) -> Position | None:
        """The position under the positions cursor (the first one before the cursor moved)."""
        positions = {p.symbol: p for p in self.account.positions} if self.account else {}
        return positions.get(_cursor_key(self.query_one("#positions-table", DataTable)))

    def selected_order(self) -> Order | None:
        """The open order under the orders cursor."""
        orders = {str(o.order_id): o for o in self.account.orders} if self.account else {}
        return orders.get(_cursor_key(self.query_one("#orders-table", DataTable)))

    def action_next_market(self) -> None:
        """Intent only: the app switches the feed; the old market's book is dropped at once."""
        following = BOOK_MARKETS.index(self.market) + 1 if self.market in BOOK_MARKETS else 0
        self.market = BOOK_MARKETS[following % len(BOOK_MARKETS)]
        self.book = self.panel_book = None
        self.post_message(MarketSelected(self.market))

    def watch_maximized(self, maximized: Widget | None) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer zoom only when nothing is zoomed, and restore only when something is."""
        if action == "maximize":
            return self.maximized is None
        if action == "minimize":
            return self.maximized is not None
        if action == "next_market":
            return self.linked is not None
        return True


def _cursor_key(table: DataTable) -> str | None:
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
