"""Sending transactions over real HTTP and websocket: solana-py's client and raw JSON-RPC."""

import asyncio
import base64
import json
import time

import aiohttp
import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.types import TxOpts
from solders.keypair import Keypair
from solders.signature import Signature
from solders.transaction import Transaction

from rekt_localnet.base58 import b58encode
from rekt_localnet.genesis import drift_signer
from rekt_localnet.keys import LOCALNET_FAUCET, USDC_MINT
from rekt_localnet.programs.ata import associated_token_address
from tests.localnet.helpers import wait_for_slot, wait_for_status
from tests.localnet.invariants import LedgerWatch
from tests.localnet.transactions import FEE, LAMPORTS_PER_SOL, close, legacy, pay, v0, wrapped_sol_account

SOL = LAMPORTS_PER_SOL


@pytest.fixture
def watch(localnet):
    watch = LedgerWatch(localnet.ledger)
    yield watch
    watch.check()


async def funded(rpc, lamports: int = 2 * SOL) -> Keypair:
    wallet = Keypair()
    await wait_for_status(rpc, await rpc.result("requestAirdrop", str(wallet.pubkey()), lamports))
    return wallet


async def blockhash(rpc) -> str:
    return (await rpc.result("getLatestBlockhash"))["value"]["blockhash"]


async def send(rpc, wire: bytes, **config):
    encoded = base64.b64encode(wire).decode()
    return await rpc.call("sendTransaction", encoded, {"encoding": "base64", **config})


async def balance(rpc, key) -> int:
    return (await rpc.result("getBalance", str(key)))["value"]


