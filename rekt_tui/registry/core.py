"""State and plumbing shared by the registry's repository parts.

All access goes through `_reading()` or `_writing()`, which serialize use of the one
connection: two coroutines interleaving statements on it would otherwise read each
other's uncommitted rows or nest BEGINs. Every write also counts itself in the
registry's generation and, once committed, in data_dir/registry.id (see sentinel.py).
"""

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from enum import Enum
from pathlib import Path
from typing import Literal, TypeVar, Union

import aiosqlite

from rekt_tui.registry.connection import immediate_transaction
from rekt_tui.registry.errors import RegistryReadOnly, SessionNotFound, TransactionNotFound
from rekt_tui.registry.rows import to_db_value
from rekt_tui.registry.sentinel import Stamp, bump_generation, publish_stamp
from rekt_tui.registry.signing_lock import DEFAULT_WAIT_S, signing_lock

log = logging.getLogger(__name__)


class _Unset(Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET
T = TypeVar("T")
# A keyword an update method leaves alone unless it is passed (None is a real value).
Update = Union[T, Literal[_Unset.UNSET]]


def given(**fields: object) -> dict[str, object]:
    """The fields actually passed to an update, as column values."""
    return {name: to_db_value(value) for name, value in fields.items() if value is not UNSET}


def assignments(columns: Iterable[str]) -> str:
    """`a = ?, b = ?` for column names chosen by this package, never by callers' data."""
    return ", ".join(f"{column} = ?" for column in columns)


async def fetch_one(conn: aiosqlite.Connection, sql: str, params: Iterable[object] = ()) -> sqlite3.Row | None:
    async with conn.execute(sql, tuple(params)) as cursor:
        return await cursor.fetchone()


async def fetch_all(conn: aiosqlite.Connection, sql: str, params: Iterable[object] = ()) -> list[sqlite3.Row]:
    async with conn.execute(sql, tuple(params)) as cursor:
        return list(await cursor.fetchall())


async def session_id_of(conn: aiosqlite.Connection, pubkey: str) -> int:
    row = await fetch_one(conn, "SELECT id FROM sessions WHERE pubkey = ?", (pubkey,))
    if row is None:
        raise SessionNotFound(pubkey)
    return int(row["id"])


async def transaction_id_of(conn: aiosqlite.Connection, signature: str) -> int:
    row = await fetch_one(conn, "SELECT id FROM transactions WHERE signature = ?", (signature,))
    if row is None:
        raise TransactionNotFound(signature)
    return int(row["id"])


async def optional_transaction_id(conn: aiosqlite.Connection, signature: str | None) -> int | None:
    return None if signature is None else await transaction_id_of(conn, signature)


REQUESTED_READ_ONLY_REASON = "this rekt-tui opened the registry read-only on request"


class RegistryCore:
    """The open connection, whether it may write, and the two ways in."""

    def __init__(self, conn: aiosqlite.Connection, path: Path, schema_version: int, *, read_only: bool) -> None:
        self._conn = conn
        self._path = path
        self._schema_version = schema_version
        self._read_only = read_only
        self._access = asyncio.Lock()
        self.signing_wait_s = DEFAULT_WAIT_S  # how long a signer waits for another to finish

    @property
    def path(self) -> Path:
        return self._path

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def read_only_reason(self) -> str | None:
        """None unless this registry was opened read-only on request (any process may write)."""
        return REQUESTED_READ_ONLY_REASON if self._read_only else None

    @property
    def schema_version(self) -> int:
        return self._schema_version

    def signing_lock(
        self, pubkey: str, *, holder: str | None = None, wait_s: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        """`async with registry.signing_lock(pubkey):` be the session's only signer (see signing_lock.py).

        Waits up to `wait_s` (default `signing_wait_s`), then raises SessionBusy naming the holder.
        """
        wait = self.signing_wait_s if wait_s is None else wait_s
        return signing_lock(self._path.parent, pubkey, holder=holder, wait_s=wait)

    async def get_data_version(self) -> int:
        """SQLite's `data_version`: it moves when another connection (another process) commits,
        never for this connection's own commits."""
        async with self._reading() as conn, conn.execute("PRAGMA data_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row is not None else 0

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        async with self._access:
            await self._conn.close()

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._access:
            yield self._conn

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[aiosqlite.Connection]:
        """One short BEGIN IMMEDIATE transaction; refused outright on a read-only registry."""
        if self._read_only:
            raise RegistryReadOnly(REQUESTED_READ_ONLY_REASON, "restart it without read-only mode to make changes")
        async with self._access:
            async with immediate_transaction(self._conn, self._path) as conn:
                yield conn
                stamp = await bump_generation(conn)
        if stamp is not None:
            await self._publish(stamp)

    async def _publish(self, stamp: Stamp) -> None:
        """After a commit: the commit stands whatever happens here, so a failure is only logged
        (the sentinel then lags the registry, which is the safe direction)."""
        try:
            await asyncio.to_thread(publish_stamp, self._path.parent, stamp)
        except OSError as error:
            log.warning("registry.id not updated after a commit: %s", error)
