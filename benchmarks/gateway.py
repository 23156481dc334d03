"""Gateway benchmark: from a localnet oracle change to the matching AccountSnapshot.

A trader with a SOL-PERP position watches its account through the gateway while the
oracle moves; each round sets a new price with the admin method and waits for the
snapshot that carries it. Prints the gateway's own notification -> snapshot cost and
the whole round trip, against docs/PERFORMANCE.md's one-frame budget (16.7 ms).

Run: python -m benchmarks.gateway
"""

import asyncio
import tempfile
import time
from pathlib import Path

import aiohttp
from driftpy.types import MarketType, OrderParams, OrderType, PositionDirection

from benchmarks.stats import report
from rekt_localnet import serve
from tests.drift.test_gateway_support import close_client, make_trader, open_gateway, until
from tests.localnet.conftest import Rpc, free_port_pair

SOL, USDC = 10**9, 10**6
ROUNDS = 100


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        live = await serve(Path(tmp), port=free_port_pair(), dlob_port=0, slot_ms=400, oracle_walk=False)
        try:
            async with aiohttp.ClientSession() as session:
                rpc = Rpc(session, live.rpc_url)
                trader = await make_trader(live, rpc, usdc=1_000 * USDC)
                order = OrderParams(
                    order_type=OrderType.Market(), market_type=MarketType.Perp(),
                    direction=PositionDirection.Long(), base_asset_amount=SOL, market_index=0,
                )  # fmt: skip
                await trader.place_perp_order(order)
                gateway = await open_gateway(live, authority=trader.authority)
                await until(lambda: gateway.snapshot() is not None and gateway.snapshot().positions, timeout=20)
                snapshots = gateway.snapshots()
                gateway.latencies_ms.clear()
                round_trips = []
                for step in range(ROUNDS):
                    price = 140 + step % 20
                    started = time.perf_counter()
                    await rpc.result("rekt_setOraclePrice", "SOL-PERP", str(price))
                    while (await anext(snapshots)).positions[0].oracle_price != price * USDC:
                        pass
                    round_trips.append((time.perf_counter() - started) * 1000)
                report("notification -> AccountSnapshot (gateway)", list(gateway.latencies_ms), "budget 16.7 ms p99")
                report("oracle change -> AccountSnapshot (end to end)", round_trips, "a Solana slot, 400 ms")
                await gateway.close()
                await close_client(trader)
        finally:
            await live.stop()


if __name__ == "__main__":
    asyncio.run(main())
