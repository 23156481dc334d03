"""The order book from the DLOB server: our own websocket client, a one-off `/l2`, and JSON
reads retried as RPC reads are.

driftpy's `subscribe_l2_book` stops on its first error and never notices a quiet
socket. The DLOB server never pings but sends `{"channel": "heartbeat"}` every 5 s, so
a socket with no message for `stale_after_s` is dead to us: it is dropped and opened
again with backoff, and the market is subscribed anew (the server then sends the
current book at once). Book messages are `{"channel", "data"}` where `data` is itself
JSON text; prices are integer strings in 1e6 and sizes in 1e9.
"""

import json
import logging
from datetime import UTC, datetime

import aiohttp

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.feed import FeedEvent
from rekt_tui.domain.orderbook import BookLevel, OrderBook
from rekt_tui.domain.records import Direction
from rekt_tui.drift.retry import RetryPolicy, with_retries
from rekt_tui.drift.rpc import RpcTransportError
from rekt_tui.drift.streams import Backoff, Broadcast, ResilientSocket, Subscription

log = logging.getLogger(__name__)

BookUpdate = OrderBook | FeedEvent


def _optional_int(value) -> int | None:
    return None if value is None else int(value)


def _levels(raw: list[dict]) -> tuple[BookLevel, ...]:
    levels, cumulative = [], 0
    for level in raw:
        size = int(level["size"])
        cumulative += size
        sources = tuple(sorted((name, int(amount)) for name, amount in level.get("sources", {}).items()))
        levels.append(BookLevel(int(level["price"]), size, cumulative, sources))
    return tuple(levels)


def parse_book(data: dict, received_at: datetime) -> OrderBook:
    """An `/l2` answer or the parsed `data` of an orderbook message, as an `OrderBook`."""
    return OrderBook(
        market_name=data["marketName"],
        market_type=data["marketType"],
        market_index=int(data["marketIndex"]),
        bids=_levels(data["bids"]),
        asks=_levels(data["asks"]),
        mark_price=_optional_int(data.get("markPrice")),
        oracle_price=_optional_int(data.get("oracle")),
        slot=int(data["slot"]),
        received_at=received_at,
    )


async def fetch_l2(session: aiohttp.ClientSession, dlob_url: str, market: str, *, depth: int = 10) -> OrderBook:
    """One snapshot of a market's book over HTTP (e.g. to fill a panel before the feed)."""
    url = f"{dlob_url.rstrip('/')}/l2"
    async with session.get(url, params={"marketName": market, "depth": str(depth)}) as response:
        response.raise_for_status()
        return parse_book(await response.json(), datetime.now(UTC))


TIMEOUT_S = 5.0
READ_POLICY = RetryPolicy(total_s=10.0, initial_s=0.2, max_s=2.0)  # short enough to sit before a signature
# A preview reads the side it takes once per settled keystroke: a 429 is tried again for a
# moment, not for the budget a signature's reads get.
PREVIEW_BOOK_POLICY = RetryPolicy(total_s=3.0, initial_s=0.1, max_s=1.0)


async def get_json(url: str, params: dict[str, str], what: str, policy: RetryPolicy = READ_POLICY) -> object:
    """One JSON answer of the order-book server; `what` completes "… while {what}".

    The server answers bursts with HTTP 429 like a public RPC: a read that meets one (or a 5xx,
    a timeout, a dropped connection) is tried again under drift/retry.py's rules. What still
    fails raises `RpcUnavailable`; the caller says what could not be read, never an empty answer."""

    async def once() -> object:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as session:
            async with session.get(url, params=params) as response:
                if response.status == 429 or response.status >= 500:
                    raise RpcTransportError(f"HTTP {response.status}", status=response.status)
                response.raise_for_status()
                return await response.json(content_type=None)

    return await with_retries(once, what, policy)


async def book_levels(dlob_url: str, symbol: str, direction: Direction) -> tuple[tuple[int, int], ...]:
    """The (price, size) levels an order would take, best first (asks for a buy), from the server's
    `/l2`; none when it still does not answer, and the preview then says it is at the worst price."""
    url, params = f"{dlob_url.rstrip('/')}/l2", {"marketName": symbol, "depth": "10"}
    try:
        answer = await get_json(url, params, f"reading the {symbol} book", PREVIEW_BOOK_POLICY)
        if not isinstance(answer, dict):
            raise ValueError("the /l2 answer is not an object")
        book = parse_book(answer, datetime.now(UTC))
    except (RektError, aiohttp.ClientError, ValueError, KeyError) as error:
        log.warning("no order book for %s (%s); previewing at the worst price", symbol, error)
        return ()
    levels = book.asks if direction is Direction.LONG else book.bids
    return tuple((level.price, level.size) for level in levels)


class OrderBookFeed(ResilientSocket):
    """Live books of one market at a time; `updates()` yields books and feed states."""

    def __init__(
        self, ws_url: str, market: str = "SOL-PERP", market_type: str = "perp", *,
        stale_after_s: float = 10.0, backoff: Backoff = Backoff(),
    ) -> None:  # fmt: skip
        self._updates: Broadcast[BookUpdate] = Broadcast()
        super().__init__(ws_url, "orderbook", self._updates.publish, stale_after_s=stale_after_s, backoff=backoff)
        self.market = market
        self.market_type = market_type
        self.latest: OrderBook | None = None

    def updates(self) -> Subscription[BookUpdate]:
        return self._updates.subscribe()

    async def switch(self, market: str, market_type: str = "perp") -> None:
        """Follow another market; books of the previous one are ignored from now on."""
        previous = self._request("unsubscribe")
        self.market, self.market_type, self.latest = market, market_type, None
        if self.socket is not None:
            await self.socket.send_str(previous)
            await self.socket.send_str(self._request("subscribe"))

    def _request(self, kind: str) -> str:
        return json.dumps({"type": kind, "marketType": self.market_type, "channel": "orderbook", "market": self.market})

    async def _opened(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        await socket.send_str(self._request("subscribe"))

    def _received(self, payload: dict, received: float) -> None:
        channel = payload.get("channel", "")
        if not channel.startswith("orderbook_") or "data" not in payload:
            return  # heartbeats, acknowledgements, trades
        data = json.loads(payload["data"])
        if data.get("marketName") != self.market:
            return  # a late book of the market we switched away from
        self.latest = parse_book(data, datetime.now(UTC))
        self._updates.publish(self.latest)
