"""Public market data for the cockpit: the DLOB order book feed of one market at a time.

The UI may not import `rekt_tui.drift`, so it gets its feed here, already started and
configured from the cluster profile (URL) and the UI settings (staleness limit).
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
