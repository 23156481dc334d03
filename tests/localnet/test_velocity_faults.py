"""Faults on a relaunch localnet work as on Drift's: refused HTTP, a paused program."""

import aiohttp

from rekt_localnet.keys import LOCALNET_REFERRER

from .conftest import TEST_SLOT_MS, Rpc, start_localnet
from .velocity_support import PROGRAM, USDT, account, deposit_quote, new_trader, send


async def test_a_paused_relaunch_refuses_every_instruction_and_stays_readable(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS, venue="velocity")
    try:
        async with aiohttp.ClientSession() as session:
            rpc = Rpc(session, handle.rpc_url)
            trader = await new_trader(rpc, quote=10 * USDT)
            await rpc.result("rekt_setFaults", {"pausedProgram": True})
            refused = await send(rpc, [deposit_quote(trader, 10 * USDT)], [trader.keypair])
            assert refused.code == 101 and any("InstructionFallbackNotFound" in line for line in refused.logs)
            assert (await account(rpc, PROGRAM.pdas.user_stats(LOCALNET_REFERRER), "UserStats"))["authority"] == LOCALNET_REFERRER
            await rpc.result("rekt_setFaults", {"pausedProgram": False})
            assert (await send(rpc, [deposit_quote(trader, 10 * USDT)], [trader.keypair])).err is None
    finally:
        await handle.stop()


async def test_http429_reaches_the_relaunch_dlob_paths_too(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS, venue="velocity", faults=["http429=1"])
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(handle.dlob_url + "/userOrders", params={"userAccount": str(LOCALNET_REFERRER)}) as reply:
                assert reply.status == 429
            async with session.get(handle.dlob_url + "/l2", params={"marketName": "SOL-PERP"}) as reply:
                assert reply.status == 429
            rpc = Rpc(session, handle.rpc_url)
            await rpc.result("rekt_setFaults", {"http429": 0})
            async with session.get(handle.dlob_url + "/userOrders", params={"userAccount": str(LOCALNET_REFERRER)}) as reply:
                assert reply.status == 200 and (await reply.json())["orders"] == []
    finally:
        await handle.stop()
