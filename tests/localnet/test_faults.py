"""Network faults, each observed by a real client: 429s for a share of requests, added
latency, silent websockets that later resume, and websockets closed on demand."""

import asyncio
import time

import aiohttp
import pytest
from solana.exceptions import SolanaRpcException
from solana.rpc.async_api import AsyncClient
from solders.keypair import Keypair

from rekt_localnet.faults import FaultError, Faults
from tests.localnet.conftest import Rpc, start_localnet


@pytest.fixture
async def net(tmp_path):
    localnet = await start_localnet(tmp_path / "data", slot_ms=50, dlob_heartbeat_s=0.05)
    async with aiohttp.ClientSession() as session:
        yield localnet, Rpc(session, localnet.rpc_url)
    await localnet.stop()


async def status_of(rpc: Rpc, method: str = "getSlot") -> int:
    async with rpc.session.post(rpc.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": []}) as response:
        await response.read()
        return response.status


async def test_a_share_of_requests_get_429_but_admin_calls_never_do(net):
    localnet, rpc = net
    assert await rpc.result("rekt_setFaults", {"http429": 0.4}) == {"http429": 0.4, "latencyMs": 0, "wsSilent": False, "pausedProgram": False,
                                                                    "historyLagSlots": 0}
    statuses = [await status_of(rpc) for _ in range(200)]
    refused = statuses.count(429)
    assert set(statuses) == {200, 429} and 50 <= refused <= 110
    await rpc.result("rekt_setFaults", {"http429": 1})
    async with rpc.session.post(rpc.url, json={"jsonrpc": "2.0", "id": 1, "method": "getSlot"}) as response:
        assert response.status == 429 and response.headers["Retry-After"] == "1"
        assert (await response.json())["error"]["code"] == 429
    assert {await status_of(rpc, "rekt_getFaults") for _ in range(20)} == {200}
    async with rpc.session.get(localnet.dlob_url + "/l2?marketName=SOL-PERP") as response:
        assert response.status == 429
    await rpc.result("rekt_clearFaults")
    assert {await status_of(rpc) for _ in range(30)} == {200}


async def test_solana_client_sees_the_429(net):
    localnet, rpc = net
    await rpc.result("rekt_setFaults", {"http429": 1})
    client = AsyncClient(localnet.rpc_url)
    try:
        with pytest.raises(SolanaRpcException) as error:
            await client.get_slot()
        assert "429" in repr(error.value.__cause__)
        await rpc.result("rekt_clearFaults")
        assert (await client.get_slot()).value >= 0
    finally:
        await client.close()


async def test_added_latency(net):
    localnet, rpc = net
    await rpc.result("rekt_setFaults", {"latencyMs": 150})
    started = time.monotonic()
    await rpc.result("getSlot")
    assert time.monotonic() - started >= 0.15
    started = time.monotonic()
    await rpc.result("rekt_getFaults")
    assert time.monotonic() - started < 0.1
    await rpc.result("rekt_clearFaults")
    started = time.monotonic()
    await rpc.result("getSlot")
    assert time.monotonic() - started < 0.1


async def next_text(ws, timeout: float) -> dict | None:
    try:
        message = await ws.receive(timeout=timeout)
    except asyncio.TimeoutError:
        return None
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return message.json()


async def drain(ws) -> None:
    while await next_text(ws, 0.01) is not None:
        pass


async def test_silent_websockets_stay_open_then_resume(net):
    localnet, rpc = net
    chain = await rpc.session.ws_connect(localnet.ws_url)
    await chain.send_json({"jsonrpc": "2.0", "id": 1, "method": "slotSubscribe"})
    dlob = await rpc.session.ws_connect(localnet.dlob_ws_url)
    assert (await next_text(chain, 2))["result"] is not None
    assert (await next_text(dlob, 2)) == {"channel": "heartbeat"}
    await rpc.result("rekt_setFaults", {"wsSilent": True})
    await drain(chain)
    await drain(dlob)
    silenced_at = localnet.ledger.slot
    assert await next_text(chain, 0.3) is None and await next_text(dlob, 0.05) is None
    assert not chain.closed and not dlob.closed and localnet.ledger.slot >= silenced_at + 3
    await rpc.result("rekt_setFaults", {"wsSilent": False})
    resumed = await next_text(chain, 2)
    assert resumed["method"] == "slotNotification" and resumed["params"]["result"]["slot"] > silenced_at + 2
    assert await next_text(dlob, 2) == {"channel": "heartbeat"}
    await chain.close()
    await dlob.close()


async def test_close_all_websockets(net):
    localnet, rpc = net
    chain = await rpc.session.ws_connect(localnet.ws_url)
    dlob = await rpc.session.ws_connect(localnet.dlob_ws_url)
    await rpc.result("rekt_setFaults", {"closeWebsockets": True})
    for ws in (chain, dlob):
        message = await ws.receive(timeout=2)
        while message.type == aiohttp.WSMsgType.TEXT:
            message = await ws.receive(timeout=2)
        assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 1001
    again = await rpc.session.ws_connect(localnet.ws_url)
    await again.send_json({"jsonrpc": "2.0", "id": 1, "method": "slotSubscribe"})
    assert "result" in await next_text(again, 2)
    await again.close()


async def test_fault_flags_at_start(tmp_path):
    localnet = await start_localnet(tmp_path / "data", slot_ms=50, faults=["http429=1", "latency=20", "ws-silent", "paused-program",
                                                                                "history-lag=7"])
    try:
        assert localnet.faults.state() == {"http429": 1.0, "latencyMs": 20, "wsSilent": True, "pausedProgram": True,
                                           "historyLagSlots": 7}
        async with aiohttp.ClientSession() as session:
            assert await status_of(Rpc(session, localnet.rpc_url)) == 429
    finally:
        await localnet.stop()


@pytest.mark.parametrize(
    "flag, fragment",
    [
        ("http429", "is not a fault"),
        ("http429=lots", "has a bad value"),
        ("http429=1.5", "between 0 and 1"),
        ("latency=-5", "from 0 to 60000"),
        ("latency=0.5", "has a bad value"),
        ("ws-silent=yes", "is not a fault"),
        ("paused-program=1", "is not a fault"),
        ("history-lag", "is not a fault"),
        ("history-lag=-1", "from 0 to 10000"),
        ("drop-everything", "is not a fault"),
    ],
)
def test_bad_fault_flags_are_one_sentence(flag, fragment):
    with pytest.raises(FaultError) as error:
        Faults().apply_flags([flag])
    assert fragment in str(error.value) and "\n" not in str(error.value)


async def test_bad_admin_fault_settings(net):
    _, rpc = net
    for faults in ({"http429": 2}, {"jitter": 1}, {"wsSilent": "yes"}, {"closeWebsockets": 1}, {"pausedProgram": 1},
                   {"historyLagSlots": 1.5}, [1]):
        error = (await rpc.call("rekt_setFaults", faults))["error"]
        assert error["code"] == -32602
    assert await rpc.result("rekt_getFaults") == {"http429": 0.0, "latencyMs": 0, "wsSilent": False, "pausedProgram": False,
                                                  "historyLagSlots": 0}


async def test_a_lagging_history_leaves_out_the_newest_slots_only(net):
    _, rpc = net
    payer = str(Keypair().pubkey())
    await rpc.result("rekt_setFaults", {"historyLagSlots": 10_000})
    signature = await rpc.result("requestAirdrop", payer, 10**9)
    for _ in range(100):  # the airdrop's effect shows while the history does not list it
        if (await rpc.result("getBalance", payer))["value"]:
            break
        await asyncio.sleep(0.02)
    assert (await rpc.result("getBalance", payer))["value"] == 10**9
    assert await rpc.result("getSignaturesForAddress", payer) == []
    await rpc.result("rekt_clearFaults")
    assert [entry["signature"] for entry in await rpc.result("getSignaturesForAddress", payer)] == [signature]
