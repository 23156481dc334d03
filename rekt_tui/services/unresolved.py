"""Finish the transactions a crash left `pending` or `sent` before reading or signing.

A transaction signed before a crash (or a Ctrl-C) may still land: its stored bytes are
resent until it lands or provably expires, and before calling it expired the chain is
searched for its intent's effect (drift/effects.py). Nothing rebuilds it here: the
teardown and the order book plan their next action from the chain instead. Doing this
before anything is signed is what keeps an interruption from producing a second landed
transaction for the same effect (docs/RELIABILITY.md R4).

`expired` rows are re-examined too, at every reconcile: a lagging node shows a landing
late (R5), and a row the chain shows landed is promoted.
"""

import logging

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.records import TransactionRecord, TransactionStatus
from rekt_tui.drift.errors import TransactionFailed
from rekt_tui.drift.sender import TransactionSender
from rekt_tui.registry import Registry
from rekt_tui.services.models import Resumed

log = logging.getLogger(__name__)

# Expired rows re-examined per reconcile, newest first: a late landing shows within minutes.
REEXAMINED_EXPIRED = 16


class StillUnresolved(RektError):
    """An earlier transaction of the session has no known outcome: nothing new may be signed."""

    def __init__(self, signatures: list[str], reason: str) -> None:
        super().__init__(
            f"An earlier transaction of this session ({', '.join(signatures)}) is still unresolved ({reason}); "
            "nothing new was signed: run `rekt-tui recover` and try again."
        )
        self.signatures = tuple(signatures)


async def finish_unresolved(sender: TransactionSender, registry: Registry, pubkey: str) -> list[Resumed]:
    """Drive each pending or sent transaction of the session to an outcome, oldest first."""
    results = []
    for record in await _unresolved(registry, pubkey):
        try:
            landed = await sender.resume(record)
            outcome = "landed" if landed is not None else "expired"
        except TransactionFailed as failure:
            outcome = f"failed ({failure.error.sentence()})"
        log.info("resumed %s %s: %s", record.kind, record.signature, outcome)
        results.append(Resumed(record.signature, record.kind, outcome))
    return results


async def resolve_before_signing(sender: TransactionSender, registry: Registry, pubkey: str) -> list[Resumed]:
    """Finish the session's unresolved transactions; StillUnresolved (one sentence) if any remains.

    Call before every signing action of a session: an interrupted order that later lands
    must be seen before a retried order is sent.
    """
    try:
        resumed = await finish_unresolved(sender, registry, pubkey)
    except RektError as error:
        left = await _unresolved(registry, pubkey)
        if not left:
            raise
        raise StillUnresolved([r.signature for r in left], error.message.rstrip(".")) from None
    left = await _unresolved(registry, pubkey)
    if left:  # e.g. written by another process meanwhile
        raise StillUnresolved([r.signature for r in left], "another process is still sending it")
    return resumed


async def reexamine_expired(sender: TransactionSender, registry: Registry, pubkey: str) -> list[Resumed]:
    """Promote the session's recent `expired` rows the chain now shows landed."""
    results = []
    expired = await registry.list_transactions(pubkey, statuses=[TransactionStatus.EXPIRED], limit=REEXAMINED_EXPIRED)
    for record in expired:
        try:
            landed = await sender.reexamine(record)
        except TransactionFailed as failure:
            outcome = f"landed late and failed ({failure.error.sentence()})"
            results.append(Resumed(record.signature, record.kind, outcome))
            continue
        if landed is not None:
            log.warning("expired %s %s landed after all (slot %s)", record.kind, record.signature, landed.slot)
            results.append(Resumed(record.signature, record.kind, "landed after all"))
    return results


async def _unresolved(registry: Registry, pubkey: str) -> list[TransactionRecord]:
    return [r for r in await registry.unresolved_transactions() if r.session_pubkey == pubkey]
