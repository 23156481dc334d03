"""Transaction errors decoded to names and messages a trader can act on.

Drift's program errors are 6000 + their index in driftpy's IDL. A validator reports them
as `{"InstructionError": [i, {"Custom": N}]}`; a preflight failure arrives as a JSON-RPC
error whose data carries the same value. Both are decoded here, once.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rekt_tui.domain.compatibility import EXCHANGE_PAUSED, PROGRAM_PAUSED
from rekt_tui.domain.errors import RektError

DRIFT_ERROR_BASE = 6000
# SPL Token's custom errors the app can meet (withdrawing, closing wrapped SOL).
TOKEN_ERRORS = {1: ("InsufficientFunds", "Insufficient funds"), 4: ("OwnerMismatch", "Owner does not match")}
# Anchor's own instruction errors (anchor-lang's ErrorCode in lang/src/error.rs), below every
# program's 6000. 101 is what a program answers an instruction it has no handler for: what
# Drift's original program answers to everything since it was paused (every instruction removed).
INSTRUCTION_FALLBACK_NOT_FOUND = 101
EXCHANGE_PAUSED_CODE = 6024
# Refusals that mean the program will not trade at all: the sentence says why and where to go.
PAUSED_SENTENCES = {INSTRUCTION_FALLBACK_NOT_FOUND: PROGRAM_PAUSED, EXCHANGE_PAUSED_CODE: EXCHANGE_PAUSED}
ANCHOR_ERRORS = {
    100: ("InstructionMissing", "8 byte instruction identifier not provided"),
    INSTRUCTION_FALLBACK_NOT_FOUND: ("InstructionFallbackNotFound", "Fallback functions are not supported"),
    102: ("InstructionDidNotDeserialize", "The program could not deserialize the given instruction"),
    103: ("InstructionDidNotSerialize", "The program could not serialize the given instruction"),
}


@dataclass(frozen=True)
class DecodedError:
    """What went wrong, as stored in the registry and shown to the user."""

    kind: str  # "instruction", "transaction"
    code: int | None
    name: str
    message: str
    instruction_index: int | None = None
    # Named by the venue's own program table (another program than Drift's original): the
    # paused-program sentences below are about that one program and do not apply.
    from_venue: bool = False

    def sentence(self) -> str:
        code = f" ({self.code})" if self.code is not None else ""
        return f"{self.name}{code}: {self.message}"


class TransactionFailed(RektError):
    """The transaction failed on chain or in preflight; nothing will be retried."""

    def __init__(self, signature: str, error: DecodedError, *, landed: bool) -> None:
        where = "landed with an error" if landed else "was refused before sending"
        if error.code in PAUSED_SENTENCES and not error.from_venue:
            super().__init__(f"Transaction {signature[:8]}… {where}: {PAUSED_SENTENCES[error.code]}")
        else:
            super().__init__(f"Transaction {signature[:8]}… {where}: {error.sentence()}.")
        self.signature = signature
        self.error = error
        self.landed = landed


class TransactionExpired(RektError):
    """The transaction provably never landed, and its one rebuild did not land either."""


@cache
def _drift_errors() -> dict[int, tuple[str, str]]:
    idl = json.loads(resources.files("driftpy").joinpath("idl/drift.json").read_text())
    return {
        error.get("code", DRIFT_ERROR_BASE + index): (error["name"], error.get("msg", error["name"]))
        for index, error in enumerate(idl["errors"])
    }


def decode_custom(code: int) -> tuple[str, str]:
    if code >= DRIFT_ERROR_BASE and code in _drift_errors():
        return _drift_errors()[code]
    if code in TOKEN_ERRORS:
        return TOKEN_ERRORS[code]
    if code in ANCHOR_ERRORS:
        return ANCHOR_ERRORS[code]
    return f"Custom{code}", f"program error {code}"


# A venue's own name and message for a program error code; None: not one of its program's.
ProgramErrors = Callable[[int], tuple[str, str] | None]


def decode_transaction_error(err: Any, program_error: ProgramErrors | None = None) -> DecodedError:
    """Decode a validator's `err` value (from a status, a landed meta or a preflight answer);
    `program_error` names the venue program's own codes first (Drift's table otherwise)."""
    if isinstance(err, dict) and "InstructionError" in err:
        index, detail = err["InstructionError"]
        if isinstance(detail, dict) and "Custom" in detail:
            code = int(detail["Custom"])
            own = program_error(code) if program_error is not None else None
            if own is not None:
                return DecodedError("instruction", code, own[0], own[1], index, from_venue=True)
            name, message = decode_custom(code)
            return DecodedError("instruction", code, name, message, index)
        name = detail if isinstance(detail, str) else next(iter(detail), "InstructionError")
        return DecodedError("instruction", None, name, f"instruction {index} failed with {name}", index)
    name = err if isinstance(err, str) else next(iter(err), "TransactionError") if isinstance(err, dict) else "TransactionError"
    return DecodedError("transaction", None, name, f"the transaction was rejected: {name}")
