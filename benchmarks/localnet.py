"""Localnet benchmarks against the budgets in docs/PERFORMANCE.md.

Prints: transactions applied per second over HTTP, keeper tick time with at least 100
resting orders, websocket notification latency, driftpy subscribe times, and driftpy's
fast User decoder against anchorpy's. Each figure names the baseline it is held against.

Run: python -m benchmarks.localnet
"""

import asyncio
import base64
import json
import tempfile
import time
from pathlib import Path

import aiohttp
import websockets
from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.accounts.ws.account_subscriber import WebsocketAccountSubscriber
from driftpy.decode.user import decode_user
from driftpy.drift_client import DriftClient
from solana.rpc.async_api import AsyncClient
from solders.hash import Hash
from driftpy.types import MarketType, OrderParams, OrderType, PositionDirection
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from benchmarks.stats import report, report_rate
from rekt_localnet import LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER, serve
from rekt_localnet.account import Account
from rekt_localnet.encoding import decode_account
from rekt_localnet.keys import SYSTEM_PROGRAM_ID
from rekt_localnet.market.chain import users
from rekt_localnet.programs.drift import instructions as drift_ix
from rekt_localnet.programs.drift.instructions import user_key
from tests.localnet.conftest import free_port_pair

TRANSFERS = 1_000
CONCURRENCY = 16


async def transactions_per_second(handle) -> None:
    payer = Keypair()
    handle.ledger.put(payer.pubkey(), Account(10**15, SYSTEM_PROGRAM_ID))
    recipient = Keypair().pubkey()
    handle.ledger.put(recipient, Account(10**9, SYSTEM_PROGRAM_ID))
    blockhash = Hash.from_string(handle.ledger.latest_blockhash[0])
    wires = [
        base64.b64encode(
            bytes(
                Transaction.new_signed_with_payer(
                    [transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=recipient, lamports=i + 1))],
                    payer.pubkey(), [payer], blockhash,
                )
            )
        ).decode()
        for i in range(TRANSFERS)
    ]  # fmt: skip
    queue = list(reversed(wires))
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while queue:
                body = {"jsonrpc": "2.0", "id": 1, "method": "sendTransaction", "params": [queue.pop(), {"encoding": "base64"}]}
                async with session.post(handle.rpc_url, json=body) as response:
                    assert "result" in await response.json(), "a benchmark transfer was refused"

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    expected = 10**9 + TRANSFERS * (TRANSFERS + 1) // 2
    assert handle.ledger.get(recipient).lamports == expected, "not every transfer was applied"
    report_rate(f"sendTransaction applied ({TRANSFERS} transfers, preflight)", TRANSFERS / elapsed, "budget >= 200/s")


async def websocket_latency(handle, rounds: int = 300) -> None:
    key = Keypair().pubkey()
    handle.ledger.put(key, Account(10**9, SYSTEM_PROGRAM_ID))
    samples = []
    async with websockets.connect(handle.ws_url) as socket:
        await socket.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "accountSubscribe", "params": [str(key), {"encoding": "base64"}]}))
        await socket.recv()  # the subscription id
        for i in range(rounds):
            started = time.perf_counter()
            handle.ledger.put(key, Account(10**9 + i + 1, SYSTEM_PROGRAM_ID))
            while json.loads(await socket.recv()).get("method") != "accountNotification":
                pass
            samples.append((time.perf_counter() - started) * 1000)
    report("account change -> accountNotification", samples, "one 400 ms slot")


async def driftpy_subscribe(handle, rounds: int = 5) -> None:
    connection = AsyncClient(handle.rpc_url)
    clients, accounts = [], []
    for _ in range(rounds):
        client = DriftClient(
            connection, Keypair(), env="devnet",
            account_subscription=AccountSubscriptionConfig("websocket"),
            market_lookup_tables=[LOCALNET_LOOKUP_TABLE],
        )  # fmt: skip
        started = time.perf_counter()
        await client.subscribe()
        clients.append((time.perf_counter() - started) * 1000)
        await client.unsubscribe()
        subscriber = WebsocketAccountSubscriber(user_key(LOCALNET_REFERRER), client.program, decode=decode_user)
        started = time.perf_counter()
        await subscriber.subscribe()
        accounts.append((time.perf_counter() - started) * 1000)
        await subscriber.unsubscribe()
    await connection.close()
    report("DriftClient.subscribe (state, markets, oracles)", clients, "about 20 ms seen with driftpy on loopback")
    report("subscribe to a User account (websocket)", accounts, "budget <= 100 ms")


def user_decode(handle, rounds: int = 200) -> None:
    data = handle.ledger.get(user_key(LOCALNET_REFERRER)).data
    fast, slow = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        decode_user(data)
        fast.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        decode_account(data)
        slow.append((time.perf_counter() - started) * 1000)
    report("User decode: driftpy decode_user", fast, "anchorpy decode below")
    report("User decode: anchorpy coder", slow, "about 5 ms")
    print(f"{'decode_user speed-up over anchorpy':<50} {sorted(slow)[rounds // 2] / sorted(fast)[rounds // 2]:10.1f} x")


async def keeper_tick(handle, rounds: int = 51) -> None:
    """Three traders with 24 resting bids each, beside the makers' ladders, then time the keeper."""
    async with aiohttp.ClientSession() as session:

        async def call(method: str, *params):
            body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
            async with session.post(handle.rpc_url, json=body) as response:
                answer = await response.json()
            assert "result" in answer, answer
            return answer["result"]

        async def send(instructions, signer: Keypair) -> None:
            blockhash = Hash.from_string(handle.ledger.latest_blockhash[0])
            wire = bytes(Transaction.new_signed_with_payer(instructions, signer.pubkey(), [signer], blockhash))
            await call("sendTransaction", base64.b64encode(wire).decode(), {"encoding": "base64"})

        for _ in range(3):
            trader = Keypair()
            handle.ledger.put(trader.pubkey(), Account(10**10, SYSTEM_PROGRAM_ID))
            minted = await call("rekt_mintUsdc", str(trader.pubkey()), 10_000 * 10**6)
            token_account = Pubkey.from_string(minted["tokenAccount"])
            await send([drift_ix.initialize_user_stats(trader.pubkey()), drift_ix.initialize_user(trader.pubkey(), "bench")], trader)
            await send([drift_ix.deposit(trader.pubkey(), 0, 10_000 * 10**6, token_account)], trader)
            bids = [
                OrderParams(
                    order_type=OrderType.Limit(), market_type=MarketType.Perp(), direction=PositionDirection.Long(),
                    base_asset_amount=10**7, price=(100 + i) * 10**6, market_index=0,
                )
                for i in range(24)
            ]
            for chunk in (bids[:12], bids[12:]):
                await send([drift_ix.place_orders(trader.pubkey(), 0, chunk)], trader)
    resting = sum(1 for _, user in users(handle.ledger) for order in user.orders if type(order.status).__name__ == "Open")
    samples = []
    for _ in range(rounds):
        handle.keeper.tick(handle.ledger.slot)
        samples.append(handle.keeper.last_tick_ms)
    report(f"keeper tick with {resting} resting orders", samples, "budget <= 20 ms with 100 resting orders")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        handle = await serve(Path(tmp), port=free_port_pair(), dlob_port=0, slot_ms=400)
        try:
            print(f"localnet at slot {handle.ledger.slot}; figures are medians and 99th percentiles\n")
            await transactions_per_second(handle)
            await websocket_latency(handle)
            await driftpy_subscribe(handle)
            user_decode(handle)
            await keeper_tick(handle)
        finally:
            await handle.stop()


if __name__ == "__main__":
    asyncio.run(main())
