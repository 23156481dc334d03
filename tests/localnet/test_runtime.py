"""The runtime itself, without servers: verification, atomicity, fees, rent, dedup, simulate."""

import time

import pytest
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import Transaction, VersionedTransaction

from rekt_localnet.account import rent_exempt_minimum
from rekt_localnet.genesis import drift_signer
from rekt_localnet.keys import LOCALNET_FAUCET, RENT_SYSVAR_ID
from rekt_localnet.runtime import MalformedTransaction, PreflightFailure, SignatureVerificationFailed
from tests.localnet import runtime_fixtures
from tests.localnet.transactions import FEE, LAMPORTS_PER_SOL, legacy, pay, v0

chain = runtime_fixtures.chain

SOL = LAMPORTS_PER_SOL


def test_legacy_transfer_lands_with_node_shaped_meta(chain):
    alice, bob = chain.funded(2 * SOL), Keypair().pubkey()
    signature = chain.runtime.send(legacy([pay(alice, bob, SOL)], [alice], chain.blockhash))
    record = chain.status(signature)
    assert record.err is None and record.slot == chain.ledger.slot
    meta = record.meta
    assert meta["fee"] == FEE
    assert meta["preBalances"][:2] == [2 * SOL, 0] and meta["postBalances"][:2] == [SOL - FEE, SOL]
    assert meta["logMessages"] == ["Program 11111111111111111111111111111111 invoke [1]",
                                   "Program 11111111111111111111111111111111 success"]
    assert meta["computeUnitsConsumed"] == 150 and meta["loadedAddresses"] == {"writable": [], "readonly": []}
    assert chain.lamports(bob) == SOL and chain.lamports(alice.pubkey()) == SOL - FEE


def test_v0_transfer_resolves_the_lookup_table(chain):
    alice = chain.funded(2 * SOL)
    signer_pda, _ = drift_signer()
    instruction = pay(alice, signer_pda, SOL)
    # An extra read-only account the System program ignores, found in the table too.
    instruction.accounts = [*instruction.accounts, type(instruction.accounts[0])(RENT_SYSVAR_ID, False, False)]
    signature = chain.runtime.send(v0([instruction], [alice], chain.blockhash))
    meta = chain.status(signature).meta
    assert meta["loadedAddresses"] == {"writable": [str(signer_pda)], "readonly": [str(RENT_SYSVAR_ID)]}
    assert len(meta["preBalances"]) == 4
    assert chain.lamports(signer_pda) == SOL


def test_bad_signature_is_refused_or_silently_dropped(chain):
    alice = chain.funded(SOL)
    tx = Transaction.from_bytes(legacy([pay(alice, LOCALNET_FAUCET, 1)], [alice], chain.blockhash))
    forged = Transaction.populate(tx.message, [Signature(bytes(64 - 1) + b"\x01")])
    with pytest.raises(SignatureVerificationFailed):
        chain.runtime.send(bytes(forged))
    signature = chain.runtime.send(bytes(forged), skip_preflight=True)
    assert chain.status(signature) is None and chain.lamports(alice.pubkey()) == SOL


def test_garbage_and_unknown_tables_are_malformed(chain):
    with pytest.raises(MalformedTransaction, match="failed to deserialize"):
        chain.runtime.send(b"\x01not a transaction")
    alice = chain.funded(SOL)
    signer_pda, _ = drift_signer()
    missing = AddressLookupTableAccount(Pubkey.new_unique(), [signer_pda])
    latest = Hash.from_string(chain.blockhash)
    message = MessageV0.try_compile(alice.pubkey(), [pay(alice, signer_pda, 1)], [missing], latest)
    with pytest.raises(MalformedTransaction, match="address table account that doesn't exist"):
        chain.runtime.send(bytes(VersionedTransaction(message, [alice])))


