"""Reads through a flaky RPC: 429s, 5xx, timeouts and dropped connections are retried.

Public RPC providers answer bursts with HTTP 429 and sometimes 5xx or a reset: a read
that meets one is tried again after an exponentially growing, jittered pause (never
shorter than the node's `Retry-After`), until a bounded total time, which ends in one
sentence naming the RPC and what kept failing. tenacity does the looping (async-aware,
composable wait and stop rules); this module only says what is transient and how long
to wait.

Two ways in:
- `with_retries(call, what)` wraps any awaitable read, ours or driftpy's (e.g.
  `drift_client.account_subscriber.subscribe()`): it knows driftpy's exceptions too
  (solana-py's `SolanaRpcException` wrapping an `httpx.HTTPStatusError` or transport
  error; raw httpx errors from batch requests).
- `resilient_connection(url)` (drift/resilient_http.py) is a solana-py `AsyncClient`
  whose every HTTP request retries, so every read driftpy and anchorpy make through it
  is covered at once.

Only reads belong here: the sender resends its own signed bytes on its own schedule.
"""

import asyncio
import logging
import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from rekt_tui.domain.errors import RektError

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Pauses grow from `initial_s` (doubling, full jitter) to `max_s`; give up after `total_s`."""

    total_s: float = 45.0
    initial_s: float = 0.2
    max_s: float = 4.0


DEFAULT_POLICY = RetryPolicy()


class RpcUnavailable(RektError):
    """The RPC kept failing for the whole retry budget."""

    exit_code = 69  # EX_UNAVAILABLE

    def __init__(self, what: str, last: BaseException, policy: RetryPolicy) -> None:
        super().__init__(
            f"The RPC kept failing ({describe(last)}) for {policy.total_s:g} s while {what}; "
            "try again later, or set another rpc_url for this cluster."
        )
        self.last = last


def _httpx() -> Any:
    """httpx if loaded (driftpy's HTTP client): importing it costs half a second, and an
    error of a module never loaded cannot be one of its types."""
    return sys.modules.get("httpx")


def _status_of(error: BaseException) -> int | None:
    httpx = _httpx()
    if httpx is not None and isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code
    status = getattr(error, "status", None)  # our RpcTransportError
    return status if isinstance(status, int) else None


def _root(error: BaseException) -> BaseException:
    """solana-py wraps httpx errors in SolanaRpcException; look at what it wraps."""
    exceptions = sys.modules.get("solana.exceptions")
    if exceptions is not None and isinstance(error, exceptions.SolanaRpcException) and error.__cause__ is not None:
        return error.__cause__
    return error


def transient(error: BaseException) -> bool:
    """Whether trying the same read again may succeed: rate limits, server errors, timeouts, resets."""
    from rekt_tui.drift.rpc import RpcTimeout, RpcTransportError

    error = _root(error)
    httpx = _httpx()
    if httpx is not None and isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code in RETRY_STATUSES
    if httpx is not None and isinstance(error, httpx.TransportError):
        return True
    return isinstance(
        error, (RpcTransportError, RpcTimeout, aiohttp.ClientConnectionError, asyncio.TimeoutError, ConnectionError)
    )


def retry_after_s(error: BaseException) -> float | None:
    """The node's `Retry-After` in seconds, if it sent one."""
    error = _root(error)
    httpx = _httpx()
    if httpx is not None and isinstance(error, httpx.HTTPStatusError):
        return _seconds(error.response.headers.get("Retry-After"))
    value = getattr(error, "retry_after_s", None)
    return value if isinstance(value, (int, float)) else None


def _seconds(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header is not None else None
    except ValueError:
        return None  # an HTTP date: rare from RPC nodes; the backoff applies instead


def describe(error: BaseException) -> str:
    error = _root(error)
    status = _status_of(error)
    if status is not None:
        return f"HTTP {status}"
    return type(error).__name__ if not str(error) else f"{type(error).__name__}: {error}"


class _Wait:
    """Exponential backoff with full jitter, at least `Retry-After`, never past the budget."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self._policy = policy
        self._clock = clock
        self.started = clock()

    def __call__(self, state: Any) -> float:  # tenacity's RetryCallState
        error = state.outcome.exception() if state.outcome is not None else None
        # The attempt before tenacity's first one failed too: count it.
        return self.pause(state.attempt_number + 1, error)

    def pause(self, failures: int, error: BaseException | None) -> float:
        policy = self._policy
        ceiling = min(policy.max_s, policy.initial_s * 2 ** (failures - 1))
        pause = random.uniform(policy.initial_s / 2, ceiling)
        hinted = retry_after_s(error) if error is not None else None
        if hinted is not None:
            pause = max(pause, min(hinted, policy.max_s))
        remaining = policy.total_s - (self._clock() - self.started)
        return max(0.0, min(pause, remaining))


def _log_retry(what: str, state: Any) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    log.info("%s: %s; retry %d", what, describe(error) if error is not None else "no answer", state.attempt_number)


async def with_retries(
    call: Callable[[], Awaitable[T]], what: str, policy: RetryPolicy = DEFAULT_POLICY,
    *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:  # fmt: skip
    """`await call()`, retrying transient failures; RpcUnavailable once `policy.total_s` is spent.

    `what` completes "… while {what}", e.g. "reading the Drift markets".
    """
    wait = _Wait(policy, asyncio.get_running_loop().time)
    try:  # the first attempt needs no machinery (tenacity costs a fifth of a second to import)
        return await call()
    except Exception as error:
        if not transient(error):
            raise
        log.info("%s: %s; retrying", what, describe(error))
        await sleep(wait.pause(1, error))
    from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay

    retrying = AsyncRetrying(
        retry=retry_if_exception(transient),
        wait=wait,
        stop=stop_after_delay(max(0.0, policy.total_s - (asyncio.get_running_loop().time() - wait.started))),
        sleep=sleep,
        reraise=True,
        before_sleep=lambda state: _log_retry(what, state),
    )
    try:
        async for attempt in retrying:
            with attempt:
                return await call()
    except Exception as error:
        if transient(error):
            raise RpcUnavailable(what, error, policy) from None
        raise
    raise AssertionError("unreachable: tenacity either returns or raises")
