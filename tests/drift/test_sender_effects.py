"""The sender's truth rules against a real localnet (docs/RELIABILITY.md T2, T7, T8, R5):

- bytes identical to a transaction recorded for the same intent are that transaction, never a
  second row; for another intent they wait for the next blockhash;
- a failure once a signature is persisted is AfterSigning, naming the signature;
- an expired row the chain later shows landed is promoted at re-examination;
- the payer's history (the localnet's getSignaturesForAddress) shows a landed signature.
"""

import asyncio

import pytest

from rekt_tui.domain.errors import AfterSigning
from rekt_tui.domain.records import TransactionStatus
from rekt_tui.drift.effects import EffectProbe
from rekt_tui.drift.errors import TransactionExpired, TransactionFailed
from rekt_tui.drift.sender import SendPolicy, TransactionSender, signature_of
from rekt_tui.services.unresolved import StillUnresolved, reexamine_expired, resolve_before_signing
from tests.drift.test_sender import FAST, PAYMENT, SLOT_MS, chain  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


async def test_identical_bytes_already_recorded_are_the_same_transaction(chain):  # noqa: F811
    payer = str(chain.payer.pubkey())
    before = await chain.balance(chain.recipient)
    wires: list[bytes] = []

    def once_then_same(blockhash: str) -> bytes:
        if not wires:
            wires.append(chain.build()(blockhash))
        return wires[0]  # a re-plan within one blockhash signs the very same bytes

    sender = chain.sender()
    first = await sender.send(payer, kind="transfer", intent={"n": 1}, build=once_then_same)
    again = await sender.send(payer, kind="transfer", intent={"n": 1}, build=once_then_same)

    assert again.signature == first.signature == signature_of(wires[0])
    [row] = await chain.rows()
    assert row.status is TransactionStatus.CONFIRMED
    assert await chain.balance(chain.recipient) == before + PAYMENT


async def test_two_requests_signing_equal_bytes_in_one_blockhash_both_land(chain):  # noqa: F811
    """The same payment asked twice at once: the second waits for the next blockhash, never
    passing for the first."""
    payer = str(chain.payer.pubkey())
    before = await chain.balance(chain.recipient)
    build = chain.build()
    blockhash = (await chain.admin.call("getLatestBlockhash", []))["value"]["blockhash"]
    first_wire = build(blockhash)
    built: list[str] = []

    def same_blockhash_first(latest: str) -> bytes:
        wire = build(blockhash if not built else latest)  # the second request signs in the first's blockhash
        built.append(signature_of(wire))
        return wire

    sender = chain.sender()
    first = await sender.send(payer, kind="transfer", intent={"request": 1}, build=lambda _: first_wire)
    second = await sender.send(payer, kind="transfer", intent={"request": 2}, build=same_blockhash_first)

    assert built[0] == first.signature != second.signature
    assert {row.signature for row in await chain.rows()} == {first.signature, second.signature}
    assert await chain.balance(chain.recipient) == before + 2 * PAYMENT


async def test_a_retry_of_a_refused_request_in_its_blockhash_is_sent_anew(chain):  # noqa: F811
    """A request refused for want of funds, retried once they arrive (a parked withdrawal
    after its market resumes): equal bytes would only repeat the refusal, so it waits for
    the next blockhash and lands."""
    payer = str(chain.payer.pubkey())
    more_than_held = 2 * 10**9
    build = chain.build(more_than_held)
    blockhash = (await chain.admin.call("getLatestBlockhash", []))["value"]["blockhash"]
    built: list[str] = []

    def first_blockhash_first(latest: str) -> bytes:
        wire = build(blockhash if not built else latest)
        built.append(signature_of(wire))
        return wire

    sender = chain.sender()
    with pytest.raises(TransactionFailed):
        await sender.send(payer, kind="transfer", intent={"retry": "same"}, build=first_blockhash_first)
    await chain.admin.call("requestAirdrop", [payer, 2 * 10**9])
    built.clear()
    before = await chain.balance(chain.recipient)
    landed = await sender.send(payer, kind="transfer", intent={"retry": "same"}, build=first_blockhash_first)

    assert built[0] != landed.signature
    assert await chain.balance(chain.recipient) == before + more_than_held


