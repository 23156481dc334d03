"""The sender against a real localnet: docs/RELIABILITY.md rows T1–T5 and crash resume.

Each test sends real signed transfers over HTTP to the embedded localnet and checks both
the chain (balances moved exactly once) and the registry (one row per signed
transaction, with its final status, code and name).
"""

import asyncio
import base64
from dataclasses import dataclass

import pytest
from solders.hash import Hash
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from rekt_tui.domain.records import TransactionStatus
from rekt_tui.drift.errors import TransactionExpired, TransactionFailed
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.sender import SendPolicy, TransactionSender, signature_of
from rekt_tui.registry import Registry
from tests.localnet.conftest import start_localnet

pytestmark = pytest.mark.slow

SLOT_MS = 20  # 150 slots of blockhash validity = 3 s
FAST = SendPolicy(resend_interval_s=0.2, poll_interval_s=0.02, backoff_initial_s=0.02, backoff_max_s=0.2)
PAYMENT = 1_000_000


@dataclass
class Chain:
    rpc: JsonRpc
    admin: JsonRpc
    registry: Registry
    payer: Keypair
    recipient: Pubkey

    def sender(self, policy: SendPolicy = FAST) -> TransactionSender:
        return TransactionSender(self.rpc, self.registry, policy)

    def build(self, lamports: int = PAYMENT):
        def signed(blockhash: str) -> bytes:
            instruction = transfer(
                TransferParams(from_pubkey=self.payer.pubkey(), to_pubkey=self.recipient, lamports=lamports)
            )
            return bytes(
                Transaction.new_signed_with_payer([instruction], self.payer.pubkey(), [self.payer], Hash.from_string(blockhash))
            )

        return signed

    async def balance(self, key: Pubkey) -> int:
        return (await self.admin.call("getBalance", [str(key), {"commitment": "confirmed"}]))["value"]

    async def rows(self):
        return await self.registry.list_transactions(str(self.payer.pubkey()))


@pytest.fixture
async def chain(tmp_path):
    handle = await start_localnet(tmp_path / "chain", slot_ms=SLOT_MS)
    registry = await Registry.open(tmp_path / "data")
    rpc, admin = JsonRpc(handle.rpc_url, timeout_s=0.3), JsonRpc(handle.rpc_url)
    payer = Keypair()
    await registry.create_session(pubkey=str(payer.pubkey()), cluster="localnet", label="", key_backend="test")
    await admin.call("requestAirdrop", [str(payer.pubkey()), 10**9])
    for _ in range(200):
        if (await admin.call("getBalance", [str(payer.pubkey())]))["value"]:
            break
        await asyncio.sleep(SLOT_MS / 1000)
    yield Chain(rpc, admin, registry, payer, Keypair().pubkey())
    await admin.call("rekt_clearFaults", [])
    await admin.call("rekt_clearTransactionFaults", [])
    for client in (rpc, admin):
        await client.close()
    await registry.close()
    await handle.stop()


async def test_lands_once_and_persists_the_exact_bytes(chain):
    landed = await chain.sender().send(str(chain.payer.pubkey()), kind="transfer", intent={"to": "x"}, build=chain.build())
    (row,) = await chain.rows()
    assert (row.signature, row.status, row.slot) == (landed.signature, TransactionStatus.CONFIRMED, landed.slot)
    assert signature_of(row.raw_tx) == landed.signature
    assert row.intent == '{"to": "x"}' and row.last_valid_block_height > 0
    assert await chain.balance(chain.recipient) == PAYMENT


async def test_t1_send_times_out_but_lands(chain):
    """Every answer slower than the client's timeout for a while: one signature, landed once."""
    await chain.admin.call("rekt_setFaults", [{"latencyMs": 600}])
    sending = asyncio.create_task(chain.sender().send(str(chain.payer.pubkey()), kind="transfer", intent={}, build=chain.build()))
    await asyncio.sleep(1.5)
    await chain.admin.call("rekt_clearFaults", [])
    landed = await sending
    (row,) = await chain.rows()
    assert row.signature == landed.signature and row.status is TransactionStatus.CONFIRMED
    assert await chain.balance(chain.recipient) == PAYMENT


async def test_t2_rate_limit_storm_backs_off_and_resends_the_same_bytes(chain):
    await chain.admin.call("rekt_setFaults", [{"http429": 1.0}])
    sending = asyncio.create_task(chain.sender().send(str(chain.payer.pubkey()), kind="transfer", intent={}, build=chain.build()))
    await asyncio.sleep(1.0)
    assert not sending.done()
    await chain.admin.call("rekt_setFaults", [{"http429": 0.5}])  # a flaky provider, not a dead one
    await asyncio.sleep(0.5)
    await chain.admin.call("rekt_clearFaults", [])
    landed = await sending
    (row,) = await chain.rows()
    assert row.signature == landed.signature and row.status is TransactionStatus.CONFIRMED
    assert await chain.balance(chain.recipient) == PAYMENT


