"""The persisted ledger: restarts keep accounts and slots, --fresh starts over, one owner at a time."""

import base64
import os
import signal
import subprocess
import sys

import aiohttp
import pytest
from driftpy.addresses import get_state_public_key
from solders.keypair import Keypair

from rekt_localnet.errors import LocalnetError
from rekt_localnet import LocalnetError, serve
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from tests.localnet.conftest import TEST_SLOT_MS, Rpc, free_port_pair, start_localnet
from tests.localnet.helpers import wait_for_slot, wait_for_status

STATE = str(get_state_public_key(DRIFT_PROGRAM_ID))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


async def snapshot(handle, wallet: str) -> dict:
    async with aiohttp.ClientSession() as session:
        rpc = Rpc(session, handle.rpc_url)
        return {
            "slot": await rpc.result("getSlot"),
            "wallet": (await rpc.result("getAccountInfo", wallet))["value"],
            "state": (await rpc.result("getAccountInfo", STATE))["value"],
            "drift": await rpc.result("getProgramAccounts", str(DRIFT_PROGRAM_ID)),
        }


async def test_restart_keeps_accounts_signatures_and_slot(tmp_path):
    data_dir = tmp_path / "data"
    wallet = str(Keypair().pubkey())
    first = await start_localnet(data_dir, slot_ms=TEST_SLOT_MS)
    async with aiohttp.ClientSession() as session:
        rpc = Rpc(session, first.rpc_url)
        signature = await rpc.result("requestAirdrop", wallet, 5 * 10**9)
        landed = await wait_for_status(rpc, signature)
    before = await snapshot(first, wallet)
    await first.stop()

    second = await start_localnet(data_dir, slot_ms=TEST_SLOT_MS)
    try:
        after = await snapshot(second, wallet)
        assert after["slot"] >= before["slot"]
        assert after["wallet"] == before["wallet"] and after["wallet"]["lamports"] == 5 * 10**9
        assert after["state"] == before["state"] and after["drift"] == before["drift"]
        async with aiohttp.ClientSession() as session:
            rpc = Rpc(session, second.rpc_url)
            history = await rpc.result("getSignatureStatuses", [signature], {"searchTransactionHistory": True})
            assert history["value"][0]["slot"] == landed["slot"]
            assert (await rpc.result("getTransaction", signature))["slot"] == landed["slot"]
            await wait_for_slot(rpc, after["slot"] + 1)
    finally:
        await second.stop()


async def test_fresh_starts_over_from_genesis(tmp_path):
    data_dir = tmp_path / "data"
    wallet = str(Keypair().pubkey())
    first = await start_localnet(data_dir, slot_ms=TEST_SLOT_MS)
    async with aiohttp.ClientSession() as session:
        rpc = Rpc(session, first.rpc_url)
        await wait_for_status(rpc, await rpc.result("requestAirdrop", wallet, 10**9))
        await wait_for_slot(rpc, 10)
    await first.stop()

    second = await start_localnet(data_dir, slot_ms=10_000, fresh=True)
    try:
        after = await snapshot(second, wallet)
        assert after["wallet"] is None and after["slot"] < 10
        assert len(base64.b64decode(after["state"]["data"][0])) == 992
    finally:
        await second.stop()


async def test_one_localnet_per_ledger(localnet, tmp_path):
    with pytest.raises(LocalnetError, match="another localnet is using the ledger"):
        await serve(tmp_path / "data", port=free_port_pair())


async def test_busy_port_is_a_clear_error(localnet, tmp_path):
    with pytest.raises(LocalnetError, match=f"cannot listen for JSON-RPC on 127.0.0.1:{localnet.port}"):
        await serve(tmp_path / "other", port=localnet.port)


async def test_unreadable_ledger_asks_for_fresh(tmp_path):
    ledger_dir = tmp_path / "data" / "localnet"
    ledger_dir.mkdir(parents=True)
    (ledger_dir / "ledger.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(LocalnetError, match="--fresh"):
        await serve(tmp_path / "data", port=free_port_pair())
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS, fresh=True)
    await handle.stop()


async def test_ledger_directory_is_released_on_stop(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS)
    await handle.stop()
    await handle.stop()
    again = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS)
    await again.stop()


@pytest.mark.slow
def test_run_foreground_prints_ports_and_stops_on_sigterm(tmp_path):
    port = free_port_pair()
    code = (
        "import sys; from pathlib import Path; from rekt_localnet import run_foreground; "
        f"sys.exit(run_foreground(Path({str(tmp_path)!r}), port={port}, slot_ms=50, dlob_port=0))"
    )
    env = {**os.environ, "PYTHONPATH": REPO}
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = [process.stdout.readline() for _ in range(5)]
        assert f"http://127.0.0.1:{port}" in lines[1] and f"ws://127.0.0.1:{port + 1}" in lines[2]
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0 and "localnet stopped at slot" in out