async def test_a_failure_after_signing_names_the_signature(chain):  # noqa: F811
    payer = str(chain.payer.pubkey())
    build = chain.build()
    signed: list[str] = []

    async def then_the_rpc_dies(blockhash: str) -> bytes:
        wire = build(blockhash)
        signed.append(signature_of(wire))
        await chain.admin.call("rekt_setFaults", [{"http429": 1.0}])  # admin calls are never refused
        return wire

    policy = SendPolicy(**{**FAST.__dict__, "silent_limit_s": 1.0})
    with pytest.raises(AfterSigning) as failure:
        await chain.sender(policy).send(payer, kind="transfer", intent={}, build=then_the_rpc_dies)
    await chain.admin.call("rekt_clearFaults", [])

    assert failure.value.signatures == tuple(signed)
    assert signed[0] in failure.value.message and "recover" in failure.value.message
    assert "nothing" not in failure.value.message
    [row] = await chain.rows()
    assert row.status is TransactionStatus.PENDING  # the next signing command resolves it first

    # Resolve before signing: the pending row is driven to its outcome, then signing may go on.
    [resumed] = await resolve_before_signing(chain.sender(), chain.registry, payer)
    assert resumed.signature == signed[0] and resumed.outcome == "landed"


async def test_signing_is_refused_while_an_earlier_transaction_stays_unresolved(chain):  # noqa: F811
    payer = str(chain.payer.pubkey())
    build = chain.build()
    wire = build((await chain.admin.call("getLatestBlockhash", []))["value"]["blockhash"])
    await chain.registry.record_transaction(
        payer, kind="transfer", intent="{}", signature=signature_of(wire), raw_tx=wire, last_valid_block_height=10**9
    )  # an interrupted send whose node then stops answering
    await chain.admin.call("rekt_setFaults", [{"http429": 1.0}])
    policy = SendPolicy(**{**FAST.__dict__, "silent_limit_s": 0.5})
    with pytest.raises(StillUnresolved, match=r"still unresolved .*nothing new was signed: run `rekt-tui recover`"):
        await resolve_before_signing(TransactionSender(chain.rpc, chain.registry, policy), chain.registry, payer)
    await chain.admin.call("rekt_clearFaults", [])
    assert [r.signature for r in await chain.rows()] == [signature_of(wire)]


async def test_an_expired_row_that_lands_late_is_promoted_at_reexamination(chain):  # noqa: F811
    payer = str(chain.payer.pubkey())
    probe = EffectProbe(chain.rpc, payer, payer)
    sender = TransactionSender(chain.rpc, chain.registry, SendPolicy(**{**FAST.__dict__, "rebuilds": 0}), probe=probe)
    # A lagging node: the transfer lands at once, its status shows 200 slots later (after its blockhash expired).
    await chain.admin.call("rekt_delayConfirmations", [200])
    with pytest.raises(TransactionExpired):
        await sender.send(payer, kind="transfer", intent={}, build=chain.build())
    [row] = await chain.rows()
    assert row.status is TransactionStatus.EXPIRED
    await asyncio.sleep(220 * SLOT_MS / 1000)

    [promoted] = await reexamine_expired(sender, chain.registry, payer)
    assert (promoted.signature, promoted.outcome) == (row.signature, "landed after all")
    [row] = await chain.rows()
    assert row.status is TransactionStatus.CONFIRMED and row.slot is not None
    assert await reexamine_expired(sender, chain.registry, payer) == []


async def test_the_payers_history_shows_a_landed_signature(chain):  # noqa: F811
    payer = str(chain.payer.pubkey())
    landed = await chain.sender().send(payer, kind="transfer", intent={}, build=chain.build())
    probe = EffectProbe(chain.rpc, payer, payer)

    evidence = await probe.find([landed.signature], {"chain_checkpoint": {"slot": landed.slot - 1}})
    assert (evidence.signature, evidence.slot, evidence.err) == (landed.signature, landed.slot, None)
    assert await probe.find(["1" * 88], {}) is None
    history = await chain.rpc.call("getSignaturesForAddress", [str(chain.recipient), {"limit": 5}])
    assert [entry["signature"] for entry in history] == [landed.signature]
