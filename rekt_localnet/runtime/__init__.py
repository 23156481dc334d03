"""The transaction runtime: verify, execute atomically, charge fees, land or reject.

`Runtime` is the entry point; `program.py` is the contract programs implement.
"""

from rekt_localnet.runtime.errors import (
    MalformedTransaction,
    PreflightFailure,
    SignatureVerificationFailed,
    TransactionRejected,
)
from rekt_localnet.runtime.program import AccountRef, Clock, InstructionError, InvokeContext, Program
from rekt_localnet.runtime.runtime import Runtime, Simulation

__all__ = [
    "AccountRef",
    "Clock",
    "InstructionError",
    "InvokeContext",
    "MalformedTransaction",
    "PreflightFailure",
    "Program",
    "Runtime",
    "SignatureVerificationFailed",
    "Simulation",
    "TransactionRejected",
]
