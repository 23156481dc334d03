"""Public market data for the cockpit: the DLOB order book feed of one market at a time.

A session's book belongs to its link (`link.venue.order_book(market)`, one socket per
session, switched between markets); `open_book_feed` is the dashboard's own feed, which
runs before any session. It imports aiohttp (about a fifth of the cockpit's imports), so the
cockpit loads this module only once its first frame is out (`ChainLoader.book_feeds`).
"""

from rekt_tui.domain.markets import BOOK_MARKETS
from rekt_tui.drift.dlob import OrderBookFeed
from rekt_tui.services.container import Services


def open_book_feed(services: Services, market: str = BOOK_MARKETS[0]) -> OrderBookFeed:
    """A running feed of `market`'s book; the caller reads `updates()` and must `close()` it."""
    settings = services.settings
    feed = OrderBookFeed(str(settings.profile.dlob_ws_url), market, stale_after_s=settings.ui.stale_after_s)
    feed.start()
    return feed
