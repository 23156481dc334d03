"""Session wallets: one row per keypair, written before its key exists anywhere else.

A session row is created `key_pending` before the keyring write and promoted after
the key reads back, so a crash never leaves a key nothing records. Statuses move only
as `domain.session.can_transition` allows, and only a `key_pending` row (whose key
was never verified, so it can hold nothing) may be deleted.
"""

import sqlite3
from datetime import datetime

import aiosqlite

from rekt_tui.domain.session import ALLOWED_TRANSITIONS, SessionRecord, SessionStatus, can_transition
from rekt_tui.registry.connection import run_statement
from rekt_tui.registry.core import UNSET, RegistryCore, Update, assignments, fetch_all, fetch_one, given
from rekt_tui.registry.errors import InvalidStatusTransition, RegistryError, SessionExists, SessionNotFound
from rekt_tui.registry.rows import SESSION_SELECT, now_db_time, session_from_row


async def _load(conn: aiosqlite.Connection, pubkey: str) -> SessionRecord:
    row = await fetch_one(conn, f"{SESSION_SELECT} WHERE pubkey = ?", (pubkey,))
    if row is None:
        raise SessionNotFound(pubkey)
    return session_from_row(row)


class SessionRepository(RegistryCore):
    async def create_session(self, *, pubkey: str, cluster: str, label: str, key_backend: str) -> SessionRecord:
        """Record a new session wallet as `key_pending`, before its key is stored."""
        now = now_db_time()
        async with self._writing() as conn:
            if await fetch_one(conn, "SELECT 1 FROM sessions WHERE pubkey = ?", (pubkey,)):
                raise SessionExists(pubkey)
            await run_statement(
                conn,
                "INSERT INTO sessions (pubkey, cluster, label, status, key_backend, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (pubkey, cluster, label, SessionStatus.KEY_PENDING.value, key_backend, now, now),
            )
            return await _load(conn, pubkey)

    async def get_session(self, pubkey: str) -> SessionRecord | None:
        async with self._reading() as conn:
            row = await fetch_one(conn, f"{SESSION_SELECT} WHERE pubkey = ?", (pubkey,))
        return None if row is None else session_from_row(row)

    async def list_sessions(
        self, *, cluster: str | None = None, include_withdrawn: bool = False
    ) -> list[SessionRecord]:
        """Sessions oldest first; withdrawn ones (nothing left anywhere) only on request."""
        conditions, params = [], []
        if cluster is not None:
            conditions.append("cluster = ?")
            params.append(cluster)
        if not include_withdrawn:
            conditions.append("status <> ?")
            params.append(SessionStatus.WITHDRAWN.value)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        async with self._reading() as conn:
            rows = await fetch_all(conn, f"{SESSION_SELECT}{where} ORDER BY created_at, id", params)
        return [session_from_row(row) for row in rows]

    async def set_session_status(self, pubkey: str, status: SessionStatus) -> SessionRecord:
        async with self._writing() as conn:
            current = await _load(conn, pubkey)
            if not can_transition(current.status, status):
                allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[current.status])) or "none"
                raise InvalidStatusTransition(
                    f"Session {pubkey} is {current.status.value} and cannot become {status.value} "
                    f"(allowed next: {allowed})."
                )
            await run_statement(
                conn,
                "UPDATE sessions SET status = ?, updated_at = ? WHERE pubkey = ?",
                (status.value, now_db_time(), pubkey),
            )
            return await _load(conn, pubkey)

    async def delete_key_pending_session(self, pubkey: str) -> None:
        """Forget a session whose key never made it into the keystore."""
        async with self._writing() as conn:
            current = await _load(conn, pubkey)
            if current.status is not SessionStatus.KEY_PENDING:
                raise InvalidStatusTransition(
                    f"Session {pubkey} is {current.status.value}, and only a key_pending session can be "
                    "deleted; run its teardown and archive it instead."
                )
            try:
                await run_statement(conn, "DELETE FROM sessions WHERE pubkey = ?", (pubkey,))
            except sqlite3.IntegrityError:
                raise RegistryError(
                    f"Session {pubkey} already has recorded history (transactions, orders, snapshots or "
                    "teardown steps), so it was kept; verify its key and activate it instead."
                ) from None

    async def update_session(
        self,
        pubkey: str,
        *,
        label: Update[str] = UNSET,
        drift_user: Update[str | None] = UNSET,
        referrer: Update[str | None] = UNSET,
        referrer_verified_at: Update[datetime | None] = UNSET,
        strategy: Update[str | None] = UNSET,
        last_sol_lamports: Update[int | None] = UNSET,
        last_collateral_quote: Update[int | None] = UNSET,
        trading_started_at: Update[datetime | None] = UNSET,
    ) -> SessionRecord:
        """Change only the fields passed; passing None clears a field."""
        changes = given(
            label=label,
            drift_user=drift_user,
            referrer=referrer,
            referrer_verified_at=referrer_verified_at,
            strategy=strategy,
            last_sol_lamports=last_sol_lamports,
            last_collateral_quote=last_collateral_quote,
            trading_started_at=trading_started_at,
        )
        async with self._writing() as conn:
            await _load(conn, pubkey)
            if changes:
                await run_statement(
                    conn,
                    f"UPDATE sessions SET {assignments(changes)}, updated_at = ? WHERE pubkey = ?",
                    (*changes.values(), now_db_time(), pubkey),
                )
            return await _load(conn, pubkey)
