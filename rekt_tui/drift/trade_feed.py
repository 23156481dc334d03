"""Fills as they happen, from the DLOB server's websocket `trades` channel.

The same socket discipline as the book (`ResilientSocket`): reconnect with backoff, drop
a socket quiet for `stale_after_s` (the server's heartbeat comes every 5 s, so silence
means a dead socket, not a quiet market). Each message's `data` is one fill in the data
API's trade shape, parsed by `parse_trade`; a message that does not parse is skipped and
counted, never raised: one bad record must not stop the tape.
"""

import json
import logging

import aiohttp

from rekt_tui.domain.feed import FeedEvent
from rekt_tui.domain.market_context import Trade
from rekt_tui.drift.market_api import parse_trade
from rekt_tui.drift.streams import Backoff, Broadcast, ResilientSocket, Subscription

log = logging.getLogger(__name__)

TradeUpdate = Trade | FeedEvent
TRADES_FEED = "trades"


class TradeFeed(ResilientSocket):
    """Live fills of one perp market; `updates()` yields trades and feed states."""

    def __init__(
        self, ws_url: str, market: str, *, stale_after_s: float = 10.0, backoff: Backoff = Backoff(), limit: int = 1024,
    ) -> None:  # fmt: skip
        # A reader may fall behind by `limit` fills before the oldest are dropped (the HTTP tape refills).
        self._updates: Broadcast[TradeUpdate] = Broadcast(limit)
        super().__init__(ws_url, TRADES_FEED, self._updates.publish, stale_after_s=stale_after_s, backoff=backoff)
        self.market = market
        self.skipped = 0  # messages that were not a fill we could read

    def updates(self) -> Subscription[TradeUpdate]:
        return self._updates.subscribe()

    def _request(self, kind: str) -> str:
        return json.dumps({"type": kind, "marketType": "perp", "channel": "trades", "market": self.market})

    async def _opened(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        await socket.send_str(self._request("subscribe"))

    def _received(self, payload: dict, received: float) -> None:
        channel = payload.get("channel", "")
        if not isinstance(channel, str) or not channel.startswith("trades_") or "data" not in payload:
            return  # heartbeats, acknowledgements
        try:
            data = json.loads(payload["data"])
            trades = [parse_trade(raw) for raw in (data if isinstance(data, list) else [data])]
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            self.skipped += 1
            log.warning("skipped a trades message that is not a fill (%s)", type(error).__name__)
            return
        for trade in trades:
            self._updates.publish(trade)
