"""What every live feed needs: a websocket that heals itself, and a fan-out to readers.

Readers (a HUD, a guard, a test) each get their own bounded queue: a slow reader drops
its oldest items instead of growing memory or holding up the feed, which is safe
because every item is a whole state (a snapshot, a book, a feed state), never a delta.
"""

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

import aiohttp

from rekt_tui.domain.feed import FeedEvent, FeedState

log = logging.getLogger(__name__)

T = TypeVar("T")
CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)


@dataclass(frozen=True)
class Backoff:
    """Delays between reconnect attempts: doubling from `initial_s` up to `max_s`."""

    initial_s: float = 0.2
    max_s: float = 5.0

    def delays(self) -> Iterator[float]:
        delay = self.initial_s
        while True:
            yield delay
            delay = min(delay * 2, self.max_s)


class Subscription(Generic[T]):
    """One reader's queue. It is registered when created, not on first iteration, so
    nothing published between subscribing and the first `await` is missed."""

    def __init__(self, owner: "Broadcast[T]", limit: int) -> None:
        self._owner = owner
        self._items: deque[T] = deque(maxlen=limit)
        self._ready = asyncio.Event()

    def put(self, item: T) -> None:
        self._items.append(item)
        self._ready.set()

    def __aiter__(self) -> "Subscription[T]":
        return self

    async def __anext__(self) -> T:
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def close(self) -> None:
        self._owner.unsubscribe(self)


class Broadcast(Generic[T]):
    """Publish once, deliver to every current reader."""

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._readers: set[Subscription[T]] = set()

    def publish(self, item: T) -> None:
        for reader in self._readers:
            reader.put(item)

    def subscribe(self) -> Subscription[T]:
        reader = Subscription(self, self._limit)
        self._readers.add(reader)
        return reader

    def unsubscribe(self, reader: Subscription[T]) -> None:
        self._readers.discard(reader)


class OncePerTurn:
    """Runs `action` once for every `request()` made before the event loop's next turn.

    A socket's reader hands over every message it holds without yielding: the account
    snapshot those messages lead to is made once, after they are all stored."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action = action
        self._call: asyncio.Handle | None = None

    def request(self) -> None:
        if self._call is None:
            self._call = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Run it now if it was requested and has not run yet."""
        if self._call is not None:
            self.cancel()
            self._action()

    def cancel(self) -> None:
        if self._call is not None:
            self._call.cancel()
            self._call = None


class SilentSocket(Exception):
    """Nothing arrived within the staleness limit."""


class ResilientSocket:
    """Keeps one websocket open for a subclass: reconnects with backoff, drops a socket
    that stays quiet for `stale_after_s`, and reports each state change.

    Subclasses subscribe in `_opened` (called on every connect, so subscriptions and
    any resync are redone after a drop) and handle each decoded JSON message in
    `_received`. Any error ends only the current connection, never the loop: a feed
    that stops on its first error is what this replaces.

    Two clocks: silence (any message, acknowledgements included) decides when to drop
    the socket; data age (notifications only, plus a subclass's `_data_arrived`) is what
    readers see. Connecting is not data: a reconnect that brings nothing new stays as
    old as the newest data it had, so a frozen feed never reads fresh.
    """

    def __init__(
        self, url: str, name: str, on_state: Callable[[FeedEvent], None], *, stale_after_s: float, backoff: Backoff,
    ) -> None:  # fmt: skip
        self.url = url
        self.name = name
        self._on_state = on_state
        self.stale_after_s = stale_after_s
        self._backoff = backoff
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self.state = FeedState.CONNECTING
        self.last_message_at = time.monotonic()
        self.last_data_at: float | None = None  # monotonic time of the newest data; None before any
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task | None = None
        self._connected = asyncio.Event()

    def age_s(self) -> float:
        """Seconds since the newest data arrived (infinite before any)."""
        return float("inf") if self.last_data_at is None else time.monotonic() - self.last_data_at

    def silence_s(self) -> float:
        """Seconds since the socket last said anything (acknowledgements included)."""
        return time.monotonic() - self.last_message_at

    def _data_arrived(self) -> None:
        """Note that data arrived now (a notification, or a subclass's own read)."""
        self.last_data_at = time.monotonic()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"{self.name} websocket")

    async def wait_connected(self, timeout_s: float) -> None:
        async with asyncio.timeout(timeout_s):  # unlike wait_for, never loses a cancellation
            await self._connected.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # our own caller is being cancelled (Ctrl-C): never swallow that
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _opened(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        raise NotImplementedError

    def _received(self, payload: dict, received: float) -> None:
        raise NotImplementedError

    def _dropped(self) -> None:
        """Forget per-connection state (subscription ids)."""

    async def _run(self) -> None:
        delays = self._backoff.delays()
        self._session = aiohttp.ClientSession()
        while True:
            try:
                async with self._session.ws_connect(self.url, max_msg_size=0) as socket:
                    # Set first, so what a subclass adds while `_opened` runs goes out at once.
                    self.socket = socket
                    await self._opened(socket)
                    self.last_message_at = time.monotonic()
                    self._connected.set()
                    self._set_state(FeedState.CONNECTED)
                    delays = self._backoff.delays()
                    await self._read(socket)
                reason = "the server closed the websocket"
            except SilentSocket:
                self._set_state(FeedState.STALE, f"nothing received for {self.stale_after_s:g} s")
                reason = "silent"
            except Exception as error:  # the loop must outlive any one failure
                reason = failure_reason(error)
                log.warning("%s websocket failed: %s: %s", self.name, type(error).__name__, error,
                            exc_info=log.isEnabledFor(logging.DEBUG))  # fmt: skip
            finally:
                self.socket = None
                self._connected.clear()
                self._dropped()
            self._set_state(FeedState.RECONNECTING, reason)
            await asyncio.sleep(next(delays))

    async def _read(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            remaining = self.stale_after_s - self.silence_s()
            if remaining <= 0:
                raise SilentSocket
            try:
                message = await socket.receive(timeout=remaining)
            except asyncio.TimeoutError:
                raise SilentSocket from None
            if message.type in CLOSED:
                return
            received = time.perf_counter()
            self.last_message_at = time.monotonic()
            if message.type == aiohttp.WSMsgType.TEXT:
                payload = json.loads(message.data)
                if not _is_response(payload):
                    self._data_arrived()
                self._received(payload, received)

    def _set_state(self, state: FeedState, reason: str = "") -> None:
        self.state = state
        self._on_state(FeedEvent(self.name, state, datetime.now(UTC), reason))


def _is_response(payload: object) -> bool:
    """A JSON-RPC answer to our own request (a subscription acknowledgement): not data."""
    return isinstance(payload, dict) and "id" in payload and ("result" in payload or "error" in payload)


def failure_reason(error: Exception) -> str:
    """Why a socket failed, as the activity log says it (the log keeps the exception itself)."""
    if isinstance(error, aiohttp.WSServerHandshakeError):
        return f"the server answered HTTP {error.status}"
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"cannot connect to {error.host}:{error.port}"
    if isinstance(error, asyncio.TimeoutError):
        return "the server did not answer in time"
    return f"{type(error).__name__}: {error}"
