"""JSON reads of the relaunch's order-book server, retried as RPC reads are.

The server answers bursts with HTTP 429 like a public RPC: a read that meets one (or a 5xx, a
timeout, a dropped connection) is tried again under drift/retry.py's rules, for a budget short
enough to sit in front of a signature. What still fails raises `RpcUnavailable`; the caller
says what could not be read, never an empty answer.
"""

from __future__ import annotations

import aiohttp

from rekt_tui.drift.retry import RetryPolicy, with_retries
from rekt_tui.drift.rpc import RpcTransportError

TIMEOUT_S = 5.0
READ_POLICY = RetryPolicy(total_s=10.0, initial_s=0.2, max_s=2.0)


async def get_json(url: str, params: dict[str, str], what: str, policy: RetryPolicy = READ_POLICY) -> object:
    """One JSON answer of the server; `what` completes "… while {what}"."""

    async def once() -> object:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as session:
            async with session.get(url, params=params) as response:
                if response.status == 429 or response.status >= 500:
                    raise RpcTransportError(f"HTTP {response.status}", status=response.status)
                response.raise_for_status()
                return await response.json(content_type=None)

    return await with_retries(once, what, policy)
