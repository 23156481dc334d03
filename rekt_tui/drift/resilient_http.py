"""A solana-py client whose every HTTP request retries 429s, 5xx and dropped connections.

solana-py posts every JSON-RPC request through one httpx client and offers no retry and
no transport parameter; putting the retry in an httpx transport covers every read driftpy
and anchorpy make, without wrapping each call. The rules are drift/retry.py's.
"""

import httpx

from rekt_tui.drift.retry import DEFAULT_POLICY, RETRY_STATUSES, RetryPolicy, with_retries


class RetryingTransport(httpx.AsyncBaseTransport):
    """An httpx transport that retries each request's 429/5xx/transport failures."""

    def __init__(self, policy: RetryPolicy = DEFAULT_POLICY, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async def once() -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            if response.status_code in RETRY_STATUSES:
                await response.aread()
                await response.aclose()
                raise httpx.HTTPStatusError(f"HTTP {response.status_code}", request=request, response=response)
            return response

        return await with_retries(once, f"asking {request.url} for data", self._policy)

    async def aclose(self) -> None:
        await self._inner.aclose()


def resilient_connection(url: str, policy: RetryPolicy = DEFAULT_POLICY, *, timeout_s: float = 10.0):
    """A solana-py AsyncClient (at `confirmed`) whose HTTP requests retry transient failures."""
    from solana.rpc.async_api import AsyncClient
    from solana.rpc.commitment import Confirmed

    client = AsyncClient(url, commitment=Confirmed, timeout=timeout_s)
    # solana-py offers no transport parameter: its provider's httpx client is replaced.
    client._provider.session = httpx.AsyncClient(timeout=timeout_s, transport=RetryingTransport(policy))
    return client
