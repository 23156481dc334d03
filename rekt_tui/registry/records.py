"""The venue's records of each session (fills, spot fills, funding, settlements, deposits) and
how far the session's history has been read.

A record is keyed by (session, signature, index of the record in the transaction), so
reading the same transactions again inserts nothing; the cursor (the newest signature
read) moves in the same transaction as the records it covers, so a backfill cut short
anywhere resumes where its last batch ended and never drops or doubles a record.
"""

from datetime import datetime

import aiosqlite

from rekt_tui.domain.history import SPOT_KINDS, ChainRecord, RecordKind
from rekt_tui.domain.records import OrderRecord
from rekt_tui.registry.connection import run_statement
from rekt_tui.registry.core import RegistryCore, fetch_all, fetch_one, session_id_of
from rekt_tui.registry.rows import ORDER_SELECT, from_db_time, order_from_row

def _records_table(name: str, kinds: tuple[str, ...]) -> str:
    """The records table as a migration creates it; only the kinds it accepts change."""
    accepted = ", ".join(f"'{kind}'" for kind in kinds)
    return f"""
CREATE TABLE {name} (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    signature TEXT NOT NULL,
    record_index INTEGER NOT NULL CHECK (record_index >= 0),
    slot INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ({accepted})),
    market_index INTEGER NOT NULL,
    base INTEGER NOT NULL,
    quote INTEGER NOT NULL,
    fee INTEGER NOT NULL,
    realized_pnl INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    role TEXT NOT NULL,
    order_id INTEGER NOT NULL,
    liquidation INTEGER NOT NULL CHECK (liquidation IN (0, 1)),
    UNIQUE (session_id, signature, record_index)
) STRICT
"""


V4_KINDS = ("fill", "funding", "settle_pnl", "deposit", "withdrawal", "liquidation")

# Migration 4: the venue's records of each session, and its history cursor.
SCHEMA_V4: tuple[str, ...] = (
    _records_table("records", V4_KINDS),
    "CREATE INDEX records_by_session ON records (session_id, slot, id)",
    """
CREATE TABLE record_cursors (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id),
    signature TEXT NOT NULL
) STRICT
""",
)

# Migration 9: spot fills are records too (SQLite cannot widen a CHECK: the table is rebuilt,
# ids kept). Every cursor is dropped, so each session's next backfill reads its history once
# more from the start: a transaction read before this version (a stop's sale of SOL to repay
# a borrow) holds a spot fill that was not kept. Records are keyed by (signature, index) and
# an index counts every record the program logged, kept or not (on the relaunch: every event
# the pinned interface decodes, unchanged by this version), so the re-read adds only the spot
# fills and doubles nothing.
SCHEMA_V9: tuple[str, ...] = (
    _records_table("records_v9", (*V4_KINDS, "spot_fill")),
    "INSERT INTO records_v9 SELECT * FROM records",
    "DROP TABLE records",
    "ALTER TABLE records_v9 RENAME TO records",
    "CREATE INDEX records_by_session ON records (session_id, slot, id)",
    "DELETE FROM record_cursors",
)

_COLUMNS = (
    "signature, record_index, slot, ts, kind, market_index, base, quote, fee, realized_pnl, amount, role, "
    "order_id, liquidation"
)


def _values(record: ChainRecord) -> tuple[object, ...]:
    return (
        record.signature, record.index, record.slot, record.ts, record.kind.value, record.market_index,
        record.base, record.quote, record.fee, record.realized_pnl, record.amount, record.role,
        record.order_id, int(record.liquidation),
    )  # fmt: skip


def _record(row: aiosqlite.Row) -> ChainRecord:
    return ChainRecord(
        signature=row["signature"], index=row["record_index"], slot=row["slot"], ts=row["ts"],
        kind=RecordKind(row["kind"]), market_index=row["market_index"], base=row["base"], quote=row["quote"],
        fee=row["fee"], realized_pnl=row["realized_pnl"], amount=row["amount"], role=row["role"],
        order_id=row["order_id"], liquidation=bool(row["liquidation"]),
    )  # fmt: skip


class RecordRepository(RegistryCore):
    async def add_records(self, session_pubkey: str, records: list[ChainRecord], *, cursor: str | None) -> int:
        """Store records (those already stored are left alone) and, in the same
        transaction, move the session's cursor to `cursor`; returns how many were new."""
        async with self._writing() as conn:
            session_id = await session_id_of(conn, session_pubkey)
            added = 0
            for record in records:
                before = conn.total_changes
                await run_statement(
                    conn,
                    f"INSERT OR IGNORE INTO records (session_id, {_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                    (session_id, *_values(record)),
                )
                added += conn.total_changes - before
            if cursor is not None:
                await run_statement(
                    conn,
                    "INSERT INTO record_cursors (session_id, signature) VALUES (?, ?) "
                    "ON CONFLICT (session_id) DO UPDATE SET signature = excluded.signature",
                    (session_id, cursor),
                )
            return added

    async def get_record_cursor(self, session_pubkey: str) -> str | None:
        """The newest signature whose records are stored; None before the first read."""
        async with self._reading() as conn:
            session_id = await session_id_of(conn, session_pubkey)
            row = await fetch_one(conn, "SELECT signature FROM record_cursors WHERE session_id = ?", (session_id,))
            return None if row is None else str(row["signature"])

    async def list_records(self, session_pubkey: str, *, market_index: int | None = None) -> list[ChainRecord]:
        """The session's records in chain order (by slot, then as read: oldest first); with
        `market_index`, those of that perp market (a spot market's records never)."""
        async with self._reading() as conn:
            session_id = await session_id_of(conn, session_pubkey)
            sql = f"SELECT {_COLUMNS} FROM records WHERE session_id = ?"
            params: list[object] = [session_id]
            if market_index is not None:
                sql += f" AND market_index = ? AND kind NOT IN ({', '.join('?' * len(SPOT_KINDS))})"
                params += [market_index, *sorted(kind.value for kind in SPOT_KINDS)]  # a perp market's
            rows = await fetch_all(conn, sql + " ORDER BY slot, id", params)
            return [_record(row) for row in rows]

    async def list_orders(self, session_pubkey: str, *, market_index: int | None = None) -> list[OrderRecord]:
        """Every order of the session (any status), newest first: the history's view of them."""
        sql, params = f"{ORDER_SELECT} WHERE s.pubkey = ?", [session_pubkey]
        if market_index is not None:
            sql += " AND o.market_type = 'perp' AND o.market_index = ?"
            params.append(market_index)
        async with self._reading() as conn:
            rows = await fetch_all(conn, sql + " ORDER BY o.id DESC", params)
        return [order_from_row(row) for row in rows]

    async def list_equity_points(self, session_pubkey: str, *, limit: int) -> list[tuple[datetime, int]]:
        """The newest `limit` account reads as (time, total collateral 1e6), oldest first."""
        async with self._reading() as conn:
            session_id = await session_id_of(conn, session_pubkey)
            rows = await fetch_all(
                conn,
                "SELECT taken_at, total_collateral_quote FROM balance_snapshots WHERE session_id = ? "
                "ORDER BY taken_at DESC, id DESC LIMIT ?",
                (session_id, limit),
            )
        points = []
        for row in reversed(rows):
            taken = from_db_time(row["taken_at"])
            if taken is not None:
                points.append((taken, int(row["total_collateral_quote"])))
        return points
