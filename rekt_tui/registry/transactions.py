"""Signed transactions and teardown steps: the audit trail a crash recovery resumes from.

A transaction is recorded — signature, signed bytes, last valid block height and
intent — before it is broadcast, so after a crash the same bytes can be resent or
proven expired. Only an expired transaction may be rebuilt, and only once.
"""

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from rekt_tui.domain.records import (
    UNRESOLVED_TRANSACTION_STATUSES,
    TRANSACTION_TRANSITIONS,
    TeardownStepRecord,
    TeardownStepStatus,
    TransactionRecord,
    TransactionStatus,
    can_transition_transaction,
)
from rekt_tui.registry.connection import run_statement
from rekt_tui.registry.core import (
    UNSET,
    RegistryCore,
    Update,
    assignments,
    fetch_all,
    fetch_one,
    given,
    optional_transaction_id,
    session_id_of,
)
from rekt_tui.registry.errors import InvalidStatusTransition, RecordNotFound, TransactionNotFound
from rekt_tui.registry.rows import (
    TEARDOWN_STEP_SELECT,
    TRANSACTION_SELECT,
    now_db_time,
    teardown_step_from_row,
    transaction_from_row,
)


async def _load_transaction(conn: aiosqlite.Connection, signature: str) -> TransactionRecord:
    row = await fetch_one(conn, f"{TRANSACTION_SELECT} WHERE t.signature = ?", (signature,))
    if row is None:
        raise TransactionNotFound(signature)
    return transaction_from_row(row)


async def _load_step(conn: aiosqlite.Connection, step_id: int) -> TeardownStepRecord:
    row = await fetch_one(conn, f"{TEARDOWN_STEP_SELECT} WHERE d.id = ?", (step_id,))
    if row is None:
        raise RecordNotFound(f"No teardown step with id {step_id} is in the registry; check the id.")
    return teardown_step_from_row(row)


def _placeholders(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values)


