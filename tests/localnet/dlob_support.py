"""Building order books for DLOB tests: Users with known resting orders, a DLOB server
on a free port over a ledger the test drives slot by slot."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from aiohttp import web
from driftpy.addresses import get_user_account_public_key
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_localnet import drift_accounts
from rekt_localnet.account import Account
from rekt_localnet.dlob import DlobServer
from rekt_localnet.encoding import decode_account, encode_account, variant
from rekt_localnet.faults import Faults
from rekt_localnet.genesis import GenesisConfig, build_genesis
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.ledger import Ledger

SOL = 10**9
USD = 10**6


def order(order_id: int, side: str, price: int, size: int, *, market: int = 0, spot: bool = False, **fields) -> dict:
    """An open limit order (post-only unless told) as `place_maker` takes it."""
    return {"order_id": order_id, "side": side, "price": price, "size": size, "market": market, "spot": spot, **fields}


def user_with_orders(authority: Pubkey, orders: list[dict], *, slot: int = 0) -> bytes:
    """A User account whose order slots hold `orders`, encoded with the program's layout."""
    user = decode_account(drift_accounts.user(authority=authority, sub_account_id=0, name="maker", slot=slot))
    slots = list(user.orders)
    for position, spec in enumerate(orders):
        current = slots[position]
        slots[position] = replace(
            current,
            status=variant(current.status, "Open"),
            order_type=variant(current.order_type, spec.get("order_type", "Limit")),
            market_type=variant(current.market_type, "Spot" if spec["spot"] else "Perp"),
            direction=variant(current.direction, "Long" if spec["side"] == "bid" else "Short"),
            market_index=spec["market"],
            order_id=spec["order_id"],
            price=spec["price"],
            base_asset_amount=spec["size"],
            base_asset_amount_filled=spec.get("filled", 0),
            oracle_price_offset=spec.get("oracle_price_offset", 0),
            slot=spec.get("slot", slot),
            post_only=spec.get("post_only", True),
            auction_duration=spec.get("auction_duration", 0),
            max_ts=spec.get("max_ts", 0),
        )
    return encode_account("User", replace(user, orders=slots))


def place_maker(ledger: Ledger, orders: list[dict], authority: Pubkey | None = None) -> Pubkey:
    """Write a maker User with `orders` into the ledger; returns the User account address."""
    authority = authority or Keypair().pubkey()
    key = get_user_account_public_key(DRIFT_PROGRAM_ID, authority, 0)
    ledger.put(key, Account.rent_exempt(DRIFT_PROGRAM_ID, user_with_orders(authority, orders, slot=ledger.slot)))
    return key


def open_ledger(directory: Path) -> Ledger:
    return Ledger.open(directory, lambda: build_genesis(GenesisConfig(unix_time=1_767_225_600)))


@asynccontextmanager
async def dlob_server(ledger: Ledger, **options) -> AsyncIterator[tuple[DlobServer, str]]:
    """A DLOB server for `ledger` on a free loopback port: (server, base URL)."""
    server = DlobServer(ledger, options.pop("faults", None) or Faults(), **options)
    runner = web.AppRunner(server.app(), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield server, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
