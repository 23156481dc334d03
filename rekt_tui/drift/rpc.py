"""A small JSON-RPC client for what the sender must control itself.

driftpy's client hides HTTP status codes and retries on its own. Sending money needs
the opposite: every failure classified so the sender knows whether the same bytes may
simply be sent again (rate limit, server error, broken connection), whether the answer
is unknown (timeout), or whether the node gave a definite answer (a JSON-RPC error).

`call` retries what is transient (drift/retry.py): reads always; other methods only when
the node provably did not take the request (429, 5xx, no connection), never after a
timeout. `call_once` is one attempt, for the sender, which paces its own resends.
"""

import asyncio
import itertools
from typing import Any

import aiohttp

from rekt_tui.drift.retry import DEFAULT_POLICY, RetryPolicy, with_retries

# Methods that only read: retrying them after a timeout cannot repeat an effect.
READ_PREFIXES = ("get", "is", "simulate")


class RpcTransportError(Exception):
    """No answer because of the transport: HTTP 429 or 5xx, or no connection. Safe to retry."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after_s = retry_after_s


class RpcTimeout(Exception):
    """The node did not answer in time: the request may or may not have taken effect."""


class RpcError(Exception):
    """A definite JSON-RPC error from the node (e.g. -32002 preflight failure)."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data


class JsonRpc:
    """One HTTP session to one node; create inside the event loop that uses it."""

    def __init__(self, url: str, *, timeout_s: float = 10.0, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        self.url = url
        self.policy = policy
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)

    async def call(self, method: str, params: list | None = None) -> Any:
        """One JSON-RPC call, retried while it fails transiently; RpcUnavailable when the budget is spent."""

        async def once() -> Any:
            try:
                return await self.call_once(method, params)
            except RpcTimeout as timeout:
                if method.startswith(READ_PREFIXES):
                    raise
                raise _Final(timeout) from None

        try:
            return await with_retries(once, f"calling {method} on {self.url}", self.policy)
        except _Final as final:
            raise final.error from None

    async def call_once(self, method: str, params: list | None = None) -> Any:
        """One attempt, every failure classified (see the module docstring)."""
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params or []}
        try:
            async with self._client().post(self.url, json=body) as response:
                if response.status == 429 or response.status >= 500:
                    raise RpcTransportError(
                        f"HTTP {response.status}", status=response.status, retry_after_s=_retry_after(response)
                    )
                payload = await response.json(content_type=None)
        except asyncio.TimeoutError:
            raise RpcTimeout(f"{method} timed out") from None
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as error:
            raise RpcTransportError(f"{type(error).__name__}: {error}") from None
        except (aiohttp.ContentTypeError, ValueError):
            raise RpcTransportError("the node answered with something that is not JSON") from None
        if "error" in payload:
            error = payload["error"]
            raise RpcError(error.get("code", 0), error.get("message", ""), error.get("data"))
        return payload.get("result")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session


class _Final(Exception):
    """A failure not to retry, carried through the retry loop."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _retry_after(response: aiohttp.ClientResponse) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