def test_unknown_and_expired_blockhashes(chain):
    alice = chain.funded(SOL)
    unknown = legacy([pay(alice, LOCALNET_FAUCET, 1)], [alice], str(Keypair().pubkey()))
    with pytest.raises(PreflightFailure) as caught:
        chain.runtime.send(unknown)
    assert caught.value.err == "BlockhashNotFound"
    assert str(caught.value) == "Transaction simulation failed: Blockhash not found"
    old = chain.blockhash
    for _ in range(151):
        chain.ledger.advance_slot()
    with pytest.raises(PreflightFailure, match="Blockhash not found"):
        chain.runtime.send(legacy([pay(alice, LOCALNET_FAUCET, 2)], [alice], old))
    signature = chain.runtime.send(legacy([pay(alice, LOCALNET_FAUCET, 3)], [alice], old), skip_preflight=True)
    assert chain.status(signature) is None


def test_payers_that_cannot_pay(chain):
    nobody = Keypair()
    with pytest.raises(PreflightFailure) as caught:
        chain.runtime.send(legacy([pay(nobody, LOCALNET_FAUCET, 1)], [nobody], chain.blockhash))
    assert caught.value.err == "AccountNotFound"
    poor = chain.funded(rent_exempt_minimum(0))
    drain = legacy([pay(poor, LOCALNET_FAUCET, 1)], [poor], chain.blockhash)
    with pytest.raises(PreflightFailure) as caught:
        chain.runtime.send(drain)
    assert caught.value.err == {"InsufficientFundsForRent": {"account_index": 0}}


def test_duplicate_resend_applies_once(chain):
    alice, bob = chain.funded(2 * SOL), Keypair().pubkey()
    wire = legacy([pay(alice, bob, SOL)], [alice], chain.blockhash)
    first = chain.runtime.send(wire)
    assert chain.runtime.send(wire) == first
    assert chain.runtime.send(wire, skip_preflight=True) == first
    assert chain.lamports(bob) == SOL and chain.lamports(alice.pubkey()) == SOL - FEE


def test_failing_second_instruction_rolls_back_the_first(chain):
    alice, bob = chain.funded(2 * SOL), Keypair().pubkey()
    wire = legacy([pay(alice, bob, SOL), pay(alice, bob, 5 * SOL)], [alice], chain.blockhash)
    with pytest.raises(PreflightFailure) as caught:
        chain.runtime.send(wire)
    failure = caught.value
    assert failure.err == {"InstructionError": [1, {"Custom": 1}]}
    assert str(failure) == "Transaction simulation failed: Error processing Instruction 1: custom program error: 0x1"
    assert "Transfer: insufficient lamports 999995000, need 5000000000" in failure.logs
    assert failure.logs[-1] == "Program 11111111111111111111111111111111 failed: custom program error: 0x1"
    assert chain.status(str(Transaction.from_bytes(wire).signatures[0])) is None
    signature = chain.runtime.send(wire, skip_preflight=True)
    record = chain.status(signature)
    assert record.err == {"InstructionError": [1, {"Custom": 1}]} and record.meta["fee"] == FEE
    assert chain.lamports(bob) == 0 and chain.lamports(alice.pubkey()) == 2 * SOL - FEE


def test_new_accounts_must_be_rent_exempt(chain):
    alice = chain.funded(SOL)
    with pytest.raises(PreflightFailure) as caught:
        chain.runtime.send(legacy([pay(alice, Keypair().pubkey(), 1_000)], [alice], chain.blockhash))
    assert caught.value.err == {"InsufficientFundsForRent": {"account_index": 1}}


