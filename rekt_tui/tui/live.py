"""The dashboard's live feeds: app-owned workers that follow a session and the order book.

Mixed into the app so the workers live and die with it (closing a screen never stops a
feed) and their messages land in the app's handlers, which push the data down to the
dashboard. Worker bodies only read a service stream and post messages; fast messages
coalesce in the queue (`can_replace`), and what is left is paced twice: the HUD's few
cells take the newest data up to `HUD_REPAINT_HZ` times a second, the panels' tables at
most `settings.ui.max_repaint_hz`, so a burst costs one repaint per frame budget, not one
per update, and the slow tables never hold back the HUD.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from textual import work

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.records import MarketType
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.status import ShellStatus
from rekt_tui.services.market_data import open_book_feed
from rekt_tui.tui.formatting import feed_event_line, is_stale
from rekt_tui.tui.messages import (
    AccountUpdated,
    BookUpdated,
    DataFreshness,
    FeedAged,
    FeedStateChanged,
    LinkedSession,
    MarketSelected,
    SessionLinked,
)

if TYPE_CHECKING:
    from rekt_tui.services.container import Services
    from rekt_tui.tui.screens.dashboard import DashboardScreen

LIVE_GROUP = "live"
ACCOUNT_GROUP = "live-account"  # one followed account at a time: following another cancels it
ACCOUNT_FEED = "account"
BOOK_FEED = "orderbook"
AGE_SAMPLE_S = 0.5  # how often a feed's age is sampled for the panels
RECENT_TRANSACTIONS = 5  # in the session panel
BALANCE_POLL_S = 5.0  # SOL balance has no stream of its own; a few seconds late is fine
HUD_REPAINT_HZ = 30  # above any slot rate (Drift: 2.5/s), so each price shows as it comes; a flood costs 30 frames/s


def followed_session(status: ShellStatus) -> SessionRecord | None:
    """The session the dashboard follows: the only active one on the cluster, once it has a Drift account.

    Before the Drift account exists there is nothing to stream; with several active
    sessions the user has to choose, so none is followed.
    """
    active = [s for s in status.sessions if s.status is SessionStatus.ACTIVE]
    if len(active) != 1 or active[0].drift_user is None:
        return None
    return active[0]


class RepaintPacer:
    """Applies the newest pending update of each kind at most `hz` times a second.

    Each kind has its own slot, so applying a book never delays an account snapshot. The
    first update of a kind after a quiet spell is applied as soon as the queue allows;
    later ones wait for that kind's next slot and only the newest survives. `soon` runs a
    callback after pending messages, `later` after a delay (Textual's timers refuse zero).
    """

    def __init__(
        self, soon: Callable[[Callable[[], None]], Any], later: Callable[[float, Callable[[], None]], Any], hz: int
    ) -> None:
        self._soon = soon
        self._later = later
        self._interval_s = 1 / hz
        self._pending: dict[str, Callable[[], None]] = {}
        self._last_flush: dict[str, float] = {}
        self.flushes: Counter[str] = Counter()

    def offer(self, kind: str, apply: Callable[[], None]) -> None:
        scheduled = kind in self._pending
        self._pending[kind] = apply
        if scheduled:
            return
        delay = self._last_flush.get(kind, -self._interval_s) + self._interval_s - time.monotonic()
        flush = partial(self._flush, kind)
        if delay > 0:
            self._later(delay, flush)
        else:
            self._soon(flush)

    def _flush(self, kind: str) -> None:
        self._last_flush[kind] = time.monotonic()
        self.flushes[kind] += 1
        self._pending.pop(kind)()


async def _sample(post: Callable[[], None], every_s: float) -> None:
    while True:
        post()
        await asyncio.sleep(every_s)


async def _relay(items: AsyncIterator[Any], post: Callable[[Any], None]) -> None:
    async for item in items:
        post(item)


class LiveFeeds:
    """The app's half that follows the chain. Needs `services`, `_dashboard`, `record` and Textual's App."""

    services: Services
    _dashboard: DashboardScreen
    _following: str | None = None
    _book_feed: Any = None  # the running OrderBookFeed, for market switches
    _stale = False

    @cached_property
    def pacer(self) -> RepaintPacer:
        """For the panels: tables and the book, whose repaints cost the most."""
        return RepaintPacer(self.call_later, self.set_timer, self.services.settings.ui.max_repaint_hz)

    @cached_property
    def hud_pacer(self) -> RepaintPacer:
        return RepaintPacer(self.call_later, self.set_timer, HUD_REPAINT_HZ)

    @cached_property
    def _linked_wakeup(self) -> asyncio.Event:
        return asyncio.Event()

    def refresh_linked(self) -> None:
        """Read the wallet's balance and last transactions now, not at the next poll: something was just sent."""
        self._linked_wakeup.set()

    @cached_property
    def _feed_states(self) -> dict[str, FeedState]:
        return {}

    @cached_property
    def _feed_ages(self) -> dict[str, float]:
        return {}

    def follow(self, pubkey: str) -> None:
        """Show this session on the dashboard: its account feed replaces the previous one's,
        whose figures are cleared at once; the order book feed starts with the first."""
        if pubkey == self._following:
            return
        first = self._following is None
        self._following = pubkey
        self._dashboard.account = self._dashboard.panel_account = self._dashboard.linked = None
        self._follow_account(pubkey)
        if first:
            self._follow_book(self._dashboard.market)

    @work(group=ACCOUNT_GROUP, exclusive=True, exit_on_error=False)
    async def _follow_account(self, pubkey: str) -> None:
        link = await (await self.chain()).open_link(self.services, pubkey)
        gateway = link.gateway
        snapshots, events = gateway.snapshots(), gateway.feed_events()
        names = {m.market_index: m.symbol for m in gateway.markets() if m.market_type is MarketType.PERP}

        async def balances() -> None:
            explorer = self.services.settings.profile.explorer_tx_url
            while True:
                lamports = await gateway.wallet_lamports()
                # Read afresh each time: setup records the Drift account and referrer as they land.
                session, recent = await self.services.session_view(pubkey, RECENT_TRANSACTIONS)
                self.post_message(SessionLinked(LinkedSession(session, lamports, names, tuple(recent), explorer)))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._linked_wakeup.wait(), BALANCE_POLL_S)
                self._linked_wakeup.clear()

        def aged() -> None:
            self.post_message(FeedAged(ACCOUNT_FEED, gateway.age_s(), gateway.feed_state))

        try:
            if (snapshot := gateway.snapshot()) is not None:
                self.post_message(AccountUpdated(snapshot))
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(balances())
                tasks.create_task(_relay(snapshots, lambda s: self.post_message(AccountUpdated(s))))
                tasks.create_task(_relay(events, lambda e: self.post_message(FeedStateChanged(e))))
                tasks.create_task(_sample(aged, AGE_SAMPLE_S))
        finally:
            snapshots.close()
            events.close()
            await link.close()

    @work(group=LIVE_GROUP, exit_on_error=False)
    async def _follow_book(self, market: str) -> None:
        feed = self._book_feed = open_book_feed(self.services, market)
        updates = feed.updates()

        def post(update: Any) -> None:
            self.post_message(FeedStateChanged(update) if isinstance(update, FeedEvent) else BookUpdated(update))

        def aged() -> None:
            self.post_message(FeedAged(BOOK_FEED, feed.age_s(), feed.state))

        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(_relay(updates, post))
                tasks.create_task(_sample(aged, AGE_SAMPLE_S))
        finally:
            updates.close()
            self._book_feed = None
            await feed.close()

    @work(group=LIVE_GROUP, exit_on_error=False)
    async def _switch_book(self, market: str) -> None:
        if self._book_feed is not None:
            await self._book_feed.switch(market)

    def on_market_selected(self, message: MarketSelected) -> None:
        self._switch_book(message.market)

    def on_session_linked(self, message: SessionLinked) -> None:
        self._dashboard.linked = message.linked

    def on_account_updated(self, message: AccountUpdated) -> None:
        snapshot, dashboard = message.snapshot, self._dashboard
        self.hud_pacer.offer(ACCOUNT_FEED, lambda: setattr(dashboard, "account", snapshot))
        self.pacer.offer(ACCOUNT_FEED, lambda: setattr(dashboard, "panel_account", snapshot))

    def on_book_updated(self, message: BookUpdated) -> None:
        book, dashboard = message.book, self._dashboard
        if book.market_name == dashboard.market:  # not a late book of the previous market
            self.hud_pacer.offer(BOOK_FEED, lambda: setattr(dashboard, "book", book))
            self.pacer.offer(BOOK_FEED, lambda: setattr(dashboard, "panel_book", book))

    def on_feed_state_changed(self, message: FeedStateChanged) -> None:
        event = message.event
        self._feed_states[event.feed] = event.state
        severity = "information" if event.state in (FeedState.CONNECTED, FeedState.CONNECTING) else "warning"
        self.record(feed_event_line(event), severity)
        self._judge_freshness()

    def on_feed_aged(self, message: FeedAged) -> None:
        self._feed_states[message.feed] = message.state
        self._feed_ages[message.feed] = message.age_s
        dashboard = self._dashboard
        if message.feed == ACCOUNT_FEED:
            dashboard.account_age = message.age_s
        else:
            dashboard.book_age = message.age_s
        self._judge_freshness()

    def _judge_freshness(self) -> None:
        """Grey the panels of a stale feed, and tell order entry when the whole picture changes."""
        limit = self.services.settings.ui.stale_after_s
        verdict = {
            feed: is_stale(self._feed_ages.get(feed), self._feed_states.get(feed), limit)
            for feed in (ACCOUNT_FEED, BOOK_FEED)
        }
        self._dashboard.account_stale = verdict[ACCOUNT_FEED]
        self._dashboard.book_stale = verdict[BOOK_FEED]
        stale = any(verdict.values())
        if stale != self._stale:
            self._stale = stale
            self.post_message(DataFreshness(stale))
