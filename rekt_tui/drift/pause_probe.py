"""Whether a program still has any instruction: a simulated call that signs and lands nothing.

Drift's original program was paused after the 2026-04-01 exploit by removing every
instruction: whatever is sent, Anchor's dispatcher answers InstructionFallbackNotFound (101).
A live program answers one of its own instructions, sent with no accounts and no arguments,
with another error (its arguments or accounts are missing). So one simulation with an
instruction the adapter knows tells the two apart before a trader fills in an order. The
transaction is never signed (`sigVerify` off, the node's own blockhash), so no key is needed.
"""

import base64
import logging

from solders.hash import Hash
from solders.instruction import Instruction
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction

from rekt_tui.drift.rpc import JsonRpc

log = logging.getLogger(__name__)

INSTRUCTION_FALLBACK_NOT_FOUND = 101
SIMULATION = {"encoding": "base64", "sigVerify": False, "replaceRecentBlockhash": True, "commitment": "confirmed"}


def probe_transaction(program: Pubkey, payer: Pubkey, instruction_discriminator: bytes) -> str:
    """An unsigned transaction (base64) calling the instruction with no accounts and no arguments."""
    message = Message.new_with_blockhash([Instruction(program, instruction_discriminator, [])], payer, Hash.default())
    return base64.b64encode(bytes(Transaction.new_unsigned(message))).decode()


def answers_fallback_not_found(err: object) -> bool:
    """Whether a simulation's `err` is the dispatcher's 101 on the first instruction."""
    if not isinstance(err, dict) or "InstructionError" not in err:
        return False
    _, detail = err["InstructionError"]
    return isinstance(detail, dict) and detail.get("Custom") == INSTRUCTION_FALLBACK_NOT_FOUND


async def refuses_every_instruction(rpc: JsonRpc, program: Pubkey, payer: Pubkey, known: bytes) -> bool:
    """True when the program answers `known`, an instruction it should have, as one it has not."""
    answer = await rpc.call("simulateTransaction", [probe_transaction(program, payer, known), SIMULATION])
    err = answer["value"].get("err")
    log.info("program %s answers a probe of %s with %s", program, known.hex(), err)
    return answers_fallback_not_found(err)
