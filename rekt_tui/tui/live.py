"""The dashboard's live feeds: app-owned workers that follow a session and the order book.

The book is public data: it starts at launch (`watch_market`), before any session exists,
or with the first session followed when `book_at_launch` was turned off.

`LiveFeeds` runs its workers on the dashboard, the app's default screen, so they live and
die with the app (closing any other screen never stops a feed); their messages land in the
dashboard's handlers, which hand them back here to push the data down. Worker bodies only read a service stream and post
messages; fast data
coalesces before it enters Textual's queue (`NewestSlots`: the newest book and the newest
snapshot wait in a slot, with one wake-up message queued per kind), and what is left is paced
(`RepaintPacer`): the HUD's few cells take the newest data as it comes, in small frames of their
own; the panels share one tick at most
`settings.ui.max_repaint_hz` a second, a little after each bunch, so all that is due lands in one
frame and the slow panels never hold back the HUD. Under a flood all share a slower tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.screen import ModalScreen

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.domain.records import MarketType
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.status import ShellStatus
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.services.wakeup import woken_or_timed_out
from rekt_tui.tui.formatting import is_stale
from rekt_tui.tui.messages import (
    AccountUpdated,
    DataFreshness,
    FeedAged,
    FeedStateChanged,
    LinkedSession,
    SessionLinked,
)
from rekt_tui.tui.feed_log import FeedLog
from rekt_tui.tui.repaint_pacer import RepaintPacer

if TYPE_CHECKING:
    from rekt_tui.config import Settings
    from rekt_tui.domain.alerts import Alert
    from rekt_tui.services.link import SessionLink
    from rekt_tui.domain.loss_limit import GuardState
    from rekt_tui.tui.activity import Severity
    from rekt_tui.tui.screens.dashboard import DashboardScreen
    from rekt_tui.tui.session_controller import SessionController

LIVE_GROUP = "live"
ACCOUNT_GROUP = "live-account"  # one followed account at a time: following another cancels it
ACCOUNT_FEED = "account"
BOOK_FEED = "orderbook"
AGE_SAMPLE_S = 0.5  # how often a feed's age is sampled for the panels
RECENT_TRANSACTIONS = 5  # in the session panel
BALANCE_POLL_S = 5.0  # SOL balance has no stream of its own; a few seconds late is fine
HUD_REPAINT_HZ = 30  # the shared tick's fastest, above any slot rate (Drift: 2.5/s); a flood slows it
# A slot's book and account snapshots reach the dashboard within about 10 ms of each other. The
# HUD shows each at once; the panels wait this long after the first of a bunch, so one frame
# shows them all, once the HUD's small frames are out.
PANEL_GATHER_S = 0.015
# Under a flood (a kind offered faster than the tick can show it) everything repaints at most
# this often: a frame costs the same whatever it shows, and numbers changing 12 times a second
# are as readable as at 20. Updates at the chain's pace are no flood and keep the faster tick.
FLOOD_REPAINT_HZ = 12
HUD_ACCOUNT, HUD_BOOK = f"hud {ACCOUNT_FEED}", f"hud {BOOK_FEED}"  # the pacer's kinds; the panels' are the feeds'


def followed_session(status: ShellStatus) -> SessionRecord | None:
    """The session the dashboard follows: the only active one on the cluster, once it has a Drift account.

    Before the Drift account exists there is nothing to stream; with several active
    sessions the user has to choose, so none is followed.
    """
    active = [s for s in status.sessions if s.status is SessionStatus.ACTIVE]
    if len(active) != 1 or active[0].drift_user is None:
        return None
    return active[0]


class NewestSlots:
    """The newest item of each kind, waiting for the dashboard, with at most one wake-up queued per kind.

    Books and snapshots alternate, so Textual's `can_replace` never merges them: left to its
    queue, 2,000 updates a second are 2,000 dispatches. Here a burst costs one message per kind:
    `offer` keeps only the newest item and posts a wake-up (`wake`, which queues a callback)
    only when none is pending; the wake-up hands the newest item, taken then, to `apply`. Nothing
    newer is ever lost: an item offered after the take posts a fresh wake-up.
    """

    def __init__(self, wake: Callable[[Callable[[], None]], Any], apply: Callable[[str, Any], None]) -> None:
        self._wake = wake
        self._apply = apply
        self._newest: dict[str, Any] = {}

    def offer(self, kind: str, item: Any) -> None:
        pending = kind in self._newest
        self._newest[kind] = item
        if not pending:
            self._wake(partial(self._take, kind))

    def _take(self, kind: str) -> None:
        self._apply(kind, self._newest.pop(kind))


async def _sample(post: Callable[[], None], every_s: float) -> None:
    while True:
        post()
        await asyncio.sleep(every_s)


async def _relay(items: AsyncIterator[Any], post: Callable[[Any], None]) -> None:
    async for item in items:
        post(item)


class LiveFeeds:
    """The workers that follow the chain for the dashboard, and the pacing of what they bring.

    The dashboard runs the workers and receives their messages; `record` writes its activity log.
    """

    def __init__(
        self, dashboard: DashboardScreen, sessions: SessionController, record: Callable[[str, Severity], None]
    ) -> None:
        self._dashboard = dashboard
        self._sessions = sessions
        self._settings: Settings = sessions.services.settings
        self._record = record
        self._following: str | None = None
        self._book_feed: Any = None  # the running OrderBookFeed, for market switches
        self._book_started = False
        # Public data needs no session: the book starts once the dashboard runs, unless this was
        # turned off first (tests with no chain behind them, whose frames must not depend on one).
        self.book_at_launch = True
        dashboard.call_later(lambda: self.book_at_launch and self.watch_market())
        self._stale = False
        self._feed_states: dict[str, FeedState] = {}
        self._feed_log = FeedLog(record)  # an outage's retries said once
        self._feed_ages: dict[str, float] = {}
        self._linked_wakeup = asyncio.Event()
        # The loss limit as the watcher last saw it, for the HUD.
        self.guard_state: GuardState | None = None
        # The HUD's figures show as they come, in small frames of their own; the panels, whose
        # repaints cost the most, share one tick at their own cadence (a faster one than the
        # HUD's speeds the tick). Under a flood the HUD and the panels share the flood's slower frames.
        panels_hz = self._settings.ui.max_repaint_hz
        self.pacer = RepaintPacer(
            dashboard.call_later, dashboard.set_timer, max(HUD_REPAINT_HZ, panels_hz),
            {ACCOUNT_FEED: panels_hz, BOOK_FEED: panels_hz}, shown=self._shown,
            flood_hz=min(panels_hz, FLOOD_REPAINT_HZ), gather_s=PANEL_GATHER_S, at_once=(HUD_ACCOUNT, HUD_BOOK),
        )  # fmt: skip
        # The newest snapshot as it arrives, paced or not: for what reads it while the dashboard is covered.
        self.latest_account: AccountSnapshot | None = None
        self.on_account: Callable[[AccountSnapshot | None], None] | None = None
        self._slots = NewestSlots(dashboard.call_later, self._newest_arrived)

    @property
    def stale(self) -> bool:
        """Whether any feed's data is stale now: new orders wait for fresh data."""
        return self._stale

    def refresh_linked(self) -> None:
        """Read the wallet's balance and last transactions now, not at the next poll: something was just sent."""
        self._linked_wakeup.set()

    @property
    def book_running(self) -> bool:
        """Whether the order book feed has started (the market switch applies to it)."""
        return self._book_started

    def watch_market(self) -> None:
        """Start the order book feed of the dashboard's market, if it is not running: no session needed."""
        if self._book_started:
            return
        self._book_started = True
        self._dashboard.run_worker(self._follow_book(), group=LIVE_GROUP, exit_on_error=False)
        self._dashboard.refresh_bindings()  # the market switch now applies

    def follow(self, pubkey: str) -> None:
        """Show this session on the dashboard: its account feed replaces the previous one's,
        whose figures are cleared at once; the order book feed starts with it unless it runs already."""
        if pubkey == self._following:
            return
        if self._following is not None:  # the link it froze (`keep_link_heap`) is going: collectable again
            self._sessions.chain.release()
        self._following = pubkey
        self._dashboard.account = self._dashboard.panel_account = self._dashboard.linked = None
        self.latest_account = None
        run = self._dashboard.run_worker
        run(self._follow_account(pubkey), group=ACCOUNT_GROUP, exclusive=True, exit_on_error=False)
        self.watch_market()

    def switch_market(self, market: str) -> None:
        if self._book_feed is not None:  # else the feed, when it opens, opens on the dashboard's market
            self._dashboard.run_worker(self._book_feed.switch(market), group=LIVE_GROUP, exit_on_error=False)

    async def _follow_account(self, pubkey: str) -> None:
        link = await self._sessions.feed_link(pubkey)
        gateway, post, services = link.gateway, self._dashboard.post_message, self._sessions.services
        snapshots, events = gateway.snapshots(), gateway.feed_events()
        names = {m.market_index: m.symbol for m in gateway.markets() if m.market_type is MarketType.PERP}

        async def balances() -> None:
            explorer, labels = self._settings.profile.explorer_tx_url, self._settings.labels
            while True:
                lamports, usdc = await gateway.wallet_lamports(), await gateway.wallet_usdc()
                # Read afresh each time: setup records the venue account and referrer as they land.
                session, recent = await services.session_view(pubkey, RECENT_TRANSACTIONS)
                waiting = await services.waiting_legs(pubkey)
                linked = LinkedSession(session, lamports, names, tuple(recent), explorer, usdc, waiting, labels)
                post(SessionLinked(linked))
                await woken_or_timed_out(self._linked_wakeup, BALANCE_POLL_S)

        def aged() -> None:
            post(FeedAged(ACCOUNT_FEED, gateway.age_s(), gateway.feed_state))

        settled = False

        def first_snapshot_in() -> None:
            nonlocal settled
            if not settled:  # what the link built is built: frozen before the dashboard sees it
                settled = True
                self._sessions.chain.keep_link_heap()

        def relayed(snapshot: AccountSnapshot) -> None:
            first_snapshot_in()
            self.relay_account(snapshot)

        try:
            if (snapshot := gateway.snapshot()) is not None:
                first_snapshot_in()
                post(AccountUpdated(snapshot))
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(balances())
                tasks.create_task(_relay(snapshots, relayed))
                tasks.create_task(_relay(events, lambda e: post(FeedStateChanged(e))))
                tasks.create_task(_sample(aged, AGE_SAMPLE_S))
                tasks.create_task(self._watch(link))
        finally:
            snapshots.close()
            events.close()
            await link.close()

    async def _watch(self, link: SessionLink) -> None:
        """Alerts and the loss limit (services/watcher.py): each alert a toast and an activity line."""
        from rekt_tui.services.notify import Notifier  # with the chain's modules: loaded on first follow
        from rekt_tui.services.watcher import Watcher

        alerts = self._settings.alerts
        notifier = Notifier(alerts, session=link.pubkey, cluster=self._settings.cluster, sink=self._alerted,
                            bell=self._dashboard.app.bell)  # fmt: skip
        try:
            await Watcher(link, notifier, on_state=self._guard_changed).run()
        except Exception as error:  # noqa: BLE001 - the live feed goes on without its watcher
            self._record(f"Alerts and the loss limit stopped watching: {error}", "error")
        finally:
            await notifier.close()

    def _alerted(self, alert: Alert) -> None:
        if alert.kind.value == "fill":  # the fill's own line says it, with price and fee (order_actions.FillWatcher)
            return
        severity: Severity = "error"
        if alert.severity.value != "critical":
            severity = "information" if alert.severity.value == "info" else "warning"
        self._record(f"Alert: {alert.sentence}", severity)
        if alert.record is not None and alert.kind.value == "liquidation":  # read from the chain's record
            self._dashboard.liquidation = alert.sentence
        title = f"Alert: {alert.kind.value.replace('_', ' ')}"
        self._dashboard.notify(alert.sentence, title=title, severity=severity, timeout=10, markup=False)

    def _guard_changed(self, state: GuardState) -> None:
        """Keep the loss limit's state for the HUD; say so in the activity log when exit-only begins or ends."""
        was = self.guard_state.exit_only if self.guard_state is not None else False
        self.guard_state = self._dashboard.guard = state
        if state.exit_only != was:
            line = "Loss limit breached: the session is exit-only." if state.exit_only else "The loss limit was lifted."
            self._record(line, "error" if state.exit_only else "information")

    async def _follow_book(self) -> None:
        # The market as it is when the worker runs: a switch before then has no feed to tell.
        feeds = await self._sessions.chain.book_feeds()
        feed = self._book_feed = feeds.open_book_feed(self._sessions.services, self._dashboard.market)
        updates, post = feed.updates(), self._dashboard.post_message

        def relayed(update: Any) -> None:
            if isinstance(update, FeedEvent):
                post(FeedStateChanged(update))
            else:
                self.relay_book(update)

        def aged() -> None:
            post(FeedAged(BOOK_FEED, feed.age_s(), feed.state))

        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(_relay(updates, relayed))
                tasks.create_task(_sample(aged, AGE_SAMPLE_S))
        finally:
            updates.close()
            self._book_feed = None
            await feed.close()

    def relay_account(self, snapshot: AccountSnapshot) -> None:
        """A snapshot from the account feed's worker: only the newest waiting one reaches the dashboard."""
        self._slots.offer(ACCOUNT_FEED, snapshot)

    def relay_book(self, book: OrderBook) -> None:
        """A book from the book feed's worker: only the newest waiting one reaches the dashboard."""
        self._slots.offer(BOOK_FEED, book)

    def _newest_arrived(self, kind: str, item: Any) -> None:
        if kind == ACCOUNT_FEED:
            self.account_updated(item)
        else:
            self.book_updated(item)

    def _shown(self) -> bool:
        """Whether the dashboard is on screen: on top, or under dialogs only. Under a full screen
        (the market screen) nobody sees its updates: they wait for its return instead."""
        for screen in reversed(self._dashboard.app.screen_stack):
            if screen is self._dashboard:
                return True
            if not isinstance(screen, ModalScreen):
                return False
        return False

    def account_updated(self, snapshot: AccountSnapshot) -> None:
        self.latest_account = snapshot
        if self.on_account is not None:
            self.on_account(snapshot)
        dashboard = self._dashboard
        self.pacer.offer(HUD_ACCOUNT, lambda: setattr(dashboard, "account", snapshot))
        self.pacer.offer(ACCOUNT_FEED, lambda: setattr(dashboard, "panel_account", snapshot))

    def book_updated(self, book: OrderBook) -> None:
        dashboard = self._dashboard
        if book.market_name == dashboard.market:  # not a late book of the previous market
            self.pacer.offer(HUD_BOOK, lambda: setattr(dashboard, "book", book))
            self.pacer.offer(BOOK_FEED, lambda: setattr(dashboard, "panel_book", book))

    def state_changed(self, event: FeedEvent) -> None:
        self._feed_states[event.feed] = event.state
        self._feed_log.event(event)
        self._judge_freshness()

    def aged(self, feed: str, age_s: float, state: FeedState) -> None:
        self._feed_states[feed] = state
        self._feed_ages[feed] = age_s
        if feed == ACCOUNT_FEED:
            self._dashboard.account_age = age_s
        else:
            self._dashboard.book_age = age_s
        self._judge_freshness()

    def _judge_freshness(self) -> None:
        """Grey the panels of a stale feed, and tell order entry when the whole picture changes."""
        limit = self._settings.ui.stale_after_s
        verdict = {
            feed: is_stale(self._feed_ages.get(feed), self._feed_states.get(feed), limit)
            for feed in (ACCOUNT_FEED, BOOK_FEED)
        }
        self._dashboard.account_stale = verdict[ACCOUNT_FEED]
        self._dashboard.book_stale = verdict[BOOK_FEED]
        for feed, stale_now in verdict.items():
            self._feed_log.freshness(feed, stale_now)
        stale = any(verdict.values())
        if stale != self._stale:
            self._stale = stale
            self._dashboard.post_message(DataFreshness(stale))
            self._dashboard.app.refresh_bindings()  # buy and sell wait for fresh data