async def test_t3_dropped_transaction_expires_then_exactly_one_rebuild_lands(chain):
    await chain.admin.call("rekt_dropTransactions", [1])
    landed = await chain.sender().send(str(chain.payer.pubkey()), kind="transfer", intent={}, build=chain.build())
    rebuilt, dropped = await chain.rows()  # newest first
    assert dropped.status is TransactionStatus.EXPIRED and dropped.retry_count > 0
    assert (rebuilt.signature, rebuilt.status, rebuilt.rebuild_of) == (landed.signature, TransactionStatus.CONFIRMED, dropped.signature)
    assert landed.rebuild_of == dropped.signature
    assert await chain.balance(chain.recipient) == PAYMENT


async def test_t3_rebuild_that_also_expires_gives_up_with_one_sentence(chain):
    await chain.admin.call("rekt_dropTransactions", [2])
    with pytest.raises(TransactionExpired, match="expired 2 times without landing"):
        await chain.sender().send(str(chain.payer.pubkey()), kind="transfer", intent={}, build=chain.build())
    assert [row.status for row in await chain.rows()] == [TransactionStatus.EXPIRED] * 2
    assert await chain.balance(chain.recipient) == 0


async def test_t4_landed_error_is_a_failure_with_code_and_name(chain):
    await chain.admin.call("rekt_failTransactions", [1, 6003])
    with pytest.raises(TransactionFailed) as caught:
        await chain.sender().send(str(chain.payer.pubkey()), kind="transfer", intent={}, build=chain.build())
    assert caught.value.landed and caught.value.error.code == 6003
    (row,) = await chain.rows()
    assert (row.status, row.error_code, row.error_name) == (TransactionStatus.FAILED, 6003, "InsufficientCollateral")
    assert row.slot is not None
    assert await chain.balance(chain.recipient) == 0


async def test_t5_preflight_failure_is_not_retried(chain):
    before = await chain.balance(chain.payer.pubkey())
    with pytest.raises(TransactionFailed) as caught:
        await chain.sender().send(str(chain.payer.pubkey()), kind="transfer", intent={}, build=chain.build(10**12))
    assert not caught.value.landed
    (row,) = await chain.rows()
    assert (row.status, row.retry_count) == (TransactionStatus.FAILED, 0)
    assert row.error_type == "instruction" and row.error_name
    assert await chain.balance(chain.payer.pubkey()) == before  # nothing landed, no fee


async def persisted_unsent(chain: Chain):
    """A signed transfer recorded in the registry as a crash would leave it: never broadcast."""
    blockhash = (await chain.admin.call("getLatestBlockhash", [{"commitment": "confirmed"}]))["value"]
    wire = chain.build()(blockhash["blockhash"])
    return await chain.registry.record_transaction(
        str(chain.payer.pubkey()), kind="transfer", intent="{}", signature=signature_of(wire), raw_tx=wire,
        last_valid_block_height=blockhash["lastValidBlockHeight"],
    )  # fmt: skip


async def test_resume_after_a_crash_before_broadcast(chain):
    """The row exists with its bytes but nothing was sent: resume sends the same bytes."""
    record = await persisted_unsent(chain)
    landed = await chain.sender().resume(record)
    assert landed is not None and landed.signature == record.signature
    assert (await chain.registry.get_transaction(record.signature)).status is TransactionStatus.CONFIRMED
    assert await chain.balance(chain.recipient) == PAYMENT


async def test_resume_after_a_crash_after_landing_applies_nothing_twice(chain):
    """Persisted and broadcast, landed, then the process died before updating the row."""
    record = await persisted_unsent(chain)
    await chain.admin.call("sendTransaction", [base64.b64encode(record.raw_tx).decode(), {"encoding": "base64"}])
    assert await chain.balance(chain.recipient) == PAYMENT
    landed = await chain.sender().resume(record)
    assert landed.signature == record.signature
    assert (await chain.registry.get_transaction(record.signature)).status is TransactionStatus.CONFIRMED
    assert await chain.balance(chain.recipient) == PAYMENT
    with pytest.raises(ValueError, match="already confirmed"):
        await chain.sender().resume(await chain.registry.get_transaction(record.signature))


async def test_resume_of_bytes_that_never_went_out_and_expired(chain):
    record = await persisted_unsent(chain)
    await chain.admin.call("rekt_dropTransactions", [1])
    assert await chain.sender().resume(record) is None
    assert (await chain.registry.get_transaction(record.signature)).status is TransactionStatus.EXPIRED
    assert await chain.balance(chain.recipient) == 0
