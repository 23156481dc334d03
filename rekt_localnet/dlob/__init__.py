"""The localnet's DLOB API: Drift's order book over HTTP and websocket, on its own port.

`DlobServer` reads resting orders from the Drift User accounts in the ledger (kept up to
date by `OrderIndex`), adds the AMM's liquidity for perp markets, and serves the DLOB
server's paths and messages (see `http.py` and `ws.py`). After each slot it sends the
books that changed to websocket subscribers.

Trades: the keeper calls `publish_trade(trade)` for each fill, with a dict shaped like the
DLOB server's trade messages (`ts`, `marketIndex`, `marketType` "perp"/"spot", `taker`,
`maker`, `takerOrderId`, `makerOrderId`, `takerOrderDirection`, `baseAssetAmountFilled`,
`quoteAssetAmountFilled`, `oraclePrice`, `txSig`, `slot`, `action`: "fill", ...); it goes to
subscribers of that market's `trades` channel at once. With a `MarketHistory`, the same
port also answers Drift's data API paths (trades, candles, funding rates, contracts).
"""

import asyncio
import json
import time

from aiohttp import web
from solders.pubkey import Pubkey

from rekt_localnet.account import Account
from rekt_localnet.dlob import views
from rekt_localnet.dlob.book import BookCache
from rekt_localnet.dlob.data_api import data_routes
from rekt_localnet.dlob.http import routes
from rekt_localnet.dlob.markets import BY_KEY, MARKETS
from rekt_localnet.dlob.orders import OrderIndex
from rekt_localnet.dlob.ws import ChannelHub
from rekt_localnet.faults import Faults
from rekt_localnet.ledger import Ledger
from rekt_localnet.market.history import MarketHistory
from rekt_localnet.store import TransactionRecord

HEARTBEAT_SECONDS = 5.0
# Bytes a websocket client may leave unread before it is closed (the DLOB server: 300 kB).
OUTBOX_LIMIT_BYTES = 1_000_000
# Levels per side in websocket book messages (the DLOB server publishes 100).
PUBLISHED_DEPTH = 100
ORDERBOOK = "orderbook"
# /health fails when no slot came for this long (the slot clock stalled).
STALE_SLOT_SECONDS = 10.0


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


class DlobServer:
    """Order book state and the aiohttp application serving it."""

    def __init__(
        self,
        ledger: Ledger,
        faults: Faults,
        *,
        heartbeat_s: float = HEARTBEAT_SECONDS,
        outbox_limit_bytes: int = OUTBOX_LIMIT_BYTES,
        send_buffer_bytes: int | None = None,
        history: MarketHistory | None = None,
    ) -> None:
        self._ledger = ledger
        self._history = history
        self._faults = faults
        self.index = OrderIndex(ledger)
        self.books = BookCache(ledger, self.index)
        self.hub = ChannelHub(
            snapshot=self._current,
            silent=lambda: faults.ws_silent,
            heartbeat_s=heartbeat_s,
            limit_bytes=outbox_limit_bytes,
            send_buffer_bytes=send_buffer_bytes,
        )
        self._sent: dict[str, str] = {}
        self._publish_pending = False
        self._last_slot_at = time.monotonic()
        ledger.add_observer(self.index)
        ledger.add_observer(self)
        faults.add_closer(self.hub.close_all)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._faults.middleware(exempt_admin=False)])
        app.add_routes(routes(self.books, self._health))
        if self._history is not None:  # Drift's data API paths (data_api.py)
            app.add_routes(data_routes(self._ledger, self._history))
        app.router.add_get("/ws", self.hub.handle)

        async def close_sockets(_app: web.Application) -> None:
            await self.hub.close_all()

        app.on_shutdown.append(close_sockets)
        return app

    def publish_trade(self, trade: dict) -> None:
        """Send one fill to the subscribers of its market's `trades` channel."""
        market = BY_KEY[(trade["marketType"], trade["marketIndex"])]
        self.hub.publish(f"trades_{market.channel_suffix}", _compact(trade))

    def _health(self) -> tuple[bool, str]:
        """Healthy while slots keep coming, as the DLOB server checks its slot source."""
        stalled = time.monotonic() - self._last_slot_at
        if stalled > STALE_SLOT_SECONDS:
            return False, f"no new slot for {stalled:.0f} s"
        return True, "ok"

    def _book_message(self, channel: str) -> tuple[str, str] | None:
        """The book message of an orderbook channel, and what it says apart from its time."""
        for market in MARKETS:
            if channel == f"{ORDERBOOK}_{market.channel_suffix}":
                body = views.l2(self.books.snapshot(market), depth=PUBLISHED_DEPTH, include_vamm=True)
                content = _compact({key: value for key, value in body.items() if key not in ("ts", "slot")})
                return _compact(body), content
        return None

    def _current(self, channel: str) -> str | None:
        """The message a new subscriber gets at once: the book now (nothing for trades).

        A channel nobody listened to starts its change tracking here; on a channel with
        listeners, a book that changed within this slot reaches them at the next one.
        """
        message = self._book_message(channel)
        if message is None:
            return None
        self._sent.setdefault(channel, message[1])
        return message[0]

    def _publish(self) -> None:
        """Send each subscribed book whose levels or oracle changed since it was last sent."""
        self._publish_pending = False
        for channel in self.hub.channels():
            message = self._book_message(channel)
            if message is not None and message[1] != self._sent.get(channel):
                self._sent[channel] = message[1]
                self.hub.publish(channel, message[0])

    # Ledger observer: publish once the slot's work (oracle, keeper) is done.

    def on_slot(self, slot: int) -> None:
        self._last_slot_at = time.monotonic()
        if not self._publish_pending and self.hub.clients:
            self._publish_pending = True
            asyncio.get_running_loop().call_soon(self._publish)

    def on_account(self, key: Pubkey, account: Account | None, slot: int) -> None:
        pass

    def on_transaction(self, record: TransactionRecord) -> None:
        pass

