"""Finish the transactions a crash left `pending` or `sent` before reading the chain.

A transaction signed before a crash may still land: its stored bytes are resent until it
lands or provably expires (the sender marks it `expired` then, and nothing rebuilds it
here: the teardown plans its next action from the chain instead). Doing this before
anything else is what keeps a crash from producing a second landed transaction for the
same effect.
"""

import logging
from dataclasses import dataclass

from rekt_tui.drift.errors import TransactionFailed
from rekt_tui.drift.sender import TransactionSender
from rekt_tui.registry import Registry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resumed:
    signature: str
    kind: str
    outcome: str  # "landed", "failed" or "expired"

    @property
    def message(self) -> str:
        return f"The interrupted {self.kind} transaction {self.signature[:8]}… {self.outcome}."


async def finish_unresolved(sender: TransactionSender, registry: Registry, pubkey: str) -> list[Resumed]:
    results = []
    for record in await registry.unresolved_transactions():
        if record.session_pubkey != pubkey:
            continue
        try:
            landed = await sender.resume(record)
            outcome = "landed" if landed is not None else "expired"
        except TransactionFailed as failure:
            outcome = f"failed ({failure.error.sentence()})"
        log.info("resumed %s %s: %s", record.kind, record.signature, outcome)
        results.append(Resumed(record.signature, record.kind, outcome))
    return results
