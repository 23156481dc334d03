"""The contract between the transaction runtime and the programs it runs.

A program sees one instruction at a time through an `InvokeContext`: the accounts the
instruction names (with signer and writable flags), its data, the clock, and reads and
writes of account state. Writes go to the transaction's private view; the runtime
applies them to the ledger only if every instruction succeeds, which is what makes a
transaction atomic. A program fails by raising `InstructionError`; the runtime reports
it exactly as a validator does (`{"InstructionError": [index, {"Custom": 6003}]}`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from solders.pubkey import Pubkey

from rekt_localnet.account import Account


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account as an instruction names it."""

    key: Pubkey
    is_signer: bool
    is_writable: bool


@dataclass(frozen=True, slots=True)
class Clock:
    """What the Clock sysvar would say while the transaction runs."""

    slot: int
    unix_timestamp: int
    epoch: int = 0


class InstructionError(Exception):
    """The instruction failed; the whole transaction is rolled back.

    `error` is a custom program error code (Drift's are 6000 + the IDL index) or the name
    of a built-in Solana error such as "InsufficientFunds", "MissingRequiredSignature",
    "InvalidAccountData", "InvalidArgument", "InvalidInstructionData",
    "AccountAlreadyInUse", "UninitializedAccount", "IncorrectProgramId",
    "NotEnoughAccountKeys", "ReadonlyLamportChange", "ReadonlyDataModified".
    `message` is written to the transaction's logs; it never reaches the error value.
    """

    def __init__(self, error: int | str, message: str = "") -> None:
        super().__init__(message or str(error))
        self.error = error
        self.message = message

    def to_json(self, index: int) -> dict:
        """The transaction error a validator returns for a failure at instruction `index`."""
        detail = {"Custom": self.error} if isinstance(self.error, int) else self.error
        return {"InstructionError": [index, detail]}


class InvokeContext(Protocol):
    """What a program may see and do while it runs one instruction."""

    program_id: Pubkey
    accounts: Sequence[AccountRef]  # in the instruction's order, remaining accounts included
    data: bytes
    clock: Clock

    def account(self, key: Pubkey) -> Account | None:
        """The account's state as this transaction has left it so far (None: does not exist)."""

    def write(self, key: Pubkey, account: Account | None) -> None:
        """Replace an account (None or zero lamports closes it).

        Raises InstructionError("ReadonlyDataModified") unless the transaction marks the
        key writable.
        """

    def invoke(self, program_id: Pubkey, accounts: Sequence[AccountRef], data: bytes, *, signers: Sequence[Pubkey] = ()) -> None:
        """Cross-program invocation. `signers` are PDAs of the calling program that sign
        for this call (as `invoke_signed` does); signer flags of the caller carry over."""

    def log(self, message: str) -> None:
        """Append `Program log: <message>` to the transaction's logs."""

    def log_data(self, data: bytes) -> None:
        """Append `Program data: <base64>` (sol_log_data, how Anchor emits events)."""

    def consume(self, units: int) -> None:
        """Charge compute units; exceeding the transaction's limit fails it."""


class Program(Protocol):
    program_id: Pubkey

    def process(self, ctx: InvokeContext) -> None:
        """Execute one instruction addressed to this program, or raise InstructionError."""