async def test_solana_py_sends_legacy_and_v0_and_reads_them_back(localnet, rpc, watch):
    alice, bob = await funded(rpc), Keypair().pubkey()
    signer_pda, _ = drift_signer()
    async with AsyncClient(localnet.rpc_url) as client:
        latest = str((await client.get_latest_blockhash()).value.blockhash)
        first = (await client.send_raw_transaction(legacy([pay(alice, bob, SOL // 2)], [alice], latest))).value
        second = (await client.send_raw_transaction(v0([pay(alice, signer_pda, SOL // 2)], [alice], latest))).value
        await wait_for_status(rpc, str(second))
        answer = (await client.get_transaction(second, max_supported_transaction_version=0)).value
        assert answer.transaction.version == 0
        meta = answer.transaction.meta
        assert meta.err is None and meta.fee == FEE
        assert [str(key) for key in meta.loaded_addresses.writable] == [str(signer_pda)]
        legacy_answer = (await client.get_transaction(first, max_supported_transaction_version=0)).value
        assert legacy_answer.transaction.meta.log_messages[-1].endswith("success")
    refused = await rpc.call("getTransaction", str(second), {"encoding": "json"})
    assert refused["error"]["code"] == -32015
    assert await balance(rpc, bob) == SOL // 2 and await balance(rpc, alice.pubkey()) == SOL - 2 * FEE


async def test_preflight_failure_is_node_shaped(rpc, watch):
    alice = await funded(rpc)
    instructions = [pay(alice, LOCALNET_FAUCET, 1), pay(alice, LOCALNET_FAUCET, 10 * SOL)]
    error = (await send(rpc, legacy(instructions, [alice], await blockhash(rpc))))["error"]
    assert error["code"] == -32002
    expected = "Transaction simulation failed: Error processing Instruction 1: custom program error: 0x1"
    assert error["message"] == expected
    data = error["data"]
    assert data["err"] == {"InstructionError": [1, {"Custom": 1}]}
    assert data["accounts"] is None and data["unitsConsumed"] == 300
    assert data["logs"][-1] == "Program 11111111111111111111111111111111 failed: custom program error: 0x1"
    assert await balance(rpc, alice.pubkey()) == 2 * SOL


async def test_rejections_before_simulation(rpc):
    alice = await funded(rpc)
    wire = legacy([pay(alice, LOCALNET_FAUCET, 1)], [alice], await blockhash(rpc))
    forged = Transaction.populate(Transaction.from_bytes(wire).message, [Signature(bytes(63) + b"\x01")])
    assert (await send(rpc, bytes(forged)))["error"]["code"] == -32003
    stale = legacy([pay(alice, LOCALNET_FAUCET, 1)], [alice], str(Keypair().pubkey()))
    error = (await send(rpc, stale))["error"]
    assert (error["code"], error["data"]["err"]) == (-32002, "BlockhashNotFound")
    assert (await send(rpc, b"\x01garbage"))["error"]["code"] == -32602
    unfunded = Keypair()
    wire = legacy([pay(unfunded, LOCALNET_FAUCET, 1)], [unfunded], await blockhash(rpc))
    error = (await send(rpc, wire))["error"]
    assert error["data"]["err"] == "AccountNotFound"
    assert error["message"].endswith("Attempt to debit an account but found no record of a prior credit.")


async def test_resending_the_same_bytes_applies_once(rpc, watch):
    alice, bob = await funded(rpc), Keypair().pubkey()
    wire = legacy([pay(alice, bob, SOL)], [alice], await blockhash(rpc))
    first = (await rpc.call("sendTransaction", b58encode(wire)))["result"]
    again = (await send(rpc, wire, skipPreflight=True, maxRetries=0, preflightCommitment="confirmed"))["result"]
    assert first == again
    await wait_for_status(rpc, first)
    assert (await send(rpc, wire))["result"] == first
    assert await balance(rpc, bob) == SOL


async def test_skip_preflight_lands_with_err_fee_and_notification(localnet, rpc, watch):
    alice = await funded(rpc)
    wire = legacy([pay(alice, LOCALNET_FAUCET, 10 * SOL)], [alice], await blockhash(rpc))
    signature = str(Transaction.from_bytes(wire).signatures[0])
    async with aiohttp.ClientSession() as session, session.ws_connect(localnet.ws_url) as socket:
        request = {"jsonrpc": "2.0", "id": 1, "method": "signatureSubscribe", "params": [signature]}
        await socket.send_str(json.dumps(request))
        assert "result" in json.loads((await socket.receive(timeout=5)).data)
        assert (await send(rpc, wire, skipPreflight=True))["result"] == signature
        notification = json.loads((await socket.receive(timeout=5)).data)
    expected = {"InstructionError": [0, {"Custom": 1}]}
    assert notification["method"] == "signatureNotification"
    assert notification["params"]["result"]["value"] == {"err": expected}
    status = await wait_for_status(rpc, signature)
    assert status["err"] == expected and status["status"] == {"Err": expected}
    assert await balance(rpc, alice.pubkey()) == 2 * SOL - FEE


async def test_simulate_transaction(rpc, watch):
    alice, bob = await funded(rpc), Keypair().pubkey()
    wire = legacy([pay(alice, bob, SOL)], [alice], await blockhash(rpc))
    encoded = base64.b64encode(wire).decode()
    config = {"encoding": "base64", "sigVerify": True, "accounts": {"addresses": [str(bob)], "encoding": "base64"}}
    value = (await rpc.result("simulateTransaction", encoded, config))["value"]
    assert value["err"] is None and value["unitsConsumed"] == 150
    assert value["accounts"][0]["lamports"] == SOL and await balance(rpc, bob) == 0
    stale = base64.b64encode(legacy([pay(alice, bob, SOL)], [alice], str(Keypair().pubkey()))).decode()
    replaced = await rpc.result("simulateTransaction", stale, {"encoding": "base64", "replaceRecentBlockhash": True})
    assert replaced["value"]["err"] is None and replaced["value"]["replacementBlockhash"]["blockhash"]
    conflicting = {"encoding": "base64", "sigVerify": True, "replaceRecentBlockhash": True}
    both = await rpc.call("simulateTransaction", stale, conflicting)
    assert both["error"]["code"] == -32602


async def test_wrapped_sol_round_trip_in_one_v0_transaction(localnet, rpc, watch):
    alice = await funded(rpc, 3 * SOL)
    create, account = wrapped_sol_account(alice, SOL)
    async with AsyncClient(localnet.rpc_url) as client:
        latest = await blockhash(rpc)
        wire = v0([*create, close(account, alice)], [alice], latest)
        signature = (await client.send_raw_transaction(wire, opts=TxOpts(skip_preflight=False))).value
    await wait_for_status(rpc, str(signature))
    assert (await rpc.result("getAccountInfo", str(account)))["value"] is None
    assert await balance(rpc, alice.pubkey()) == 3 * SOL - FEE


async def test_usdc_faucet_creates_the_account_and_mints(rpc, watch):
    wallet = Keypair().pubkey()
    first = await rpc.result("rekt_mintUsdc", str(wallet), 100_000_000)
    assert first["tokenAccount"] == str(associated_token_address(wallet, USDC_MINT))
    await wait_for_status(rpc, first["signature"])
    second = await rpc.result("rekt_mintUsdc", str(wallet), 5_000_000)
    await wait_for_status(rpc, second["signature"])
    amount = (await rpc.result("getTokenAccountBalance", first["tokenAccount"]))["value"]
    assert amount["amount"] == "105000000" and amount["uiAmountString"] == "105"
    assert (await rpc.call("rekt_mintUsdc", str(wallet), -1))["error"]["code"] == -32602


async def test_drop_fail_and_delay_faults(rpc):
    alice = await funded(rpc)
    assert (await rpc.result("rekt_dropTransactions", 1))["drop"] == 1
    dropped = (await send(rpc, legacy([pay(alice, LOCALNET_FAUCET, 1)], [alice], await blockhash(rpc))))["result"]
    assert (await rpc.result("rekt_failTransactions", 1, 6003))["fail"] == 1
    failed = (await send(rpc, legacy([pay(alice, LOCALNET_FAUCET, 2)], [alice], await blockhash(rpc))))["result"]
    status = await wait_for_status(rpc, failed)
    assert status["err"] == {"InstructionError": [0, {"Custom": 6003}]}
    await rpc.result("rekt_delayConfirmations", 3)
    delayed = (await send(rpc, legacy([pay(alice, LOCALNET_FAUCET, 3)], [alice], await blockhash(rpc))))["result"]
    sent_at = await rpc.result("getSlot")
    landed = await wait_for_status(rpc, delayed)
    assert await rpc.result("getSlot") >= sent_at + 2 and landed["slot"] <= sent_at
    await wait_for_slot(rpc, sent_at + 4)
    assert (await rpc.result("getSignatureStatuses", [dropped], {"searchTransactionHistory": True}))["value"] == [None]
    cleared = await rpc.result("rekt_clearTransactionFaults")
    assert cleared == {"drop": 0, "fail": 0, "failCode": 0, "confirmationDelay": 0}
    assert await balance(rpc, alice.pubkey()) == 2 * SOL - 2 * FEE - 3


async def test_throughput_over_http(rpc):
    alice = await funded(rpc, 100 * SOL)
    latest = await blockhash(rpc)
    count = 300
    wires = [legacy([pay(alice, LOCALNET_FAUCET, i + 1)], [alice], latest) for i in range(count)]
    encoded = [base64.b64encode(wire).decode() for wire in wires]
    start = time.perf_counter()
    batches = [encoded[start_at::6] for start_at in range(6)]

    async def send_batch(batch):
        for wire in batch:
            assert "result" in await rpc.call("sendTransaction", wire, {"encoding": "base64"})

    await asyncio.gather(*(send_batch(batch) for batch in batches))
    elapsed = time.perf_counter() - start
    rate = count / elapsed
    print(f"\nsendTransaction over HTTP: {rate:.0f} transfers/s applied ({count} in {elapsed * 1000:.0f} ms)")
    assert await balance(rpc, alice.pubkey()) == 100 * SOL - count * FEE - count * (count + 1) // 2