class TransactionRepository(RegistryCore):
    async def record_transaction(
        self,
        session_pubkey: str,
        *,
        kind: str,
        intent: str,
        signature: str,
        raw_tx: bytes,
        last_valid_block_height: int,
        rebuild_of: str | None = None,
    ) -> TransactionRecord:
        """Persist a signed transaction as `pending`; call before broadcasting it.

        `intent` is JSON text describing the effect; `rebuild_of` names the expired
        transaction this one replaces.
        """
        now = now_db_time()
        async with self._writing() as conn:
            session_id = await session_id_of(conn, session_pubkey)
            original_id = None
            if rebuild_of is not None:
                original = await fetch_one(
                    conn, "SELECT id, status FROM transactions WHERE signature = ?", (rebuild_of,)
                )
                if original is None:
                    raise TransactionNotFound(rebuild_of)
                if original["status"] != TransactionStatus.EXPIRED.value:
                    raise InvalidStatusTransition(
                        f"Transaction {rebuild_of} is {original['status']}, not expired, so it must not be "
                        "rebuilt; keep resending its bytes until it lands or provably expires."
                    )
                original_id = original["id"]
            await run_statement(
                conn,
                "INSERT INTO transactions (session_id, kind, intent, status, signature, raw_tx, "
                "last_valid_block_height, rebuild_of, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    kind,
                    intent,
                    TransactionStatus.PENDING.value,
                    signature,
                    bytes(raw_tx),
                    last_valid_block_height,
                    original_id,
                    now,
                    now,
                ),
            )
            return await _load_transaction(conn, signature)

    async def update_transaction(
        self,
        signature: str,
        *,
        status: Update[TransactionStatus] = UNSET,
        retry_count: Update[int] = UNSET,
        error_type: Update[str | None] = UNSET,
        error_code: Update[int | None] = UNSET,
        error_name: Update[str | None] = UNSET,
        message: Update[str | None] = UNSET,
        slot: Update[int | None] = UNSET,
        sent_at: Update[datetime | None] = UNSET,
        confirmed_at: Update[datetime | None] = UNSET,
    ) -> TransactionRecord:
        """Change only the fields passed; a settled outcome (confirmed, failed, expired) is final."""
        changes = given(
            status=status,
            retry_count=retry_count,
            error_type=error_type,
            error_code=error_code,
            error_name=error_name,
            message=message,
            slot=slot,
            sent_at=sent_at,
            confirmed_at=confirmed_at,
        )
        async with self._writing() as conn:
            current = await _load_transaction(conn, signature)
            if status is not UNSET and not can_transition_transaction(current.status, status):
                allowed = ", ".join(sorted(s.value for s in TRANSACTION_TRANSITIONS[current.status])) or "none"
                raise InvalidStatusTransition(
                    f"Transaction {signature} is {current.status.value} and cannot become {status.value} "
                    f"(allowed next: {allowed})."
                )
            if changes:
                await run_statement(
                    conn,
                    f"UPDATE transactions SET {assignments(changes)}, updated_at = ? WHERE signature = ?",
                    (*changes.values(), now_db_time(), signature),
                )
            return await _load_transaction(conn, signature)

    async def get_transaction(self, signature: str) -> TransactionRecord | None:
        async with self._reading() as conn:
            row = await fetch_one(conn, f"{TRANSACTION_SELECT} WHERE t.signature = ?", (signature,))
        return None if row is None else transaction_from_row(row)

    async def list_transactions(
        self,
        session_pubkey: str,
        *,
        statuses: Iterable[TransactionStatus] | None = None,
        limit: int | None = None,
    ) -> list[TransactionRecord]:
        """A session's transactions, newest first."""
        sql, params = f"{TRANSACTION_SELECT} WHERE s.pubkey = ?", [session_pubkey]
        if statuses is not None:
            wanted = [status.value for status in statuses]
            sql += f" AND t.status IN ({_placeholders(wanted)})"
            params.extend(wanted)
        sql += " ORDER BY t.created_at DESC, t.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        async with self._reading() as conn:
            rows = await fetch_all(conn, sql, params)
        return [transaction_from_row(row) for row in rows]

    async def unresolved_transactions(self) -> list[TransactionRecord]:
        """Transactions still pending or sent, across all sessions, oldest first: the sender's restart work."""
        wanted = [status.value for status in UNRESOLVED_TRANSACTION_STATUSES]
        async with self._reading() as conn:
            rows = await fetch_all(
                conn,
                f"{TRANSACTION_SELECT} WHERE t.status IN ({_placeholders(wanted)}) ORDER BY t.created_at, t.id",
                wanted,
            )
        return [transaction_from_row(row) for row in rows]

    async def add_teardown_step(self, session_pubkey: str, *, run_id: str, seq: int, step: str) -> TeardownStepRecord:
        """Plan one step of a teardown run, as `pending`."""
        async with self._writing() as conn:
            session_id = await session_id_of(conn, session_pubkey)
            new_id = await run_statement(
                conn,
                "INSERT INTO teardown_steps (session_id, run_id, seq, step, status) VALUES (?, ?, ?, ?, ?)",
                (session_id, run_id, seq, step, TeardownStepStatus.PENDING.value),
            )
            return await _load_step(conn, new_id)  # type: ignore[arg-type]

    async def update_teardown_step(
        self,
        step_id: int,
        *,
        status: Update[TeardownStepStatus] = UNSET,
        transaction_signature: Update[str | None] = UNSET,
        message: Update[str | None] = UNSET,
        started_at: Update[datetime | None] = UNSET,
        finished_at: Update[datetime | None] = UNSET,
    ) -> TeardownStepRecord:
        """Change only the fields passed; `step_id` is `TeardownStepRecord.id`."""
        changes = given(status=status, message=message, started_at=started_at, finished_at=finished_at)
        async with self._writing() as conn:
            await _load_step(conn, step_id)
            if transaction_signature is not UNSET:
                changes["transaction_id"] = await optional_transaction_id(conn, transaction_signature)
            if changes:
                await run_statement(
                    conn,
                    f"UPDATE teardown_steps SET {assignments(changes)} WHERE id = ?", (*changes.values(), step_id)
                )
            return await _load_step(conn, step_id)

    async def list_teardown_steps(self, run_id: str) -> list[TeardownStepRecord]:
        """A run's steps in order."""
        async with self._reading() as conn:
            rows = await fetch_all(conn, f"{TEARDOWN_STEP_SELECT} WHERE d.run_id = ? ORDER BY d.seq", (run_id,))
        return [teardown_step_from_row(row) for row in rows]

    async def latest_teardown_run(self, session_pubkey: str) -> list[TeardownStepRecord]:
        """The steps of the session's most recent run, in order; empty if it never had one."""
        async with self._reading() as conn:
            rows = await fetch_all(
                conn,
                f"{TEARDOWN_STEP_SELECT} WHERE d.run_id = (SELECT run_id FROM teardown_steps "
                "WHERE session_id = (SELECT id FROM sessions WHERE pubkey = ?) ORDER BY id DESC LIMIT 1) "
                "ORDER BY d.seq",
                (session_pubkey,),
            )
        return [teardown_step_from_row(row) for row in rows]
