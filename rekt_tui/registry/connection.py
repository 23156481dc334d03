"""Opening the registry file: permissions, PRAGMAs and transactions.

The registry holds the only record of funded session wallets, so it is opened
defensively: private file modes before SQLite touches anything, a quick integrity
check before use, and write transactions that either commit whole or leave nothing
behind. Several processes may write at once: WAL lets readers run beside the one
writer SQLite admits at a time, BEGIN IMMEDIATE takes that turn up front, and the
busy timeout makes the others wait for it instead of failing.
"""

import errno
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from rekt_tui.registry.errors import (
    RegistryCorrupt,
    RegistryDiskFull,
    RegistryError,
    RegistryNeedsUpgrade,
    RegistryTooNew,
)

REGISTRY_FILENAME = "registry.sqlite3"
BUSY_TIMEOUT_MS = 5000
# STRICT tables (3.37) keep floats out of money columns; json_valid is built in from 3.38.
MIN_SQLITE_VERSION = (3, 38, 0)


def require_sqlite_version() -> None:
    if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
        wanted = ".".join(map(str, MIN_SQLITE_VERSION))
        raise RegistryError(
            f"The registry needs SQLite {wanted} or newer but this Python uses {sqlite3.sqlite_version}; "
            "install a Python built with a newer SQLite."
        )


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data dir private to the user; an existing one is left as the user set it."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


def create_private_file(path: Path, *, exclusive: bool = False) -> None:
    """Create `path` empty with mode 0600 unless it exists.

    SQLite gives a database's -wal and -shm files the mode of the database file, so
    creating it here first keeps all three private whatever the umask.
    """
    flags = os.O_CREAT | os.O_WRONLY | (os.O_EXCL if exclusive else 0)
    os.close(os.open(path, flags, 0o600))


def sqlite_error_code(error: sqlite3.Error) -> int | None:
    """The primary SQLite result code (extended codes carry it in the low byte)."""
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_disk_full(error: sqlite3.Error) -> bool:
    return sqlite_error_code(error) == sqlite3.SQLITE_FULL


def filesystem_failure(error: OSError, data_dir: Path) -> RegistryError:
    """An OS error met creating or locking the registry's files, as one sentence."""
    if error.errno == errno.ENOSPC:
        return RegistryDiskFull(data_dir / REGISTRY_FILENAME)
    return RegistryError(
        f"The registry folder {data_dir} could not be used ({error.strerror or error}); "
        "check that it is a folder you can write to."
    )


def _open_failure(error: sqlite3.Error, db_path: Path) -> RegistryError:
    """Turn an error met while opening into the sentence a user can act on."""
    code = sqlite_error_code(error)
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return RegistryCorrupt(db_path, str(error))
    if code == sqlite3.SQLITE_FULL:
        return RegistryDiskFull(db_path)
    return RegistryError(
        f"The registry {db_path} could not be opened ({error}); check that you can read and write "
        "it and its folder."
    )


async def run_statement(conn: aiosqlite.Connection, sql: str, params: Iterable[object] = ()) -> int | None:
    """Execute one statement and release it at once; return the rowid it inserted, if any.

    A statement that yields a row (many PRAGMAs do) and is left unread keeps a read
    transaction open, which then blocks BEGIN and journal-mode changes.
    """
    async with conn.execute(sql, tuple(params)) as cursor:
        return cursor.lastrowid


async def run_many(conn: aiosqlite.Connection, sql: str, rows: Iterable[Iterable[object]]) -> None:
    async with conn.executemany(sql, rows):
        pass


async def _scalar(conn: aiosqlite.Connection, sql: str) -> object:
    async with conn.execute(sql) as cursor:
        row = await cursor.fetchone()
    return None if row is None else row[0]


async def _check_integrity(conn: aiosqlite.Connection, db_path: Path) -> None:
    async with conn.execute("PRAGMA quick_check") as cursor:
        findings = [str(row[0]) for row in await cursor.fetchall()]
    if findings != ["ok"]:
        # Findings span lines ("*** in database main ***\nPage 7: ..."); keep the sentence on one.
        detail = " ".join(findings[0].split())[:160] if findings else "quick_check returned nothing"
        raise RegistryCorrupt(db_path, detail)


