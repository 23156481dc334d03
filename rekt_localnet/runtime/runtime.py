"""The runtime: verify a transaction, execute it atomically, charge its fee, land it.

The order of checks is a validator's: decode and sanitize (always answered, -32602),
signatures (-32003, or silently dropped with skipPreflight, as a leader's sigverify
drops them), then the checks a bank makes before running anything (recent blockhash,
compute budget, fee payer). A transaction failing those never lands: a cluster cannot
even charge it. One that gets past them either succeeds, or fails in an instruction
or on rent and, if sent with skipPreflight, lands with its `err` and only its fee
charged. With preflight the failure is answered as a node's simulation error instead.

A signature that already landed (or is being held back, or was dropped) is answered
again without running anything: clients resend the same bytes until they see a
status, and a resend must never apply twice.
"""

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.transaction import Transaction

from rekt_localnet.account import Account, rent_exempt_minimum
from rekt_localnet.keys import COMPUTE_BUDGET_PROGRAM_ID, SYSTEM_PROGRAM_ID
from rekt_localnet.ledger import Ledger
from rekt_localnet.runtime.budget import BudgetError, requested_budget
from rekt_localnet.runtime.errors import PreflightFailure, SignatureVerificationFailed
from rekt_localnet.runtime.faults import TransactionFaults
from rekt_localnet.runtime.invoke import ComputeMeter, Execution
from rekt_localnet.runtime.message import LoadedTransaction, load
from rekt_localnet.runtime.meta import balances, token_balances, transaction_meta
from rekt_localnet.runtime.program import AccountRef, Clock, InstructionError, Program
from rekt_localnet.store import TransactionRecord

SLOTS_PER_EPOCH = 432_000
# Programs a validator runs natively: their logs have no "consumed N of M" line.
BUILTIN_PROGRAMS = frozenset({SYSTEM_PROGRAM_ID, COMPUTE_BUDGET_PROGRAM_ID})


@dataclass
class Outcome:
    """What running a transaction came to; `landable` False means a cluster drops it."""

    err: object
    landable: bool
    fee: int = 0
    changes: dict[Pubkey, Account | None] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)
    units: int = 0
    inner: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Simulation:
    """A simulateTransaction result; `account` reads the state the transaction would leave."""

    err: object
    logs: list[str]
    units_consumed: int
    account: Callable[[Pubkey], Account | None]
    replacement_blockhash: tuple[str, int] | None = None


def _rent_paying(account: Account | None) -> bool:
    return account is not None and account.lamports < rent_exempt_minimum(len(account.data))


def _rent_allowed(before: Account | None, after: Account | None) -> bool:
    """Solana's rent-state rule: nothing may become rent paying; a rent-paying account
    may stay so only at the same size and without gaining lamports."""
    if not _rent_paying(after):
        return True
    return _rent_paying(before) and len(before.data) == len(after.data) and after.lamports <= before.lamports


