"""Running one transaction's instructions: the private account view, CPI, compute, logs.

`Execution` holds what a transaction has written so far on top of the ledger; nothing
reaches the ledger until the runtime applies `changes` after every instruction
succeeded. `Invocation` is the `InvokeContext` a program sees for one (possibly nested)
instruction. It enforces the rules a validator enforces on every account write, so a
program bug here fails the way it would fail on mainnet:

- only accounts the instruction names are visible;
- a read-only account never changes;
- only the owning program may debit lamports, change data, or hand the account to a
  new owner (and only with zeroed data); anyone may credit a writable account;
- an instruction leaves the sum of its accounts' lamports unchanged;
- a CPI may not grant signer or writable privileges the caller lacks, except the
  caller's own PDAs signing as with `invoke_signed`.
"""

import base64
import logging
from collections.abc import Callable, Mapping, Sequence

from rekt_localnet.base58 import b58encode
from solders.pubkey import Pubkey

from rekt_localnet.account import U64_MAX, Account
from rekt_localnet.keys import SYSTEM_PROGRAM_ID
from rekt_localnet.runtime.errors import instruction_error_text
from rekt_localnet.runtime.program import AccountRef, Clock, InstructionError, Program

log = logging.getLogger(__name__)

# A top-level instruction is stack height 1; Solana allows four nested invocations.
MAX_STACK_HEIGHT = 5
CPI_INVOKE_UNITS = 1_000
_NOTHING = Account(0, SYSTEM_PROGRAM_ID)


class ComputeMeter:
    """Units left for the whole transaction."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.remaining = limit

    @property
    def consumed(self) -> int:
        return self.limit - self.remaining

    def consume(self, units: int) -> None:
        if units < 0:
            raise ValueError("compute units must not be negative")
        if units > self.remaining:
            self.remaining = 0
            raise InstructionError("ComputationalBudgetExceeded", "exceeded CUs meter")
        self.remaining -= units


class Execution:
    """One transaction's run: account changes, compute meter, logs, inner instructions."""

    def __init__(
        self,
        read: Callable[[Pubkey], Account | None],
        programs: Mapping[Pubkey, Program],
        builtins: frozenset[Pubkey],
        clock: Clock,
        meter: ComputeMeter,
        key_indexes: dict[Pubkey, int],
    ) -> None:
        self._read = read
        self._programs = programs
        self._builtins = builtins
        self._key_indexes = key_indexes
        self._reported: set[int] = set()
        self.clock = clock
        self.meter = meter
        self.changes: dict[Pubkey, Account | None] = {}
        self.logs: list[str] = []
        self.inner: list[dict] = []
        self._current_inner: list[dict] = []

    def get(self, key: Pubkey) -> Account | None:
        return self.changes[key] if key in self.changes else self._read(key)

    def set(self, key: Pubkey, account: Account | None) -> None:
        self.changes[key] = None if account is None or account.lamports == 0 else account

    def run_instruction(self, index: int, program_id: Pubkey, accounts: Sequence[AccountRef], data: bytes) -> None:
        """Execute top-level instruction `index`; raises InstructionError on failure."""
        self._current_inner = []
        try:
            self.call(program_id, accounts, data, 1)
        except InstructionError:
            raise
        except Exception as error:
            log.exception("program %s crashed on instruction %d", program_id, index)
            self.logs.append(f"Program {program_id} failed: {error!r}")
            raise InstructionError("ProgramFailedToComplete") from error
        finally:
            if self._current_inner:
                self.inner.append({"index": index, "instructions": self._current_inner})

    def call(self, program_id: Pubkey, accounts: Sequence[AccountRef], data: bytes, height: int) -> None:
        """Run one program invocation with its logs, as a validator writes them."""
        self.logs.append(f"Program {program_id} invoke [{height}]")
        builtin = program_id in self._builtins
        available = self.meter.remaining
        start = self.meter.consumed
        keys = list(dict.fromkeys(ref.key for ref in accounts))
        try:
            program = self._programs.get(program_id)
            if program is None:
                raise InstructionError("UnsupportedProgramId", f"the localnet does not run program {program_id}")
            before = sum(self._lamports(key) for key in keys)
            program.process(Invocation(self, program_id, accounts, data, height))
            if sum(self._lamports(key) for key in keys) != before:
                raise InstructionError("UnbalancedInstruction")
        except InstructionError as error:
            if id(error) not in self._reported:
                self._reported.add(id(error))
                if error.message:
                    self.logs.append(error.message if builtin else f"Program log: {error.message}")
            self._log_consumed(program_id, builtin, start, available)
            detail = {"Custom": error.error} if isinstance(error.error, int) else error.error
            self.logs.append(f"Program {program_id} failed: {instruction_error_text(detail)}")
            raise
        self._log_consumed(program_id, builtin, start, available)
        self.logs.append(f"Program {program_id} success")

    def _log_consumed(self, program_id: Pubkey, builtin: bool, start: int, available: int) -> None:
        if not builtin:
            used = self.meter.consumed - start
            self.logs.append(f"Program {program_id} consumed {used} of {available} compute units")

    def _lamports(self, key: Pubkey) -> int:
        account = self.get(key)
        return 0 if account is None else account.lamports

    def record_inner(self, program_id: Pubkey, accounts: Sequence[AccountRef], data: bytes, height: int) -> None:
        self._current_inner.append(
            {
                "programIdIndex": self._key_indexes[program_id],
                "accounts": [self._key_indexes[ref.key] for ref in accounts],
                "data": b58encode(data),
                "stackHeight": height,
            }
        )


