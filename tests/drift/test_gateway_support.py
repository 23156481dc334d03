"""Helpers the gateway and feed tests share (no tests here): funded traders, waiting."""

import asyncio
import time

from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.addresses import get_user_account_public_key, get_user_stats_account_public_key
from driftpy.drift_client import DriftClient
from driftpy.types import ReferrerInfo
from solana.rpc.async_api import AsyncClient
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_tui.drift.client import DRIFTPY_PROGRAM_ID, Endpoint
from rekt_tui.drift.gateway import DriftGateway
from rekt_tui.drift.streams import Backoff
from rekt_localnet import LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from tests.localnet.helpers import wait_for_status

USDC = 10**6
SOL = 10**9
FAST_BACKOFF = Backoff(initial_s=0.05, max_s=0.2)
REFERRER = ReferrerInfo(
    get_user_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER, 0),
    get_user_stats_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER),
)


async def until(condition, timeout: float = 5.0, message: str = "condition never held") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        await asyncio.sleep(0.01)


def endpoint(live) -> Endpoint:
    return Endpoint("localnet", live.rpc_url, DRIFTPY_PROGRAM_ID, (str(LOCALNET_LOOKUP_TABLE),))


async def open_gateway(live, wallet=None, *, authority=None, stale_after_s: float = 5.0) -> DriftGateway:
    gateway = DriftGateway(
        endpoint(live), wallet, authority=authority, ws_url=live.ws_url, stale_after_s=stale_after_s,
        backoff=FAST_BACKOFF,
    )  # fmt: skip
    await gateway.connect()
    return gateway


async def funded_wallet(rpc, sol: int = 20 * SOL) -> Keypair:
    wallet = Keypair()
    await wait_for_status(rpc, await rpc.result("requestAirdrop", str(wallet.pubkey()), sol))
    return wallet


async def make_trader(live, rpc, *, usdc: int = 0, sol: int = 0) -> DriftClient:
    """A subscribed driftpy client (the reference) with a Drift user holding the deposits."""
    wallet = await funded_wallet(rpc, 20 * SOL + sol)
    client = DriftClient(
        AsyncClient(live.rpc_url), wallet, env="devnet",
        account_subscription=AccountSubscriptionConfig("websocket"), market_lookup_tables=[LOCALNET_LOOKUP_TABLE],
    )  # fmt: skip
    await client.initialize_user(referrer_info=REFERRER)
    await client.subscribe()
    if usdc:
        minted = await rpc.result("rekt_mintUsdc", str(wallet.pubkey()), usdc)
        await client.deposit(usdc, 0, Pubkey.from_string(minted["tokenAccount"]))
    if sol:
        await client.deposit(sol, 1, wallet.pubkey())
    await until(lambda: client.get_user().get_token_amount(0) == usdc and client.get_user().get_token_amount(1) == sol)
    return client


async def close_client(client: DriftClient) -> None:
    await client.unsubscribe()
    await client.connection.close()


def percentile(samples, share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
