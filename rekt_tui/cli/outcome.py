"""What a failed command left behind, as the registry tells it.

Every transaction is persisted before it is broadcast, so the registry is the proof of
what a command signed. When a command fails for any reason (a refusal, a read error
after an order landed, a full disk, Ctrl-C, a bug), the CLI asks it, read-only, for the
transactions recorded since the command started: "nothing was signed" is said only when
that answer is provably empty.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rekt_tui.domain.errors import AfterSigning
from rekt_tui.domain.records import TransactionRecord, TransactionStatus
from rekt_tui.registry import REGISTRY_FILENAME, Registry

log = logging.getLogger(__name__)

RECOVER_HINT = "Run `rekt-tui recover` to settle each one against the chain before trading again."


@dataclass(frozen=True)
class Signed:
    """One transaction the command signed, and what is known of its outcome."""

    signature: str
    kind: str
    status: str  # the registry's status, or "unknown" when it has no row
    outcome: str

    def as_dict(self) -> dict[str, str]:
        return {"signature": self.signature, "kind": self.kind, "status": self.status, "outcome": self.outcome}


def known_outcome(record: TransactionRecord) -> str:
    """The outcome of a transaction in words, and how it resolves."""
    status = record.status
    if status is TransactionStatus.CONFIRMED:
        return "landed"
    if status is TransactionStatus.FAILED:
        reason = record.error_name or (f"error {record.error_code}" if record.error_code is not None else None)
        return f"landed with an error ({reason}), no effect" if reason else "failed, no effect"
    if status is TransactionStatus.EXPIRED:
        return "expired without landing as far as known; `recover` checks the chain for it"
    if status is TransactionStatus.SENT:
        return "sent, outcome unknown; `recover` resolves it"
    return "signed, maybe sent, outcome unknown; `recover` resolves it"


def signed_entry(record: TransactionRecord) -> Signed:
    return Signed(record.signature, record.kind, record.status.value, known_outcome(record))


async def signed_since(
    data_dir: Path, cluster: str, started: datetime, sessions: Sequence[str] | None, extra: Sequence[str] = ()
) -> list[Signed] | None:
    """Transactions recorded since `started` for `sessions` (None: every session of the
    cluster), plus the `extra` signatures an error named; None when the registry cannot
    be read, which proves nothing either way."""
    if not (data_dir / REGISTRY_FILENAME).exists() and not extra:
        return []  # no registry: nothing was ever persisted, so nothing was ever sent
    try:
        async with await Registry.open(data_dir, read_only=True) as registry:
            if sessions is None:
                sessions = [s.pubkey for s in await registry.list_sessions(cluster=cluster, include_withdrawn=True)]
            records: list[TransactionRecord] = []
            for pubkey in sessions:
                records += [r for r in await registry.list_transactions(pubkey) if r.created_at >= started]
            found = {r.signature for r in records}
            named = [await registry.get_transaction(signature) for signature in extra if signature not in found]
    except Exception:  # noqa: BLE001 - the check must never hide the failure it reports on
        log.exception("could not read the registry to report what was signed")
        return None
    records.sort(key=lambda r: r.created_at)
    entries = [signed_entry(r) for r in records]
    unknown = "outcome unknown; `recover` resolves it"
    entries += [
        signed_entry(r) if r is not None else Signed(signature, "unknown", "unknown", unknown)
        for signature, r in zip([s for s in extra if s not in found], named)
    ]
    return entries


def only_failures(signed: Sequence[Signed]) -> bool:
    """Every transaction landed with an error: none of them changed anything."""
    return all(entry.status == TransactionStatus.FAILED.value for entry in signed)


def after_signing(cause: str, signed: Sequence[Signed]) -> AfterSigning:
    """The error that names each signature, its known outcome and how it resolves."""
    count = f"{len(signed)} transaction{'s' if len(signed) != 1 else ''}"
    lines = [f"{cause.rstrip('.')}, after this command signed {count}:"]
    lines += [f"  {entry.signature}  {entry.kind}  {entry.outcome}" for entry in signed]
    lines.append(RECOVER_HINT)
    return AfterSigning("\n".join(lines), tuple(entry.signature for entry in signed))