async def _connect(target: str, db_path: Path, *, uri: bool) -> aiosqlite.Connection:
    # isolation_level=None: the sqlite3 module must not open transactions on its own;
    # every write goes through `immediate_transaction`.
    conn = await aiosqlite.connect(target, uri=uri, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        await run_statement(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        await run_statement(conn, "PRAGMA foreign_keys = ON")
        await _check_integrity(conn, db_path)
    except BaseException:
        await conn.close()
        raise
    return conn


async def open_writer(
    db_path: Path, known_version: int, *, max_page_count: int | None = None
) -> tuple[aiosqlite.Connection, int]:
    """Open read-write, check integrity, refuse a newer schema, then switch on WAL.

    The schema version is read before anything is written (WAL mode rewrites the
    header), so refusing a newer database leaves its bytes untouched. Returns the
    connection and the schema version found.
    """
    create_private_file(db_path)
    try:
        conn = await _connect(str(db_path), db_path, uri=False)
    except sqlite3.Error as error:
        raise _open_failure(error, db_path) from None
    try:
        version = int(await _scalar(conn, "PRAGMA user_version"))  # type: ignore[arg-type]
        if version > known_version:
            raise RegistryTooNew(db_path, version, known_version)
        if max_page_count is not None:
            await run_statement(conn, f"PRAGMA max_page_count = {max_page_count:d}")
        mode = await _scalar(conn, "PRAGMA journal_mode = WAL")
        if mode != "wal":
            raise RegistryError(
                f"The registry {db_path} could not be switched to WAL mode (got {mode}); "
                "keep it on a local disk, not a network share."
            )
        # FULL: a commit is on disk before it is acknowledged, even across power loss.
        await run_statement(conn, "PRAGMA synchronous = FULL")
    except sqlite3.Error as error:
        await conn.close()
        raise _open_failure(error, db_path) from None
    except BaseException:
        await conn.close()
        raise
    return conn, version


async def open_reader(db_path: Path, known_version: int) -> aiosqlite.Connection:
    """Open read-only; the schema must already be exactly the one this code knows."""
    if not db_path.is_file():
        raise RegistryError(
            f"There is no registry at {db_path} yet; start rekt-tui once without read-only mode to create it."
        )
    try:
        conn = await _connect(f"{db_path.resolve().as_uri()}?mode=ro", db_path, uri=True)
    except sqlite3.Error as error:
        raise _open_failure(error, db_path) from None
    try:
        # Journal mode is the writer's to set; a read-only connection cannot change it.
        await run_statement(conn, "PRAGMA query_only = ON")
        version = int(await _scalar(conn, "PRAGMA user_version"))  # type: ignore[arg-type]
    except sqlite3.Error as error:
        await conn.close()
        raise _open_failure(error, db_path) from None
    if version != known_version:
        await conn.close()
        if version > known_version:
            raise RegistryTooNew(db_path, version, known_version)
        raise RegistryNeedsUpgrade(db_path, version, known_version)
    return conn


async def _rollback_quietly(conn: aiosqlite.Connection) -> None:
    try:
        await run_statement(conn, "ROLLBACK")
    except sqlite3.OperationalError:
        pass  # no transaction left: BEGIN failed, or SQLite already rolled back itself


@asynccontextmanager
async def immediate_transaction(conn: aiosqlite.Connection, db_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """One write transaction: commits whole when the block ends, rolls back on any error.

    BEGIN IMMEDIATE takes the write lock up front, so the transaction cannot fail
    half-way for want of it. The block must await nothing but this connection. BEGIN
    sits inside the rollback guard because a cancellation while it is queued still
    lets it run; the ROLLBACK queued after it then undoes it.
    """
    try:
        try:
            await run_statement(conn, "BEGIN IMMEDIATE")
            yield conn
            await run_statement(conn, "COMMIT")
        except BaseException:
            await _rollback_quietly(conn)
            raise
    except sqlite3.Error as error:
        if is_disk_full(error):
            raise RegistryDiskFull(db_path) from None
        raise
