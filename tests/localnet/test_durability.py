"""Fault L1: a SIGKILLed localnet restarts with every transaction it acknowledged.

A real localnet runs in its own process with long slots, so confirmations arrive in the
middle of a slot, long before the slot clock's own commit; it is SIGKILLed right after
the last confirmation and reopened on the same ledger.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from solders.hash import Hash
from solders.keypair import Keypair
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from tests.localnet.conftest import Rpc, free_port_pair, start_localnet
from tests.localnet.helpers import wait_for_slot, wait_for_status

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Slots this long leave every confirmation below far from the slot clock's commit.
SLOW_SLOT_MS = 3000


def start_process(data_dir: Path, port: int) -> tuple[subprocess.Popen, str]:
    code = (
        "import sys; from pathlib import Path; from rekt_localnet import run_foreground; "
        f"sys.exit(run_foreground(Path({str(data_dir)!r}), port={port}, slot_ms={SLOW_SLOT_MS}, dlob_port=0))"
    )
    env = {**os.environ, "PYTHONPATH": REPO}
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    lines = [process.stdout.readline() for _ in range(2)]
    assert f"http://127.0.0.1:{port}" in lines[1], lines
    return process, f"http://127.0.0.1:{port}"


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def transfer_wire(payer: Keypair, to: Keypair, lamports: int, blockhash: str) -> bytes:
    instruction = transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to.pubkey(), lamports=lamports))
    return bytes(Transaction.new_signed_with_payer([instruction], payer.pubkey(), [payer], Hash.from_string(blockhash)))


async def send(rpc: Rpc, wire: bytes) -> str:
    import base64

    return await rpc.result("sendTransaction", base64.b64encode(wire).decode(), {"encoding": "base64"})


async def balance(rpc: Rpc, keypair: Keypair) -> int:
    return (await rpc.result("getBalance", str(keypair.pubkey())))["value"]


@pytest.mark.slow
async def test_sigkill_keeps_every_acknowledged_transaction(tmp_path):
    data_dir = tmp_path / "data"
    payer, recipient = Keypair(), Keypair()
    process, url = start_process(data_dir, free_port_pair())
    acknowledged: dict[str, dict] = {}
    try:
        async with aiohttp.ClientSession() as session:
            rpc = Rpc(session, url)
            await wait_for_status(rpc, await rpc.result("requestAirdrop", str(payer.pubkey()), 10**9), timeout=10)
            blockhash = (await rpc.result("getLatestBlockhash"))["value"]["blockhash"]
            for lamports in (1_000_000, 2_000_000, 3_000_000):
                signature = await send(rpc, transfer_wire(payer, recipient, lamports, blockhash))
                acknowledged[signature] = await wait_for_status(rpc, signature)
            assert await balance(rpc, recipient) == 6_000_000
    finally:
        kill(process)

    reopened = await start_localnet(data_dir, slot_ms=SLOW_SLOT_MS)
    try:
        async with aiohttp.ClientSession() as session:
            rpc = Rpc(session, reopened.rpc_url)
            history = await rpc.result("getSignatureStatuses", list(acknowledged), {"searchTransactionHistory": True})
            for (signature, before), after in zip(acknowledged.items(), history["value"]):
                assert after is not None, f"{signature} was acknowledged, then lost"
                assert (after["slot"], after["err"]) == (before["slot"], before["err"])
            assert await balance(rpc, recipient) == 6_000_000
    finally:
        await reopened.stop()


@pytest.mark.slow
async def test_sigkill_while_a_confirmation_is_held_never_applies_a_resend_twice(tmp_path):
    data_dir = tmp_path / "data"
    payer, recipient = Keypair(), Keypair()
    process, url = start_process(data_dir, free_port_pair())
    try:
        async with aiohttp.ClientSession() as session:
            rpc = Rpc(session, url)
            await wait_for_status(rpc, await rpc.result("requestAirdrop", str(payer.pubkey()), 10**9), timeout=10)
            await rpc.result("rekt_delayConfirmations", 50)
            blockhash = (await rpc.result("getLatestBlockhash"))["value"]["blockhash"]
            wire = transfer_wire(payer, recipient, 5_000_000, blockhash)
            signature = await send(rpc, wire)
            await wait_for_slot(rpc, await rpc.result("getSlot") + 1, timeout=10)  # a slot commit passes
            assert (await rpc.result("getSignatureStatuses", [signature]))["value"] == [None]
    finally:
        kill(process)

    reopened = await start_localnet(data_dir, slot_ms=50)
    try:
        async with aiohttp.ClientSession() as session:
            rpc = Rpc(session, reopened.rpc_url)
            assert await send(rpc, wire) == signature  # the client resends the same bytes
            status = await wait_for_status(rpc, signature, timeout=10)
            assert status["err"] is None
            assert await balance(rpc, recipient) == 5_000_000
    finally:
        await reopened.stop()
