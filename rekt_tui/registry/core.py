"""State and plumbing shared by the registry's repository parts.

All access goes through `_reading()` or `_writing()`, which serialize use of the one
connection: two coroutines interleaving statements on it would otherwise read each
other's uncommitted rows or nest BEGINs.
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from enum import Enum
from pathlib import Path
from typing import Literal, TypeVar, Union

import aiosqlite

from rekt_tui.registry.connection import WriterLock, immediate_transaction
from rekt_tui.registry.errors import RegistryReadOnly, SessionNotFound, TransactionNotFound
from rekt_tui.registry.rows import to_db_value


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
    """The open connection, who may write through it, and the two ways in."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        schema_version: int,
        *,
        writer_lock: WriterLock | None,
        read_only_reason: str | None,
    ) -> None:
        self._conn = conn
        self._path = path
        self._schema_version = schema_version
        self._writer_lock = writer_lock
        self._read_only_reason = read_only_reason
        self._access = asyncio.Lock()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def read_only(self) -> bool:
        return self._read_only_reason is not None

    @property
    def read_only_reason(self) -> str | None:
        """None when this process is the registry's writer; otherwise one sentence why not."""
        return self._read_only_reason

    @property
    def schema_version(self) -> int:
        return self._schema_version

    async def close(self) -> None:
        """Close the connection, then release the writer lock; safe to call twice."""
        async with self._access:
            await self._conn.close()
        if self._writer_lock is not None:
            self._writer_lock.release()
            self._writer_lock = None

    def _refuse_write(self) -> RegistryReadOnly:
        assert self._read_only_reason is not None
        if self._read_only_reason == REQUESTED_READ_ONLY_REASON:
            fix = "restart it without read-only mode to make changes"
        else:
            fix = "close the other rekt-tui and restart this one to make changes"
        return RegistryReadOnly(self._read_only_reason, fix)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._access:
            yield self._conn

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[aiosqlite.Connection]:
        """One short BEGIN IMMEDIATE transaction; refused outright on a read-only registry."""
        if self._read_only_reason is not None:
            raise self._refuse_write()
        async with self._access, immediate_transaction(self._conn, self._path) as conn:
            yield conn