def test_priority_fee_and_compute_limit(chain):
    alice = chain.funded(SOL)
    budget = [set_compute_unit_limit(300_000), set_compute_unit_price(10_001)]
    signature = chain.runtime.send(legacy([*budget, pay(alice, LOCALNET_FAUCET, 1)], [alice], chain.blockhash))
    meta = chain.status(signature).meta
    # 10,001 micro-lamports × 300,000 units = 3,000.3 lamports, rounded up.
    assert meta["fee"] == FEE + 3_001
    assert meta["computeUnitsConsumed"] == 450
    twice = [set_compute_unit_limit(1), set_compute_unit_limit(2), pay(alice, LOCALNET_FAUCET, 1)]
    with pytest.raises(PreflightFailure) as caught:
        chain.runtime.send(legacy(twice, [alice], chain.blockhash))
    assert caught.value.err == {"DuplicateInstruction": 1}


def test_simulate_runs_without_landing(chain):
    alice, bob = chain.funded(2 * SOL), Keypair().pubkey()
    wire = legacy([pay(alice, bob, SOL)], [alice], chain.blockhash)
    result = chain.runtime.simulate(wire)
    assert result.err is None and result.units_consumed == 150
    assert result.account(bob).lamports == SOL and chain.lamports(bob) == 0
    stale = legacy([pay(alice, bob, SOL)], [alice], str(Keypair().pubkey()))
    assert chain.runtime.simulate(stale).err == "BlockhashNotFound"
    replaced = chain.runtime.simulate(stale, replace_recent_blockhash=True)
    assert replaced.err is None and replaced.replacement_blockhash == chain.ledger.latest_blockhash


def test_drop_fault_is_sticky_for_the_signature(chain):
    alice = chain.funded(SOL)
    chain.runtime.drop_transactions(1)
    wire = legacy([pay(alice, LOCALNET_FAUCET, 1)], [alice], chain.blockhash)
    signature = chain.runtime.send(wire)
    assert chain.runtime.send(wire) == signature and chain.status(signature) is None
    other = chain.runtime.send(legacy([pay(alice, LOCALNET_FAUCET, 2)], [alice], chain.blockhash))
    assert chain.status(other).err is None


def test_fail_fault_lands_with_the_code_and_only_the_fee(chain):
    alice, bob = chain.funded(SOL), Keypair().pubkey()
    chain.runtime.fail_transactions(1, 6003)
    budget = set_compute_unit_limit(10_000)
    signature = chain.runtime.send(legacy([budget, pay(alice, bob, SOL // 2)], [alice], chain.blockhash))
    record = chain.status(signature)
    assert record.err == {"InstructionError": [1, {"Custom": 6003}]}
    failed = "Program 11111111111111111111111111111111 failed: custom program error: 0x1773"
    assert record.meta["logMessages"][-1] == failed
    assert chain.lamports(bob) == 0 and chain.lamports(alice.pubkey()) == SOL - FEE
    assert chain.runtime.faults.fail == 0


def test_delay_fault_hides_the_status_for_some_slots(chain):
    alice, bob = chain.funded(SOL), Keypair().pubkey()
    chain.runtime.delay_confirmations(2)
    signature = chain.runtime.send(legacy([pay(alice, bob, SOL // 2)], [alice], chain.blockhash))
    landed_at = chain.ledger.slot
    assert chain.lamports(bob) == SOL // 2 and chain.status(signature) is None
    chain.ledger.advance_slot()
    assert chain.status(signature) is None
    chain.ledger.advance_slot()
    assert chain.status(signature).slot == landed_at
    chain.runtime.clear_transaction_faults()
    assert chain.runtime.faults.confirmation_delay == 0


def test_throughput_of_transfers(chain):
    alice = chain.funded(100 * SOL)
    count = 400
    wires = [legacy([pay(alice, LOCALNET_FAUCET, i + 1)], [alice], chain.blockhash) for i in range(count)]
    start = time.perf_counter()
    for wire in wires:
        chain.runtime.send(wire)
    elapsed = time.perf_counter() - start
    print(f"\nruntime throughput: {count / elapsed:.0f} transfers/s applied ({count} in {elapsed * 1000:.0f} ms)")
    assert chain.lamports(alice.pubkey()) == 100 * SOL - count * FEE - count * (count + 1) // 2