class Runtime:
    """Executes transactions against the ledger with the registered programs."""

    def __init__(
        self, ledger: Ledger, programs: Iterable[Program], *, clock: Callable[[], int] = lambda: int(time.time())
    ) -> None:
        self._ledger = ledger
        self._clock = clock
        self._programs: dict[Pubkey, Program] = {}
        self._dropped: dict[str, str] = {}  # signature -> its blockhash, forgotten once expired
        self.faults = TransactionFaults()
        for program in programs:
            self.register(program)
        ledger.add_observer(self)

    def register(self, program: Program) -> None:
        self._programs[program.program_id] = program

    # Sending

    def send(self, wire: bytes, *, skip_preflight: bool = False) -> str:
        """sendTransaction: the signature, or a TransactionRejected subclass."""
        tx = load(wire, self._ledger.get)
        if self._known(tx.signature):
            return tx.signature
        if not tx.signatures_valid():
            if skip_preflight:
                return tx.signature
            raise SignatureVerificationFailed()
        if self.faults.take_drop():
            self._dropped[tx.signature] = tx.blockhash
            return tx.signature
        outcome = self._execute(tx)
        code = self.faults.take_failure() if outcome.landable else None
        if code is not None:
            outcome = self._injected_failure(tx, outcome, code)
        elif outcome.err is not None and not skip_preflight:
            raise PreflightFailure(outcome.err, outcome.logs, outcome.units)
        if outcome.landable:
            self._land(tx, outcome, self.faults.confirmation_delay)
        return tx.signature

    def land(self, wire: bytes) -> str:
        """Land a transaction of the localnet's own: no faults, no preflight, lands even
        with an error; raises if a cluster would not accept it at all."""
        tx = load(wire, self._ledger.get)
        if self._known(tx.signature):
            return tx.signature
        if not tx.signatures_valid():
            raise SignatureVerificationFailed()
        outcome = self._execute(tx)
        if not outcome.landable:
            raise PreflightFailure(outcome.err, outcome.logs, outcome.units)
        self._land(tx, outcome, 0)
        return tx.signature

    def submit_internal(self, instructions: Sequence[Instruction], signers: Sequence[Keypair]) -> str:
        """Sign with the latest blockhash (payer: `signers[0]`) and land now.

        The same instructions and signers within one blockhash make the same
        transaction, which lands once: vary an argument to repeat an effect in a slot.
        """
        blockhash, _ = self._ledger.latest_blockhash
        tx = Transaction.new_signed_with_payer(
            list(instructions), signers[0].pubkey(), list(signers), Hash.from_string(blockhash)
        )
        return self.land(bytes(tx))

    def simulate(self, wire: bytes, *, sig_verify: bool = False, replace_recent_blockhash: bool = False) -> Simulation:
        """simulateTransaction: run without landing anything."""
        tx = load(wire, self._ledger.get)
        if sig_verify and not tx.signatures_valid():
            raise SignatureVerificationFailed()
        outcome = self._execute(tx, check_blockhash=not replace_recent_blockhash)
        changes, ledger = outcome.changes, self._ledger

        def account(key: Pubkey) -> Account | None:
            return changes[key] if key in changes else ledger.get(key)

        replacement = ledger.latest_blockhash if replace_recent_blockhash else None
        return Simulation(outcome.err, outcome.logs, outcome.units, account, replacement)

    # Faults (the admin RPC sets these)

    def drop_transactions(self, count: int) -> None:
        self.faults.drop = count

    def fail_transactions(self, count: int, code: int) -> None:
        self.faults.fail, self.faults.fail_code = count, code

    def delay_confirmations(self, slots: int) -> None:
        self.faults.confirmation_delay = slots

    def clear_transaction_faults(self) -> None:
        self.faults.clear()

    # Execution

    def _known(self, signature: str) -> bool:
        return signature in self._dropped or self._ledger.is_known(signature)

    def _execute(self, tx: LoadedTransaction, *, check_blockhash: bool = True) -> Outcome:
        ledger = self._ledger
        if check_blockhash and ledger.blockhash_last_valid_height(tx.blockhash) is None:
            return Outcome("BlockhashNotFound", False)
        keys = tx.keys
        calls = [(keys[ix.program_index], ix.data) for ix in tx.instructions]
        try:
            budget = requested_budget(calls)
        except BudgetError as error:
            return Outcome(error.err, False)
        fee = budget.fee(len(tx.transaction.signatures))
        payer = ledger.get(tx.payer)
        if payer is None:
            return Outcome("AccountNotFound", False)
        if payer.owner != SYSTEM_PROGRAM_ID:
            return Outcome("InvalidAccountForFee", False)
        if payer.lamports < fee:
            return Outcome("InsufficientFundsForFee", False)
        charged = replace(payer, lamports=payer.lamports - fee)
        if not _rent_allowed(payer, charged):
            return Outcome({"InsufficientFundsForRent": {"account_index": 0}}, False)
        fee_only = {tx.payer: charged if charged.lamports else None}
        for program_id, _ in calls:
            program_account = ledger.get(program_id)
            if program_id not in self._programs and (program_account is None or not program_account.executable):
                return Outcome("ProgramAccountNotFound", True, fee, fee_only)
        slot = ledger.slot
        clock = Clock(slot, self._clock(), slot // SLOTS_PER_EPOCH)
        meter = ComputeMeter(budget.compute_unit_limit)
        run = Execution(ledger.get, self._programs, BUILTIN_PROGRAMS, clock, meter, {k: i for i, k in enumerate(keys)})
        run.set(tx.payer, charged)
        for index, ix in enumerate(tx.instructions):
            refs = [AccountRef(keys[i], tx.signer[i], tx.writable[i]) for i in ix.account_indexes]
            try:
                run.run_instruction(index, keys[ix.program_index], refs, ix.data)
            except InstructionError as error:
                return Outcome(error.to_json(index), True, fee, fee_only, run.logs, meter.consumed, run.inner)
        for key, after in run.changes.items():
            before = charged if key == tx.payer else ledger.get(key)
            if not _rent_allowed(before, after):
                err = {"InsufficientFundsForRent": {"account_index": keys.index(key)}}
                return Outcome(err, True, fee, fee_only, run.logs, meter.consumed, run.inner)
        return Outcome(None, True, fee, run.changes, run.logs, meter.consumed, run.inner)

    def _injected_failure(self, tx: LoadedTransaction, outcome: Outcome, code: int) -> Outcome:
        """The outcome of a `fail` fault: the first non-budget instruction fails with `code`."""
        programs = [tx.keys[ix.program_index] for ix in tx.instructions]
        index = next((i for i, key in enumerate(programs) if key != COMPUTE_BUDGET_PROGRAM_ID), 0)
        program = programs[index]
        logs = [f"Program {program} invoke [1]", f"Program {program} failed: custom program error: {code:#x}"]
        payer = self._ledger.get(tx.payer)
        remaining = payer.lamports - outcome.fee
        fee_only = {tx.payer: replace(payer, lamports=remaining) if remaining else None}
        err = {"InstructionError": [index, {"Custom": code}]}
        return Outcome(err, True, outcome.fee, fee_only, logs, 0, [])

    def _land(self, tx: LoadedTransaction, outcome: Outcome, delay: int) -> None:
        ledger = self._ledger
        pre = (balances(tx.keys, ledger.get), token_balances(tx.keys, ledger.get))
        for key, account in outcome.changes.items():
            ledger.put(key, account)
        post = (balances(tx.keys, ledger.get), token_balances(tx.keys, ledger.get))
        meta = transaction_meta(
            tx,
            err=outcome.err,
            fee=outcome.fee,
            pre=pre,
            post=post,
            logs=outcome.logs,
            inner=outcome.inner,
            units=outcome.units,
        )
        record = TransactionRecord(tx.signature, ledger.slot, self._clock(), outcome.err, tx.wire, meta)
        ledger.record_transaction(record, shown_at=ledger.slot + delay)

    # Ledger observer: dropped signatures expire.

    def on_slot(self, slot: int) -> None:
        for signature, blockhash in list(self._dropped.items()):
            if self._ledger.blockhash_last_valid_height(blockhash) is None:
                del self._dropped[signature]

    def on_account(self, key: Pubkey, account: Account | None, slot: int) -> None:
        pass

    def on_transaction(self, record: TransactionRecord) -> None:
        pass
