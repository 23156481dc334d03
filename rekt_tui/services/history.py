"""A session's history: backfill the venue's records into the registry, and its report.

Backfill reads the account's transactions after the session's cursor in batches, oldest
first, and stores each batch together with the cursor it reaches, so a backfill cut
short at any point (a crash, a cancelled task) resumes after its last stored batch and
never doubles or drops a record. Fills by keepers and liquidations, transactions this
app never sent, are read like any other.
"""

import logging
from dataclasses import dataclass

from rekt_tui.domain.history import ChainRecord, Identity, Ledger, SessionFigures, figures, identity
from rekt_tui.registry import Registry
from rekt_tui.services.link import SessionLink
from rekt_tui.services.venue import Venue

log = logging.getLogger(__name__)


async def backfill(registry: Registry, venue: Venue, session_pubkey: str, *, batch_size: int | None = None) -> int:
    """Read and store every record after the session's cursor, `batch_size` transactions
    at a time (the venue's default for None); returns how many records were new."""
    added = 0
    while True:
        cursor = await registry.get_record_cursor(session_pubkey)
        if batch_size is None:
            batch = await venue.records_since(cursor)
        else:
            batch = await venue.records_since(cursor, max_transactions=batch_size)
        if batch.cursor is not None:
            added += await registry.add_records(session_pubkey, batch.records, cursor=batch.cursor)
        if batch.complete or batch.cursor is None:
            return added


async def backfill_link(link: SessionLink) -> int:
    """Backfill on reconcile: history is an extra, so a failure is logged, never raised."""
    if link.registry.read_only:
        return 0
    try:
        return await backfill(link.registry, link.venue, link.pubkey)
    except Exception as error:  # the account's figures were read already; history can wait
        log.warning("history of %s not read: %s", link.pubkey, error)
        return 0


@dataclass(frozen=True, slots=True)
class Report:
    session_pubkey: str
    figures: SessionFigures
    ledger: Ledger | None  # None: the venue account is gone (or was not read)
    identity: Identity | None


async def report(link: SessionLink) -> Report:
    """Backfill, then the session's figures and the accounting identity against the account now."""
    if not link.registry.read_only:
        await backfill(link.registry, link.venue, link.pubkey)
    ledger = await link.venue.ledger()
    return build_report(link.pubkey, await link.registry.list_records(link.pubkey), ledger)


def build_report(session_pubkey: str, records: list[ChainRecord], ledger: Ledger | None) -> Report:
    result = figures(records)
    return Report(session_pubkey, result, ledger, identity(result, ledger) if ledger is not None else None)
