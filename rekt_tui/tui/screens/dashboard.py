"""The main screen: HUD across the top; positions, open orders, order book, session and activity below.

The screen holds the data its widgets show as reactives, and `data_bind` carries each
value down to the widgets that display it. It lives as long as the app (it is the default
screen), so it runs the live feeds (`LiveFeeds`) and keeps the cockpit's record of the
session: which one is linked, which setup step runs, and the activity log, to which the
app's signing workers report. Panels fed by the account feed share its age and staleness;
the order book has its own. The live feeds arrive twice: `account` and `book` are the
newest, for the HUD and for actions; the panels show `panel_account` and `panel_book`,
which are refreshed less often.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widget import Widget

from rekt_tui.domain.brackets import held_markets, protection_without_entry
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.domain.session import SessionRecord
from rekt_tui.domain.status import ShellStatus
from rekt_tui.domain.trading import AccountSnapshot, Order, Position
from rekt_tui.domain.markets import BOOK_MARKETS
from rekt_tui.tui.activity import ActivityEntry, Severity, appended
from rekt_tui.tui.collateral_actions import open_collateral
from rekt_tui.tui.formatting import chain_slot, cycled, status_summary
from rekt_tui.tui.live import LiveFeeds
from rekt_tui.tui.other_writers import OTHER_WRITERS_POLL_S, OtherWriters
from rekt_tui.tui.loss_limit_lift import lift_loss_limit
from rekt_tui.tui.messages import (
    AccountUpdated,
    FeedAged,
    FeedStateChanged,
    LinkedSession,
    MarketSelected,
    SessionLinked,
)
from rekt_tui.tui.order_text import placed_text
from rekt_tui.tui.screens.curtain import push_full_screen
from rekt_tui.tui.screen_names import ORDER_ENTRY, is_screen
from rekt_tui.tui.session_messages import OrderPlaced, SessionOpened, Sent, StepStateChanged
from rekt_tui.tui.widgets.activity_log import ActivityLog
from rekt_tui.tui.widgets.banners import MainnetBanner, ReadOnlyNotice
from rekt_tui.tui.widgets.hud import Hud
from rekt_tui.tui.widgets.key_bar import KeyBar
from rekt_tui.tui.widgets.liquidation_banner import LiquidationBanner
from rekt_tui.tui.widgets.orderbook import OrderbookPanel
from rekt_tui.tui.widgets.orders import OrdersPanel
from rekt_tui.tui.widgets.positions import PositionsPanel
from rekt_tui.tui.widgets.row_lines import RowLines
from rekt_tui.tui.widgets.session_panel import SessionPanel

if TYPE_CHECKING:
    from rekt_tui.config import Settings
    from rekt_tui.domain.loss_limit import GuardState
    from rekt_tui.tui.session_controller import SessionController


class DashboardScreen(Screen[None], inherit_bindings=False):
    # Below 120 columns the panels sit two by two; from 120 on, `-wide` gives them three columns,
    # and from 160 on `-widest` also puts the whole HUD on one row.
    HORIZONTAL_BREAKPOINTS = [(120, "-wide"), (160, "-widest")]
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
        Binding("m", "next_market", "Market", id="dashboard.next_market"),
        Binding("dollar_sign", "collateral", "Add or withdraw collateral", id="dashboard.collateral"),
        Binding("h", "history", "History: fills, orders, results", id="dashboard.history"),
        Binding("z", "maximize", "Zoom panel", id="dashboard.zoom", show=False),
        Binding("L", "lift_loss_limit", "Lift the loss limit (exit-only)", id="dashboard.lift_loss_limit", show=False),
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
    slot: reactive[int | None] = var(None)  # the chain's, as far as the feeds have seen
    guard: reactive[GuardState | None] = var(None)  # the loss limit, as the watcher last saw it
    liquidation: reactive[str | None] = var(None)  # the last liquidation the chain recorded, for its banner
    # The linked session as last recorded, and the setup step running: setup and the checklist follow these.
    session: reactive[SessionRecord | None] = var(None)
    busy_step: reactive[str | None] = var(None)

    def __init__(
        self, *, sessions: SessionController, max_leverage: Decimal, clock: Callable[[], datetime] = datetime.now
    ) -> None:
        """`mainnet` is known from settings so the banner is up before the status has loaded;
        `clock` stamps activity-log lines."""
        super().__init__(id="dashboard")
        cluster = sessions.services.settings.cluster
        self.set_reactive(DashboardScreen.cluster, cluster)
        self.set_reactive(DashboardScreen.mainnet, cluster == "mainnet")
        self.set_reactive(DashboardScreen.max_leverage, max_leverage)
        self._sessions = sessions
        self._clock = clock
        self.feeds = LiveFeeds(self, sessions, self.record)

    def compose(self) -> ComposeResult:
        yield MainnetBanner().data_bind(DashboardScreen.mainnet)
        yield ReadOnlyNotice().data_bind(DashboardScreen.read_only_reason)
        yield LiquidationBanner().data_bind(DashboardScreen.liquidation)
        account_freshness = {"age_s": DashboardScreen.account_age, "stale": DashboardScreen.account_stale}
        yield Hud().data_bind(
            DashboardScreen.cluster, DashboardScreen.max_leverage, DashboardScreen.account,
            DashboardScreen.oracle_price, DashboardScreen.slot, DashboardScreen.guard, DashboardScreen.market,
            **account_freshness,
        )  # fmt: skip
        with Grid(id="panels"):
            panel_account = {"account": DashboardScreen.panel_account, **account_freshness}
            yield PositionsPanel().data_bind(DashboardScreen.status, book=DashboardScreen.panel_book, **panel_account)
            yield OrderbookPanel().data_bind(
                DashboardScreen.market, book=DashboardScreen.panel_book,
                age_s=DashboardScreen.book_age, stale=DashboardScreen.book_stale,
            )  # fmt: skip
            yield SessionPanel().data_bind(DashboardScreen.status, DashboardScreen.linked, **panel_account)
            yield ActivityLog().data_bind(entries=DashboardScreen.activity)
            yield OrdersPanel().data_bind(DashboardScreen.linked, **panel_account)
        yield KeyBar()

    def watch_status(self, status: ShellStatus | None) -> None:
        if status is not None:
            self.cluster = status.cluster
            self.mainnet = status.is_mainnet
            self.read_only_reason = status.registry_read_only_reason

    def watch_book(self, book: OrderBook | None) -> None:
        self._show_oracle()
        self._show_slot()

    def watch_account(self, account: AccountSnapshot | None) -> None:
        self._show_oracle()
        self._show_slot()

    def watch_panel_account(self, old: AccountSnapshot | None, new: AccountSnapshot | None) -> None:
        if _shape(old) != _shape(new):  # close and cancel apply to what the panels now list
            self.call_after_refresh(self.refresh_bindings)

    @on(RowLines.Highlighted)
    def _selection_moved(self) -> None:
        self.refresh_bindings()

    def watch_linked(self, linked: LinkedSession | None) -> None:
        self.refresh_bindings()  # the market switch applies once a book feed runs
        if linked is not None:  # the cap the guards apply is the session's strategy's, not the default's
            self.max_leverage = session_max_leverage(self._sessions.services.settings, linked.session.strategy)

    def _show_slot(self) -> None:
        """The chain's slot: it never goes back, though a market switch drops the book for a moment."""
        slot = chain_slot(self.account, self.book)
        if slot is not None and (self.slot is None or slot > self.slot):
            self.slot = slot

    def _show_oracle(self) -> None:
        """The selected market's oracle: from its book or from a position in it, whichever was
        read at the newer slot (with one feed silent, the other's reads keep it current)."""
        account, book = self.account, self.book
        held = next((p.oracle_price for p in account.positions if p.symbol == self.market), None) if account else None
        if book is not None and book.oracle_price is not None and (held is None or book.slot >= account.slot):
            self.oracle_price = book.oracle_price
        else:
            self.oracle_price = held

    def selected_position(self) -> Position | None:
        """The position under the positions cursor (the first one before the cursor moved)."""
        positions = {p.symbol: p for p in self.account.positions} if self.account else {}
        return positions.get(self.query_one("#positions-table", RowLines).selected)

    def selected_order(self) -> Order | None:
        """The open order under the orders cursor."""
        orders = {str(o.order_id): o for o in self.account.orders} if self.account else {}
        return orders.get(self.query_one("#orders-table", RowLines).selected)

    def protection(self) -> dict[int, tuple[Order, ...]]:
        """By held market, the take-profits and stop-losses a full close ends once it fills: none
        while an entry rests there (a bracket waiting for its fill may own them)."""
        if self.account is None:
            return {}
        orders = self.account.orders
        return {m: legs for m in held_markets(self.account) if (legs := protection_without_entry(orders, m))}

    def orders_and_names(self) -> tuple[int, dict[int, str]]:
        """How many orders are open, and the market names to describe one: for the cancel question."""
        count = len(self.account.orders) if self.account else 0
        return count, self.linked.market_names if self.linked else {}

    def action_collateral(self) -> None:
        open_collateral(self.app, self._sessions, self.post_message)

    def action_next_market(self) -> None:
        self.follow_market(cycled(BOOK_MARKETS, self.market, 1))

    def follow_market(self, market: str | None) -> None:
        """Switch the book feed to `market` (None: keep it); the old market's book is dropped at once."""
        if market is not None and market != self.market:
            self.market = market
            self.book = self.panel_book = None
            self.post_message(MarketSelected(market))

    def open_market_screen(self) -> None:
        """Market context needs no session; the session's own fills are marked when one is chosen."""
        from rekt_tui.services.market_context import MarketContextService
        from rekt_tui.tui.screens.market import MarketScreen

        session = self._sessions.session
        service = MarketContextService.open(self._sessions.services.settings)
        own = session.drift_user if session else None
        screen = MarketScreen(service, self.market, own, account=lambda: self.feeds.latest_account)
        push_full_screen(self.app, screen, self.follow_market)

    def action_history(self) -> None:
        from rekt_tui.tui.screens.history import HistoryScreen  # its chart library is not for the first frame

        session = self.session
        push_full_screen(self.app, HistoryScreen(self._sessions.services, session.pubkey if session else None))

    def action_lift_loss_limit(self) -> None:
        lift_loss_limit(self, self._sessions.services)

    def watch_maximized(self, maximized: Widget | None) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer zoom only when nothing is zoomed, and restore only when something is."""
        if action == "maximize":
            return self.maximized is None
        if action == "minimize":
            return self.maximized is not None
        if action == "next_market":
            return self.feeds.book_running or self.linked is not None
        if action == "collateral":  # the session's Drift account, linked to sign
            return self._sessions.linked and self.account is not None
        return True

    def show_status(self, status: ShellStatus, changes: tuple[str, ...] | None = None) -> None:
        """Where the shell stands, on screen and in the activity log (what another process
        changed, when that is why it was read)."""
        self.status = status
        for line in (status_summary(status),) if changes is None else changes:
            self.record(line)
        if status.registry_read_only_reason is not None:
            self.record(f"Registry is read-only: {status.registry_read_only_reason}", "warning")
        if status.keystore.problem:
            self.record(status.keystore.problem, "error")

    def record(self, text: str, severity: Severity = "information") -> None:
        """Add a line to the activity log."""
        self.activity = appended(self.activity, ActivityEntry(at=self._clock(), text=text, severity=severity))

    # The live feeds' messages (posted by their workers, which run on this screen)

    def on_market_selected(self, message: MarketSelected) -> None:
        self.feeds.switch_market(message.market)

    def on_session_linked(self, message: SessionLinked) -> None:
        self.linked = message.linked

    def on_mount(self) -> None:
        # A session set up or stopped in another terminal shows here without `r`.
        other_writers = OtherWriters(self._sessions.services, lambda: self.status, self.app.post_message)
        self.call_later(other_writers.check)
        self.set_interval(OTHER_WRITERS_POLL_S, other_writers.check)

    def on_screen_resume(self) -> None:
        self.feeds.pacer.resume()  # what arrived while a full screen covered it

    def on_account_updated(self, message: AccountUpdated) -> None:
        self.feeds.account_updated(message.snapshot)

    def on_feed_state_changed(self, message: FeedStateChanged) -> None:
        self.feeds.state_changed(message.event)

    def on_feed_aged(self, message: FeedAged) -> None:
        self.feeds.aged(message.feed, message.age_s, message.state)

    # What the app's signing workers report

    def on_session_opened(self, message: SessionOpened) -> None:
        self.session = message.session
        self.feeds.follow(message.session.pubkey)
        self.record(f"Session wallet {message.session.pubkey} is linked to {self._sessions.services.settings.cluster}.")
        if message.refusal is not None:  # said once, at once: not after an order is filled in and confirmed
            self.record(message.refusal, "error")
            self.notify(message.refusal, title="Trading refused", severity="error", timeout=30, markup=False)
        self.app.refresh_bindings()

    def on_step_state_changed(self, message: StepStateChanged) -> None:
        self.busy_step = None if message.done else message.step
        self.session = self._sessions.session  # steps record what they did on the session
        self.app.refresh_bindings()
        if message.done and message.outcome:
            self.record(message.outcome)
            self.feeds.refresh_linked()

    def on_order_placed(self, message: OrderPlaced) -> None:
        text = placed_text(message.placed)
        self.post_message(Sent((text,)))
        self.notify(text, title="Order placed", markup=False)
        if is_screen(self.app.screen, ORDER_ENTRY):  # placed from it: its job is done
            self.app.screen.dismiss()

    def on_sent(self, message: Sent) -> None:
        for line in message.lines:
            self.record(line)
        self.feeds.refresh_linked()


def session_max_leverage(settings: Settings, strategy: str | None) -> Decimal:
    """The leverage cap of the session's strategy; the configured default's when it has none
    or names one the settings no longer define."""
    known = strategy if strategy in settings.strategies else None
    return settings.preset(known).max_leverage


def _shape(account: AccountSnapshot | None) -> tuple[frozenset[str], frozenset[int]]:
    """What the positions and orders panels list: the actions that apply follow it."""
    if account is None:
        return frozenset(), frozenset()
    return frozenset(p.symbol for p in account.positions), frozenset(o.order_id for o in account.orders)
