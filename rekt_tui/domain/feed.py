"""The health of a live feed, so the UI can grey what it can no longer trust.

A websocket that stops talking does not always close: the feeds watch their own
clocks and report when data went stale and while they reconnect (docs/RELIABILITY.md T6).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class FeedState(str, Enum):
    CONNECTING = "connecting"  # never connected yet
    CONNECTED = "connected"  # subscribed and current
    STALE = "stale"  # nothing arrived within the limit: the socket is being dropped
    RECONNECTING = "reconnecting"  # waiting out a backoff before the next attempt


@dataclass(frozen=True)
class FeedEvent:
    feed: str  # e.g. "account", "orderbook"
    state: FeedState
    at: datetime
    reason: str = ""
