"""The Compute Budget program: its instructions take effect before execution.

The runtime reads the limit and price from these instructions when it prices and
meters the transaction (runtime/budget.py); executing one only costs its units and
re-checks that the bytes are a Compute Budget instruction at all.
"""

from rekt_localnet.keys import COMPUTE_BUDGET_PROGRAM_ID
from rekt_localnet.runtime.budget import parse_budget_instruction
from rekt_localnet.runtime.program import InstructionError, InvokeContext

COMPUTE_UNITS = 150


class ComputeBudgetProgram:
    program_id = COMPUTE_BUDGET_PROGRAM_ID

    def process(self, ctx: InvokeContext) -> None:
        ctx.consume(COMPUTE_UNITS)
        if parse_budget_instruction(ctx.data) is None:
            raise InstructionError("InvalidInstructionData")