class Invocation:
    """The `InvokeContext` of one program invocation (see runtime/program.py)."""

    def __init__(
        self, execution: Execution, program_id: Pubkey, accounts: Sequence[AccountRef], data: bytes, height: int
    ) -> None:
        self.program_id = program_id
        self.accounts = tuple(accounts)
        self.data = data
        self.clock = execution.clock
        self._execution = execution
        self._height = height
        self._refs: dict[Pubkey, AccountRef] = {}
        for ref in self.accounts:
            known = self._refs.get(ref.key)
            if known is not None:
                ref = AccountRef(ref.key, ref.is_signer or known.is_signer, ref.is_writable or known.is_writable)
            self._refs[ref.key] = ref

    def _ref(self, key: Pubkey) -> AccountRef:
        ref = self._refs.get(key)
        if ref is None:
            raise InstructionError("MissingAccount", f"account {key} is not an account of this instruction")
        return ref

    def account(self, key: Pubkey) -> Account | None:
        self._ref(key)
        return self._execution.get(key)

    def write(self, key: Pubkey, account: Account | None) -> None:
        ref = self._ref(key)
        old = self._execution.get(key) or _NOTHING
        new = account if account is not None else Account(0, old.owner)
        if not 0 <= new.lamports <= U64_MAX:
            raise InstructionError("ArithmeticOverflow", f"lamports of {key} out of range")
        data_changed = new.data != old.data or new.owner != old.owner or new.executable != old.executable
        if not ref.is_writable and (data_changed or new.lamports != old.lamports):
            raise InstructionError("ReadonlyDataModified" if data_changed else "ReadonlyLamportChange")
        owned = old.owner == self.program_id
        if new.lamports < old.lamports and not owned:
            raise InstructionError("ExternalAccountLamportSpend")
        if new.executable != old.executable:
            raise InstructionError("ExecutableModified")
        if new.data != old.data and account is not None and not owned:
            sized = len(new.data) != len(old.data)
            raise InstructionError("AccountDataSizeChanged" if sized else "ExternalAccountDataModified")
        if new.owner != old.owner and (not owned or any(new.data)):
            raise InstructionError("ModifiedProgramId")
        self._execution.set(key, account)

    def invoke(
        self, program_id: Pubkey, accounts: Sequence[AccountRef], data: bytes, *, signers: Sequence[Pubkey] = ()
    ) -> None:
        if self._height >= MAX_STACK_HEIGHT:
            raise InstructionError("CallDepth")
        if program_id not in self._refs:
            raise InstructionError("MissingAccount", f"Unknown program {program_id}")
        pdas = set(signers)
        if any(key.is_on_curve() for key in pdas):
            raise InstructionError("InvalidSeeds", "a CPI signer must be a program address")
        for ref in accounts:
            caller = self._ref(ref.key)
            if ref.is_writable and not caller.is_writable:
                raise InstructionError("PrivilegeEscalation", f"{ref.key}'s writable privilege escalated")
            if ref.is_signer and not caller.is_signer and ref.key not in pdas:
                raise InstructionError("PrivilegeEscalation", f"{ref.key}'s signer privilege escalated")
        self.consume(CPI_INVOKE_UNITS)
        self._execution.record_inner(program_id, accounts, data, self._height + 1)
        self._execution.call(program_id, accounts, data, self._height + 1)

    def log(self, message: str) -> None:
        self._execution.logs.append(f"Program log: {message}")

    def log_data(self, data: bytes) -> None:
        self._execution.logs.append(f"Program data: {base64.b64encode(data).decode()}")

    def consume(self, units: int) -> None:
        self._execution.meter.consume(units)
