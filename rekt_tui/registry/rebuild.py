"""Rebuilding the sessions table from the keys a keystore can name, after the registry was lost.

The keystore's pubkey index knows every session key it holds; the chain knows what
each holds. This puts a row back for every such key the registry lacks, so the
reconcile that follows (`recover`) reads its balances, orders and positions from
the chain. Rows that survived are kept as they are; a registry SQLite cannot read
at all is moved aside (never deleted: it may still hold the only copy of a record).
"""

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rekt_tui.domain.session import SessionStatus
from rekt_tui.registry.connection import REGISTRY_FILENAME, filesystem_failure
from rekt_tui.registry.errors import BACKUPS_DIRNAME, RegistryCorrupt
from rekt_tui.registry.store import Registry

REBUILT_LABEL = "rebuilt"


@dataclass(frozen=True)
class KnownKey:
    """A session key the keystore holds, and the cluster it was made for."""

    pubkey: str
    cluster: str


@dataclass(frozen=True)
class RebuildResult:
    added: tuple[str, ...]  # pubkeys given a row again
    kept: int  # keys whose row had survived
    moved_aside: Path | None  # where an unreadable registry went


async def rebuild_registry(data_dir: Path, keys: Iterable[KnownKey], *, key_backend: str) -> RebuildResult:
    """Adopt the registry file as it is (or a new one) and give every known key a session row.

    A row is written `key_pending` then promoted to `active` (the key was already
    verified by the caller), so a crash between the two is finished by the usual
    settling of pending keys.
    """
    moved = None
    try:
        registry = await Registry.open(data_dir, adopt=True)
    except RegistryCorrupt:
        moved = _move_aside(data_dir)
        registry = await Registry.open(data_dir, adopt=True)
    added: list[str] = []
    kept = 0
    async with registry:
        for key in keys:
            if await registry.get_session(key.pubkey) is not None:
                kept += 1
                continue
            await registry.create_session(
                pubkey=key.pubkey, cluster=key.cluster, label=REBUILT_LABEL, key_backend=key_backend
            )
            await registry.set_session_status(key.pubkey, SessionStatus.ACTIVE)
            added.append(key.pubkey)
    return RebuildResult(tuple(added), kept, moved)


def _move_aside(data_dir: Path) -> Path:
    """Move the unreadable registry and its -wal/-shm into backups/ under a `damaged-` name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    backups = data_dir / BACKUPS_DIRNAME
    target = backups / f"damaged-registry-{stamp}.sqlite3"
    try:
        backups.mkdir(mode=0o700, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            source = data_dir / f"{REGISTRY_FILENAME}{suffix}"
            if source.exists():
                os.replace(source, target.with_name(target.name + suffix))
    except OSError as error:
        raise filesystem_failure(error, data_dir) from None
    return target
