"""Public market data for the cockpit: the DLOB order book feed of one market at a time.

A session's book belongs to its link (`link.venue.order_book(market)`, one socket per
session, switched between markets); `open_book_feed` is the former entry point, a feed
of its own for callers not yet moved to the link.
"""

from rekt_tui.drift.dlob import OrderBookFeed
from rekt_tui.services.container import Services

# The perps the dashboard's book cycles through, in the order the switch key visits them.
BOOK_MARKETS = ("SOL-PERP", "BTC-PERP", "ETH-PERP")


def open_book_feed(services: Services, market: str = BOOK_MARKETS[0]) -> OrderBookFeed:
    """A running feed of `market`'s book; the caller reads `updates()` and must `close()` it."""
    settings = services.settings
    feed = OrderBookFeed(str(settings.profile.dlob_ws_url), market, stale_after_s=settings.ui.stale_after_s)
    feed.start()
    return feed
