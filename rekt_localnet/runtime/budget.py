"""Compute budget and fees, read from a transaction's Compute Budget instructions.

A validator reads these instructions before running anything: they set the compute
unit limit of the whole transaction and the price per unit, which together make the
priority fee. Without a limit each other instruction gets 200,000 units, up to 1.4M.
The priority fee is price (micro-lamports per unit) × requested limit, rounded up:
it is charged on the limit asked for, not on the units used.
"""

import struct
from dataclasses import dataclass

from solders.pubkey import Pubkey

from rekt_localnet.keys import COMPUTE_BUDGET_PROGRAM_ID

LAMPORTS_PER_SIGNATURE = 5_000
DEFAULT_INSTRUCTION_COMPUTE_UNITS = 200_000
MAX_COMPUTE_UNITS = 1_400_000
MICRO_LAMPORTS_PER_LAMPORT = 1_000_000
MIN_HEAP_FRAME_BYTES = 32 * 1024
MAX_HEAP_FRAME_BYTES = 256 * 1024

REQUEST_HEAP_FRAME = 1
SET_COMPUTE_UNIT_LIMIT = 2
SET_COMPUTE_UNIT_PRICE = 3
SET_LOADED_ACCOUNTS_DATA_SIZE_LIMIT = 4
_PAYLOAD = {
    REQUEST_HEAP_FRAME: struct.Struct("<I"),
    SET_COMPUTE_UNIT_LIMIT: struct.Struct("<I"),
    SET_COMPUTE_UNIT_PRICE: struct.Struct("<Q"),
    SET_LOADED_ACCOUNTS_DATA_SIZE_LIMIT: struct.Struct("<I"),
}


class BudgetError(Exception):
    """A Compute Budget instruction the validator refuses; `err` is the transaction error."""

    def __init__(self, err: object) -> None:
        super().__init__(str(err))
        self.err = err


@dataclass(frozen=True, slots=True)
class Budget:
    compute_unit_limit: int
    compute_unit_price: int = 0

    def fee(self, signatures: int) -> int:
        """Base fee per signature plus the priority fee, in lamports."""
        micro = self.compute_unit_price * self.compute_unit_limit
        return LAMPORTS_PER_SIGNATURE * signatures + -(-micro // MICRO_LAMPORTS_PER_LAMPORT)


def parse_budget_instruction(data: bytes) -> tuple[int, int] | None:
    """(kind, value) of a Compute Budget instruction, or None if the bytes are not one."""
    if not data or data[0] not in _PAYLOAD:
        return None
    layout = _PAYLOAD[data[0]]
    if len(data) != 1 + layout.size:
        return None
    (value,) = layout.unpack_from(data, 1)
    if data[0] == REQUEST_HEAP_FRAME and (
        value % 1024 or not MIN_HEAP_FRAME_BYTES <= value <= MAX_HEAP_FRAME_BYTES
    ):
        return None
    return data[0], value


def requested_budget(instructions: list[tuple[Pubkey, bytes]]) -> Budget:
    """The budget `(program id, data)` instructions ask for; raises BudgetError as a node would."""
    seen: dict[int, int] = {}
    others = 0
    for index, (program_id, data) in enumerate(instructions):
        if program_id != COMPUTE_BUDGET_PROGRAM_ID:
            others += 1
            continue
        parsed = parse_budget_instruction(data)
        if parsed is None:
            raise BudgetError({"InstructionError": [index, "InvalidInstructionData"]})
        kind, value = parsed
        if kind in seen:
            raise BudgetError({"DuplicateInstruction": index})
        seen[kind] = value
    limit = seen.get(SET_COMPUTE_UNIT_LIMIT, DEFAULT_INSTRUCTION_COMPUTE_UNITS * others)
    return Budget(min(limit, MAX_COMPUTE_UNITS), seen.get(SET_COMPUTE_UNIT_PRICE, 0))
