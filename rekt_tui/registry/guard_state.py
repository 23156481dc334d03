"""The watcher's persisted state: each session's loss ledger (and breach), and its alert log.

The ledger is read, folded and written back in one BEGIN IMMEDIATE transaction, so a
cockpit and a `guard` watching the same session never undo each other's peak or breach,
and a breach survives any crash or restart. Only `lift_loss_limit`, an explicit confirmed
action, clears a breach; it restarts the ledger from the equity it last saw.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import aiosqlite

from rekt_tui.domain.alerts import Alert, AlertKind, Severity
from rekt_tui.domain.loss_limit import Breach, LossLedger, LossLimitRule, breach_of, observe
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.history import ChainRecord, RecordKind
from rekt_tui.registry.connection import filesystem_failure, run_statement
from rekt_tui.registry.core import RegistryCore, fetch_all, fetch_one, session_id_of
from rekt_tui.registry.rows import from_db_time, now_db_time, to_db_time
from rekt_tui.registry.signing_lock import lock_path

# Migration 5 (see migrations.py).
SCHEMA_V5: tuple[str, ...] = (
    """
CREATE TABLE loss_limits (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE RESTRICT,
    start_equity INTEGER NOT NULL,
    peak_equity INTEGER NOT NULL,
    day TEXT NOT NULL CHECK (length(day) = 10),
    day_start_equity INTEGER NOT NULL,
    day_peak_equity INTEGER NOT NULL,
    equity INTEGER NOT NULL,
    breach_scope TEXT CHECK (breach_scope IN ('session', 'day')),
    breached_at TEXT,
    breach_sentence TEXT,
    lifted_at TEXT,
    updated_at TEXT NOT NULL,
    CHECK ((breach_scope IS NULL) = (breached_at IS NULL) AND (breach_scope IS NULL) = (breach_sentence IS NULL))
) STRICT
""",
    """
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL CHECK (kind <> ''),
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    message TEXT NOT NULL,
    slot INTEGER CHECK (slot >= 0),
    created_at TEXT NOT NULL
) STRICT
""",
    "CREATE INDEX alerts_by_session ON alerts (session_id, created_at)",
)

# Migration 6: an alert read from one of the venue's records names it, so it is told once
# (however many watchers see it); the ledger keeps the account's net deposits it last saw.
SCHEMA_V6: tuple[str, ...] = (
    "ALTER TABLE alerts ADD COLUMN record_signature TEXT",
    "ALTER TABLE alerts ADD COLUMN record_index INTEGER",
    "CREATE UNIQUE INDEX alerts_by_record ON alerts (session_id, record_signature, record_index) "
    "WHERE record_signature IS NOT NULL",
    "ALTER TABLE loss_limits ADD COLUMN deposits INTEGER",
)

# Migration 8: the most the net deposits have been, what a limit in % is a share of.
SCHEMA_V8: tuple[str, ...] = ("ALTER TABLE loss_limits ADD COLUMN committed INTEGER",)

_LEDGER_SELECT = (
    "SELECT start_equity, peak_equity, day, day_start_equity, day_peak_equity, equity, breach_scope, "
    "breached_at, breach_sentence, deposits, committed FROM loss_limits WHERE session_id = ?"
)


def _ledger_from_row(row: aiosqlite.Row) -> LossLedger:
    breach = None
    breached_at = from_db_time(row["breached_at"])
    if row["breach_scope"] is not None and breached_at is not None:
        breach = Breach(row["breach_scope"], breached_at, row["breach_sentence"])
    return LossLedger(
        start_equity=int(row["start_equity"]), peak_equity=int(row["peak_equity"]), day=date.fromisoformat(row["day"]),
        day_start_equity=int(row["day_start_equity"]), day_peak_equity=int(row["day_peak_equity"]),
        equity=int(row["equity"]), breach=breach, deposits=_int_or_none(row["deposits"]),
        committed=_int_or_none(row["committed"]),
    )  # fmt: skip


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


async def _write(
    conn: aiosqlite.Connection, session_id: int, ledger: LossLedger, *, lifted_at: str | None = None
) -> None:
    breach = ledger.breach
    await run_statement(
        conn,
        "INSERT INTO loss_limits (session_id, start_equity, peak_equity, day, day_start_equity, day_peak_equity, "
        "equity, breach_scope, breached_at, breach_sentence, lifted_at, updated_at, deposits, committed) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
        "start_equity = excluded.start_equity, peak_equity = excluded.peak_equity, day = excluded.day, "
        "day_start_equity = excluded.day_start_equity, day_peak_equity = excluded.day_peak_equity, "
        "equity = excluded.equity, breach_scope = excluded.breach_scope, breached_at = excluded.breached_at, "
        "breach_sentence = excluded.breach_sentence, lifted_at = coalesce(excluded.lifted_at, lifted_at), "
        "updated_at = excluded.updated_at, deposits = excluded.deposits, committed = excluded.committed",
        (
            session_id, ledger.start_equity, ledger.peak_equity, ledger.day.isoformat(), ledger.day_start_equity,
            ledger.day_peak_equity, ledger.equity, breach.scope if breach else None,
            to_db_time(breach.at) if breach else None, breach.sentence if breach else None, lifted_at, now_db_time(),
            ledger.deposits, ledger.committed,
        ),
    )  # fmt: skip


class GuardStateRepository(RegistryCore):
    async def get_loss_ledger(self, pubkey: str) -> LossLedger | None:
        """The session's ledger, None before the watcher first saw its equity."""
        async with self._reading() as conn:
            row = await fetch_one(conn, _LEDGER_SELECT, (await session_id_of(conn, pubkey),))
        return None if row is None else _ledger_from_row(row)

    async def observe_equity(
        self, pubkey: str, equity: int, rule: LossLimitRule, at: datetime, deposits: int | None = None
    ) -> tuple[LossLedger, bool]:
        """Fold `equity` (and the account's net `deposits`) into the ledger and judge it; True
        when this reading made the breach."""
        async with self._writing() as conn:
            session_id = await session_id_of(conn, pubkey)
            row = await fetch_one(conn, _LEDGER_SELECT, (session_id,))
            today = at.astimezone(UTC).date()
            if row is None:
                ledger = LossLedger.starting(equity, today, deposits)
            else:
                ledger = observe(_ledger_from_row(row), equity, today, deposits)
            newly = False
            if ledger.breach is None:
                breach = breach_of(ledger, rule, at)
                if breach is not None:
                    ledger, newly = replace(ledger, breach=breach), True
            await _write(conn, session_id, ledger)
        return ledger, newly

    async def lift_loss_limit(self, pubkey: str, at: datetime) -> LossLedger | None:
        """Clear a breach and measure afresh from the last equity seen; None when there is no ledger."""
        async with self._writing() as conn:
            session_id = await session_id_of(conn, pubkey)
            row = await fetch_one(conn, _LEDGER_SELECT, (session_id,))
            if row is None:
                return None
            old = _ledger_from_row(row)
            ledger = replace(LossLedger.starting(old.equity, at.astimezone(UTC).date()), deposits=old.deposits,
                             committed=old.committed)  # fmt: skip
            await _write(conn, session_id, ledger, lifted_at=to_db_time(at))
        return ledger

    async def record_alert(self, pubkey: str, alert: Alert, at: datetime) -> None:
        async with self._writing() as conn:
            await run_statement(
                conn,
                "INSERT INTO alerts (session_id, kind, severity, message, slot, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (await session_id_of(conn, pubkey), alert.kind.value, alert.severity.value, alert.sentence,
                 alert.slot, to_db_time(at)),
            )  # fmt: skip

    async def claim_record_alert(self, pubkey: str, alert: Alert, at: datetime) -> bool:
        """Log an alert read from the venue's record `alert.record`; False (and nothing written)
        when that record was told already, by this watcher or another."""
        assert alert.record is not None
        signature, index = alert.record
        async with self._writing() as conn:
            before = conn.total_changes
            await run_statement(
                conn,
                "INSERT OR IGNORE INTO alerts (session_id, kind, severity, message, slot, created_at, "
                "record_signature, record_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (await session_id_of(conn, pubkey), alert.kind.value, alert.severity.value, alert.sentence,
                 alert.slot, to_db_time(at), signature, index),
            )  # fmt: skip
            return conn.total_changes > before

    async def list_untold_liquidations(self, pubkey: str) -> list[ChainRecord]:
        """The session's liquidation records no alert has told yet, in chain order."""
        async with self._reading() as conn:
            session_id = await session_id_of(conn, pubkey)
            rows = await fetch_all(
                conn,
                "SELECT signature, record_index, slot, ts, market_index, base, quote, fee FROM records r "
                "WHERE session_id = ? AND kind = 'liquidation' AND NOT EXISTS (SELECT 1 FROM alerts a "
                "WHERE a.session_id = r.session_id AND a.record_signature = r.signature "
                "AND a.record_index = r.record_index) ORDER BY slot, id",
                (session_id,),
            )
        return [
            ChainRecord(r["signature"], r["record_index"], r["slot"], r["ts"], RecordKind.LIQUIDATION, r["market_index"],
                        base=r["base"], quote=r["quote"], fee=r["fee"])
            for r in rows
        ]  # fmt: skip

    async def list_alerts(self, pubkey: str, *, limit: int = 50) -> list[Alert]:
        """The session's latest alerts, newest first."""
        async with self._reading() as conn:
            rows = await fetch_all(
                conn,
                "SELECT kind, severity, message, slot, record_signature, record_index FROM alerts "
                "WHERE session_id = ? ORDER BY id DESC LIMIT ?",
                (await session_id_of(conn, pubkey), limit),
            )
        return [
            Alert(AlertKind(r["kind"]), Severity(r["severity"]), r["message"], r["slot"],
                  None if r["record_signature"] is None else (r["record_signature"], r["record_index"]))
            for r in rows
        ]  # fmt: skip


@contextmanager
def guard_lock(data_dir: Path, pubkey: str) -> Iterator[None]:
    """Be the one guard of session `pubkey`: an flock on data_dir/locks/<pubkey>.guard.lock,
    dropped by the kernel when the holder exits or is killed. Refused at once, naming the
    holder, when another guard holds it."""
    path = lock_path(data_dir, pubkey).with_suffix(".guard.lock")
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise filesystem_failure(error, data_dir) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").split()
            pid = f" (pid {holder[0]})" if holder and holder[0].isdigit() else ""
            raise RektError(f"Another guard{pid} already watches session {pubkey}; stop that one first.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
