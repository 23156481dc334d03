"""Setting up sessions worth tearing down: a funded wallet with collateral, positions and orders.

Positions and orders are opened with the drift actions directly (not the order service),
landed through our sender, on a localnet with makers and keeper running.
"""

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from rekt_tui.config import Settings
from rekt_tui.config.models import DEFAULT_PROFILES, ClusterProfile
from rekt_tui.domain.records import Direction, OrderType
from rekt_tui.drift import actions, order_actions
from rekt_tui.drift.rpc import JsonRpc
from rekt_localnet import LOCALNET_REFERRER
from rekt_tui.services.container import Services
from rekt_tui.services.landing import land
from rekt_tui.services.link import SessionLink, open_link
from tests.localnet.conftest import start_localnet

SOL = 10**9
USDC = 10**6
# (market, direction, size, oracle at genesis, tick) of the three positions.
POSITIONS = (
    (0, Direction.LONG, 2 * SOL, 150 * USDC, 100),
    (1, Direction.SHORT, SOL // 1000, 100_000 * USDC, 100_000),
    (2, Direction.LONG, SOL // 20, 3_500 * USDC, 10_000),
)
# Two resting limit orders far from the market, so they never fill.
RESTING = ((0, Direction.LONG, SOL, 100 * USDC), (2, Direction.SHORT, SOL // 10, 5_000 * USDC))


def settings_for(data_dir: Path, *, rpc_url: str, ws_url: str, dlob_url: str, dlob_ws_url: str) -> Settings:
    local = {**DEFAULT_PROFILES["localnet"], "rpc_url": rpc_url, "ws_url": ws_url, "dlob_url": dlob_url,
             "dlob_ws_url": dlob_ws_url}  # fmt: skip
    clusters = {name: ClusterProfile(**values) for name, values in DEFAULT_PROFILES.items()}
    return Settings(data_dir=data_dir, keystore_backend="localnet-file", clusters={**clusters, "localnet": local})


@pytest.fixture
async def services(tmp_path):
    """Services over a fresh localnet (50 ms slots, makers and keeper running)."""
    chain = await start_localnet(tmp_path / "data", slot_ms=50, market_life=True)  # the product's data dir holds the ledger
    settings = settings_for(
        tmp_path / "data", rpc_url=chain.rpc_url, ws_url=chain.ws_url, dlob_url=chain.dlob_url,
        dlob_ws_url=chain.dlob_ws_url,
    )  # fmt: skip
    opened = await Services.open(settings)
    yield opened
    await opened.close()
    await chain.stop()


async def until(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} never held"
        await asyncio.sleep(0.02)


@dataclass
class Book:
    """How much to put in: collateral (USDC or SOL), and whether to trade."""

    usdc: int = 0
    sol: int = 0
    positions: tuple = POSITIONS
    resting: tuple = RESTING


async def land_raw(link: SessionLink, kind: str, instructions, intent: dict | None = None):
    """Land raw Drift instructions through the session's sender (setting up what a test needs)."""
    return await land(link, kind, intent or {}, link.venue.transaction(instructions))


async def funded_session(services: Services, book: Book = Book(usdc=1_000 * USDC)) -> SessionLink:
    """A new session wallet, funded, with a Drift account (our referrer), collateral, positions and orders."""
    session = await (await services.wallets()).create(label="teardown test")
    admin = JsonRpc(services.settings.profile.rpc_url)
    try:
        await admin.call("requestAirdrop", [session.pubkey, 10 * SOL])
        await admin.call("rekt_mintUsdc", [session.pubkey, 2_000 * USDC])
    finally:
        await admin.close()
    link = await open_link(services, session.pubkey)
    client = link.venue.drift_client
    while not await link.venue.wallet_lamports():
        await asyncio.sleep(0.02)
    await land_raw(link, "initialize", lambda: actions.initialize_account(client, LOCALNET_REFERRER))
    if book.usdc:
        await land_raw(link, "deposit", lambda: actions.deposit_usdc(client, book.usdc))
    if book.sol:
        await land_raw(link, "deposit", lambda: actions.deposit_sol(client, book.sol))
    for user_order_id, (market, direction, size, oracle, tick) in enumerate(book.positions, start=1):
        worst = (oracle * 101 // 100 if direction is Direction.LONG else oracle * 99 // 100) // tick * tick
        order = order_actions.place_perp_order(
            client, market_index=market, direction=direction, order_type=OrderType.MARKET, base_amount=size,
            user_order_id=user_order_id, auction_start_price=oracle, auction_end_price=worst, auction_duration=5,
        )  # fmt: skip
        await land_raw(link, "place_order", order)
    await until(lambda: len(link.venue.holdings().positions) == len(book.positions), what="fills")
    expiry = int(time.time()) + 3600
    for user_order_id, (market, direction, size, price) in enumerate(book.resting, start=100):
        order = order_actions.place_perp_order(
            client, market_index=market, direction=direction, order_type=OrderType.LIMIT, base_amount=size,
            user_order_id=user_order_id, price=price, post_only=True, max_ts=expiry,
        )  # fmt: skip
        await land_raw(link, "place_order", order)
    return link
