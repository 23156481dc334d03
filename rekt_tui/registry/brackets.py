"""Brackets waiting for their entry's fill: a take-profit and stop-loss attached to a resting entry.

A reduce-only leg has nothing to face while the market is flat, so a bracket on a resting
entry is written here (linked to the entry's order row) before the entry is signed, and the
watcher places its legs as the entry fills. How much of the entry the legs already cover is
never cached as the truth: it is read from the session's transactions that placed legs for
the bracket (their intent names it and the amount), so a crash between a fill and the legs,
or between the legs and any bookkeeping, neither forgets them nor places them twice.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import aiosqlite

from rekt_tui.domain.records import Direction, OrderStatus
from rekt_tui.registry.connection import run_statement
from rekt_tui.registry.core import RegistryCore, fetch_all, fetch_one, session_id_of
from rekt_tui.registry.errors import RecordNotFound
from rekt_tui.registry.rows import from_db_time, now_db_time

BRACKET_LEGS_KIND = "place_bracket_legs"  # the transaction kind that places a waiting bracket's legs

# Migration 7 (see migrations.py).
SCHEMA_V7: tuple[str, ...] = (
    """
CREATE TABLE pending_brackets (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE RESTRICT,
    entry_order_id INTEGER NOT NULL UNIQUE REFERENCES orders (id) ON DELETE RESTRICT,
    take_profit INTEGER CHECK (take_profit > 0),
    stop_loss INTEGER CHECK (stop_loss > 0),
    entry_price INTEGER NOT NULL CHECK (entry_price > 0),
    status TEXT NOT NULL CHECK (status IN ('waiting', 'done', 'cancelled')),
    message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (take_profit IS NOT NULL OR stop_loss IS NOT NULL)
) STRICT
""",
    "CREATE INDEX pending_brackets_waiting ON pending_brackets (session_id) WHERE status = 'waiting'",
)


class BracketStatus(str, Enum):
    WAITING = "waiting"  # the entry may still fill: legs are placed (or topped up) as it does
    DONE = "done"  # the entry ended; its filled amount is covered
    CANCELLED = "cancelled"  # the entry ended without a fill: nothing to protect


@dataclass(frozen=True)
class PendingBracket:
    id: int
    session_pubkey: str
    entry_order_id: int  # the entry's row in `orders`
    entry_user_order_id: int
    entry_chain_order_id: int | None
    entry_direction: Direction
    entry_base_amount: int  # 1e9, what the entry asks for
    entry_status: OrderStatus  # the entry row's status
    market_index: int
    take_profit: int | None  # trigger prices, 1e6
    stop_loss: int | None
    entry_price: int  # where the entry means to fill (its limit or trigger), 1e6
    status: BracketStatus
    message: str | None
    created_at: datetime


_SELECT = (
    "SELECT b.id, s.pubkey, b.entry_order_id, o.user_order_id, o.chain_order_id, o.direction, o.base_amount, "
    "o.status AS entry_status, o.market_index, b.take_profit, "
    "b.stop_loss, b.entry_price, b.status, b.message, b.created_at FROM pending_brackets b "
    "JOIN sessions s ON s.id = b.session_id JOIN orders o ON o.id = b.entry_order_id"
)


def _from_row(row: aiosqlite.Row) -> PendingBracket:
    created = from_db_time(row["created_at"])
    assert created is not None
    return PendingBracket(
        id=int(row["id"]), session_pubkey=row["pubkey"], entry_order_id=int(row["entry_order_id"]),
        entry_user_order_id=int(row["user_order_id"]),
        entry_chain_order_id=None if row["chain_order_id"] is None else int(row["chain_order_id"]),
        entry_direction=Direction(row["direction"]), entry_base_amount=int(row["base_amount"]),
        entry_status=OrderStatus(row["entry_status"]),
        market_index=int(row["market_index"]), take_profit=row["take_profit"], stop_loss=row["stop_loss"],
        entry_price=int(row["entry_price"]), status=BracketStatus(row["status"]), message=row["message"],
        created_at=created,
    )  # fmt: skip


class BracketRepository(RegistryCore):
    async def add_pending_bracket(
        self, session_pubkey: str, entry_order_id: int, *, take_profit: int | None, stop_loss: int | None,
        entry_price: int,
    ) -> PendingBracket:  # fmt: skip
        """Record the bracket of entry row `entry_order_id`, waiting for its fill (before the entry is signed)."""
        now = now_db_time()
        async with self._writing() as conn:
            session_id = await session_id_of(conn, session_pubkey)
            new_id = await run_statement(
                conn,
                "INSERT INTO pending_brackets (session_id, entry_order_id, take_profit, stop_loss, entry_price, "
                "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?)",
                (session_id, entry_order_id, take_profit, stop_loss, entry_price, now, now),
            )
            row = await fetch_one(conn, f"{_SELECT} WHERE b.id = ?", (new_id,))
        assert row is not None
        return _from_row(row)

    async def list_pending_brackets(
        self, session_pubkey: str, *, statuses: tuple[BracketStatus, ...] = (BracketStatus.WAITING,)
    ) -> list[PendingBracket]:
        """The session's brackets in `statuses` (waiting ones by default), oldest first."""
        marks = ", ".join("?" for _ in statuses)
        async with self._reading() as conn:
            rows = await fetch_all(
                conn, f"{_SELECT} WHERE s.pubkey = ? AND b.status IN ({marks}) ORDER BY b.id",
                (session_pubkey, *(status.value for status in statuses)),
            )  # fmt: skip
        return [_from_row(row) for row in rows]

    async def end_pending_bracket(self, bracket_id: int, status: BracketStatus, message: str) -> PendingBracket:
        """Mark a waiting bracket done or cancelled, with the sentence that says why."""
        async with self._writing() as conn:
            await run_statement(
                conn, "UPDATE pending_brackets SET status = ?, message = ?, updated_at = ? WHERE id = ?",
                (status.value, message, now_db_time(), bracket_id),
            )  # fmt: skip
            row = await fetch_one(conn, f"{_SELECT} WHERE b.id = ?", (bracket_id,))
        if row is None:
            raise RecordNotFound(f"No bracket with id {bracket_id} is in the registry; check the id.")
        return _from_row(row)

    async def get_bracket_coverage(self, bracket_id: int) -> tuple[int, int]:
        """(covered, unresolved): the entry's base (1e9) that landed legs cover, and what legs
        whose transactions have no outcome yet may cover. Failed and expired placements cover nothing."""
        async with self._reading() as conn:
            rows = await fetch_all(
                conn,
                "SELECT status, coalesce(sum(json_extract(intent, '$.covers')), 0) AS covers FROM transactions "
                "WHERE kind = ? AND json_extract(intent, '$.bracket') = ? GROUP BY status",
                (BRACKET_LEGS_KIND, bracket_id),
            )
        by_status = {row["status"]: int(row["covers"]) for row in rows}
        return by_status.get("confirmed", 0), by_status.get("pending", 0) + by_status.get("sent", 0)
