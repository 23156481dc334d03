"""Schema migrations by `PRAGMA user_version`, each one all-or-nothing.

Migration i (1-based) takes user_version from i-1 to i. Its statements run one at a
time inside a single BEGIN IMMEDIATE transaction that also sets the new
user_version, so a crash mid-migration leaves the schema entirely old or entirely
new. `executescript` is never used: it commits on its own. An existing registry is
copied with VACUUM INTO before it is migrated.
"""

import asyncio
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from rekt_tui.registry.connection import (
    create_private_file,
    immediate_transaction,
    is_disk_full,
    run_statement,
)
from rekt_tui.registry.brackets import SCHEMA_V7
from rekt_tui.registry.errors import BACKUPS_DIRNAME, MigrationFailed, RegistryDiskFull, RegistryError
from rekt_tui.registry.guard_state import SCHEMA_V5, SCHEMA_V6, SCHEMA_V8
from rekt_tui.registry.records import SCHEMA_V4, SCHEMA_V9
from rekt_tui.registry.schema import SCHEMA_V1, SCHEMA_V2, SCHEMA_V3


@dataclass(frozen=True)
class Migration:
    description: str  # shown in the error if it fails, e.g. "create the registry tables"
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration("create the registry tables", SCHEMA_V1),
    Migration("record when trading was confirmed", SCHEMA_V2),
    Migration("give the registry an identity and a write generation", SCHEMA_V3),
    Migration("keep the venue's records of each session", SCHEMA_V4),
    Migration("keep the loss limit's ledger and the alert log", SCHEMA_V5),
    Migration("tell each recorded liquidation once; keep the deposits the loss limit saw", SCHEMA_V6),
    Migration("keep the brackets waiting for their entry's fill", SCHEMA_V7),
    Migration("keep the capital a loss limit in % is a share of", SCHEMA_V8),
    Migration("keep spot fills among the records, and read every history once more for them", SCHEMA_V9),
)


async def migrate(
    conn: aiosqlite.Connection, db_path: Path, current: int, migrations: Sequence[Migration]
) -> int:
    """Bring the schema from `current` to `len(migrations)`; return the new version."""
    target = len(migrations)
    if current >= target:
        return current
    if current >= 1:
        await backup_registry(conn, db_path, current)
    # A migration that rebuilds a table must not have its drops cascade or be refused
    # mid-way; foreign keys are re-checked as a whole before each migration commits.
    await run_statement(conn, "PRAGMA foreign_keys = OFF")
    try:
        for version in range(current + 1, target + 1):
            await _apply(conn, db_path, version, migrations[version - 1])
    finally:
        await run_statement(conn, "PRAGMA foreign_keys = ON")
    return target


async def _apply(conn: aiosqlite.Connection, db_path: Path, version: int, migration: Migration) -> None:
    try:
        async with immediate_transaction(conn, db_path):
            # Another process may have applied it while this one waited for the write lock.
            async with conn.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
            if row is not None and int(row[0]) >= version:
                return
            for statement in migration.statements:
                await run_statement(conn, statement)
            async with conn.execute("PRAGMA foreign_key_check") as cursor:
                dangling = await cursor.fetchone()
            if dangling is not None:
                raise MigrationFailed(
                    db_path, version, migration.description, f"it leaves rows in {dangling[0]} pointing nowhere"
                )
            await run_statement(conn, f"PRAGMA user_version = {version:d}")
    except sqlite3.Error as error:
        raise MigrationFailed(db_path, version, migration.description, str(error)) from None


async def backup_registry(conn: aiosqlite.Connection, db_path: Path, version: int) -> None:
    """Copy the registry to backups/registry-v{version}-{UTC time}.sqlite3 (mode 0600).

    The copy is written under a `.partial` name and renamed only once it is complete
    and on disk, so a file with the final name is always a whole backup.
    """
    backups = db_path.parent / BACKUPS_DIRNAME
    backups.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = backups / f"registry-v{version}-{stamp}.sqlite3"
    partial = target.with_name(target.name + ".partial")
    create_private_file(partial, exclusive=True)  # VACUUM INTO accepts an empty file
    try:
        await run_statement(conn, "VACUUM INTO ?", (str(partial),))
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        if is_disk_full(error):
            raise RegistryDiskFull(db_path) from None
        raise RegistryError(
            f"The registry {db_path} could not be backed up to {backups} before upgrading ({error}), "
            "so it was left as it was; check that folder is writable and retry."
        ) from None
    await asyncio.to_thread(_publish, partial, target)


def _publish(partial: Path, target: Path) -> None:
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)
