"""The ledger on disk: one SQLite file in WAL mode, written once per slot.

A slot's changes (accounts, chain counters, its blockhash, its transactions) go in one
SQLite transaction, so a crash leaves the ledger at the end of some slot, never halfway
through one. An exclusive lock on a side file keeps a second localnet from opening the
same ledger. SQLite integers are signed 64-bit: u64 values above 2^63 (the rent epoch of
rent-exempt accounts) are stored as their two's-complement bit pattern.
"""

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from solders.pubkey import Pubkey

from rekt_localnet.errors import LocalnetError
from rekt_localnet.account import Account
from rekt_localnet.identity import GENESIS_HASH, LEDGER_FILE

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    pubkey BLOB PRIMARY KEY,
    lamports INTEGER NOT NULL,
    owner BLOB NOT NULL,
    data BLOB NOT NULL,
    executable INTEGER NOT NULL,
    rent_epoch INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chain (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blockhashes (
    block_height INTEGER PRIMARY KEY,
    slot INTEGER NOT NULL,
    blockhash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS transactions (
    signature TEXT PRIMARY KEY,
    slot INTEGER NOT NULL,
    block_time INTEGER NOT NULL,
    err TEXT,
    wire BLOB NOT NULL,
    meta TEXT NOT NULL,
    shown_slot INTEGER NOT NULL DEFAULT 0,
    landed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identity (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""
# Ledgers written before confirmations could be held lack this column.
ADD_SHOWN_SLOT = "ALTER TABLE transactions ADD COLUMN shown_slot INTEGER NOT NULL DEFAULT 0"
# The order transactions ran in (a slot holds several; the table is keyed by signature).
ADD_LANDED = "ALTER TABLE transactions ADD COLUMN landed INTEGER NOT NULL DEFAULT 0"


LOCK_FILE = "ledger.lock"


class LedgerInUseError(LocalnetError):
    """Another localnet already serves this data directory."""


class LedgerUnreadableError(LocalnetError):
    """The ledger file is not a database this localnet can read."""


def _to_sql_u64(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def _from_sql_u64(value: int) -> int:
    return value + 2**64 if value < 0 else value


@dataclass(frozen=True, slots=True)
class TransactionRecord:
    """A landed transaction: what getSignatureStatuses and getTransaction answer from."""

    signature: str
    slot: int
    block_time: int
    err: object  # None, or the error as the RPC shows it (e.g. {"InstructionError": [0, ...]})
    wire: bytes  # the signed transaction as sent
    meta: dict  # fee, balances, log messages


@dataclass(frozen=True, slots=True)
class SlotCommit:
    """Everything one slot changed, handed to `LedgerStore.commit`."""

    chain: dict[str, int]
    accounts: dict[Pubkey, Account | None]
    blockhashes: list[tuple[int, int, str]]  # (block height, slot, hash)
    transactions: list[tuple[TransactionRecord, int]]  # (record, slot from which its status shows)
    oldest_blockhash_height: int


class LedgerStore:
    """SQLite persistence of one ledger directory."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        # Held open for the store's whole life: the lock lasts as long as the descriptor.
        self._lock = open(directory / LOCK_FILE, "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise LedgerInUseError(
                f"another localnet is using the ledger in {directory}; stop it first or use another data dir."
            ) from None
        try:
            self._db = sqlite3.connect(directory / LEDGER_FILE, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(transactions)")}
            if "shown_slot" not in columns:
                self._db.execute(ADD_SHOWN_SLOT)
            if "landed" not in columns:
                self._db.execute(ADD_LANDED)
            self._landed = self._db.execute("SELECT COALESCE(MAX(landed), 0) FROM transactions").fetchone()[0]
        except sqlite3.DatabaseError as error:
            self._lock.close()
            raise LedgerUnreadableError(
                f"the localnet ledger in {directory} is unreadable ({error}); start it with --fresh to begin again."
            ) from None

    @staticmethod
    def wipe(directory: Path) -> None:
        """Delete a ledger (its database and WAL files) so the next open starts at genesis."""
        for name in (LEDGER_FILE, f"{LEDGER_FILE}-wal", f"{LEDGER_FILE}-shm"):
            path = directory / name
            if path.exists():
                os.remove(path)

    def chain(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT key, value FROM chain"))

    def accounts(self) -> Iterator[tuple[Pubkey, Account]]:
        rows = self._db.execute("SELECT pubkey, lamports, owner, data, executable, rent_epoch FROM accounts")
        for key, lamports, owner, data, executable, rent_epoch in rows:
            account = Account(
                _from_sql_u64(lamports),
                Pubkey.from_bytes(owner),
                bytes(data),
                bool(executable),
                _from_sql_u64(rent_epoch),
            )
            yield Pubkey.from_bytes(key), account

    def blockhashes(self) -> list[tuple[int, int, str]]:
        return list(self._db.execute("SELECT block_height, slot, blockhash FROM blockhashes ORDER BY block_height"))

    def transactions_since(self, slot: int) -> Iterable[tuple[TransactionRecord, int]]:
        """Transactions that landed from `slot` on, each with the slot its status shows from."""
        rows = self._db.execute(
            "SELECT signature, slot, block_time, err, wire, meta, shown_slot FROM transactions"
            " WHERE slot >= ? ORDER BY slot, landed",
            (slot,),
        )
        return [(self._record(row[:6]), row[6]) for row in rows]

    def genesis_hash(self) -> str | None:
        row = self._db.execute("SELECT value FROM identity WHERE key = ?", (GENESIS_HASH,)).fetchone()
        return None if row is None else row[0]

    def oldest_blockhash(self) -> str | None:
        row = self._db.execute("SELECT blockhash FROM blockhashes ORDER BY block_height LIMIT 1").fetchone()
        return None if row is None else row[0]

    def record_genesis_hash(self, genesis_hash: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO identity VALUES (?, ?)", (GENESIS_HASH, genesis_hash))

    def transaction(self, signature: str) -> TransactionRecord | None:
        row = self._db.execute(
            "SELECT signature, slot, block_time, err, wire, meta FROM transactions WHERE signature = ?", (signature,)
        ).fetchone()
        return None if row is None else self._record(row)

    @staticmethod
    def _record(row: tuple) -> TransactionRecord:
        signature, slot, block_time, err, wire, meta = row
        return TransactionRecord(signature, slot, block_time, json.loads(err), bytes(wire), json.loads(meta))

    def commit(self, change: SlotCommit) -> None:
        """Write one slot atomically."""
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany("INSERT OR REPLACE INTO chain (key, value) VALUES (?, ?)", change.chain.items())
            removed = [(bytes(key),) for key, account in change.accounts.items() if account is None]
            db.executemany("DELETE FROM accounts WHERE pubkey = ?", removed)
            db.executemany(
                "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        bytes(key),
                        _to_sql_u64(account.lamports),
                        bytes(account.owner),
                        account.data,
                        int(account.executable),
                        _to_sql_u64(account.rent_epoch),
                    )
                    for key, account in change.accounts.items()
                    if account is not None
                ],
            )
            db.executemany("INSERT OR REPLACE INTO blockhashes VALUES (?, ?, ?)", change.blockhashes)
            db.execute("DELETE FROM blockhashes WHERE block_height < ?", (change.oldest_blockhash_height,))
            first = self._landed + 1
            db.executemany(
                "INSERT OR REPLACE INTO transactions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (tx.signature, tx.slot, tx.block_time, json.dumps(tx.err), tx.wire, json.dumps(tx.meta), shown,
                     first + n)
                    for n, (tx, shown) in enumerate(change.transactions)
                ],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._landed += len(change.transactions)

    def close(self) -> None:
        self._db.close()
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()
