"""Fault matrix S2 without kills: a newer database, a failing migration, backups, disk full."""

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from rekt_tui.domain.records import MarketRecord, MarketType
from rekt_tui.domain.session import SessionStatus
from rekt_tui.registry import (
    MIGRATIONS,
    Migration,
    MigrationFailed,
    Registry,
    RegistryDiskFull,
    RegistryTooNew,
)
from rekt_tui.registry.migrations import migrate

CURRENT = len(MIGRATIONS)  # the schema version this code writes


def perp_market(index: int) -> MarketRecord:
    return MarketRecord(
        cluster="localnet",
        market_type=MarketType.PERP,
        market_index=index,
        symbol=f"M{index}-PERP",
        oracle=f"Oracle{index}",
        status="active",
        decimals=9,
        tick_size=100,
        step_size=1,
        min_order_size=1,
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


ADD_NOTE = Migration("add a note to sessions", ("ALTER TABLE sessions ADD COLUMN note TEXT",))
ADD_FLAG = Migration(
    "add a flag to orders",
    ("ALTER TABLE orders ADD COLUMN flag INTEGER", "CREATE INDEX orders_by_flag ON orders (flag)"),
)


def schema_of(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


@pytest.fixture
async def v1_registry(data_dir: Path) -> Path:
    """A registry at schema v1 holding one active session; returns its data dir."""
    async with await Registry.open(data_dir) as registry:
        await registry.create_session(pubkey="pk-funded", cluster="devnet", label="", key_backend="secretservice")
        await registry.set_session_status("pk-funded", SessionStatus.ACTIVE)
    return data_dir


async def test_a_database_from_a_newer_rekt_tui_is_refused_untouched(
    v1_registry: Path, db_path: Path, raw_db, one_sentence
) -> None:
    conn = raw_db()
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.execute("PRAGMA journal_mode = DELETE")  # so even switching to WAL would show in the bytes
    conn.close()
    before = db_path.read_bytes()

    for read_only in (False, True):
        with pytest.raises(RegistryTooNew) as error:
            await Registry.open(v1_registry, read_only=read_only)
        text = one_sentence(error.value)
        assert f"schema v{len(MIGRATIONS) + 5}, this one knows v{len(MIGRATIONS)}" in text
        assert "upgrade rekt-tui" in text

    assert db_path.read_bytes() == before
    assert sorted(os.listdir(v1_registry)) == ["registry.id", "registry.sqlite3"]


async def test_a_migration_failing_half_way_leaves_the_old_schema_whole(
    v1_registry: Path, raw_db, one_sentence
) -> None:
    before = schema_of(raw_db())
    half = Migration(
        "half of a change",
        (
            "CREATE TABLE extra (x INTEGER) STRICT",
            "INSERT INTO extra VALUES (1)",
            "ALTER TABLE sessions ADD COLUMN half INTEGER",
            "UPDATE sessions SET label = 'changed'",
            "INSERT INTO no_such_table VALUES (1)",
        ),
    )

    with pytest.raises(MigrationFailed) as error:
        await Registry.open(v1_registry, migrations=(*MIGRATIONS, half))

    text = one_sentence(error.value)
    assert f"v{CURRENT + 1}" in text and f"unchanged at v{CURRENT}" in text and "no_such_table" in text
    conn = raw_db()
    assert conn.execute("PRAGMA user_version").fetchone() == (CURRENT,)
    assert schema_of(conn) == before
    async with await Registry.open(v1_registry) as registry:  # and the old code still opens it as the writer
        assert not registry.read_only
        assert (await registry.get_session("pk-funded")).label == ""


async def test_migrations_from_scratch_commit_one_version_at_a_time(data_dir: Path, raw_db) -> None:
    broken = Migration("broken", ("CREATE TABLE fine (x INTEGER)", "SELECT * FROM nowhere"))
    with pytest.raises(MigrationFailed):
        await Registry.open(data_dir, migrations=(*MIGRATIONS, broken))

    conn = raw_db()
    assert conn.execute("PRAGMA user_version").fetchone() == (CURRENT,)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'fine'").fetchone() == (0,)


async def test_a_migration_that_orphans_rows_is_rolled_back(v1_registry: Path, raw_db) -> None:
    orphaning = Migration(
        "point a transaction at no session",
        (
            "INSERT INTO transactions (session_id, kind, intent, status, signature, raw_tx, "
            "last_valid_block_height, created_at, updated_at) "
            "VALUES (999, 'x', '{}', 'pending', 'sig-orphan', x'01', 1, '', '')",
        ),
    )
    with pytest.raises(MigrationFailed, match="transactions"):
        await Registry.open(v1_registry, migrations=(*MIGRATIONS, orphaning))

    conn = raw_db()
    assert conn.execute("PRAGMA user_version").fetchone() == (CURRENT,)
    assert conn.execute("SELECT count(*) FROM transactions").fetchone() == (0,)


async def test_each_migration_commits_together_with_its_user_version(v1_registry: Path, db_path: Path) -> None:
    """The statement order that makes a kill between DDL and version bump impossible."""
    conn = await aiosqlite.connect(db_path, isolation_level=None)
    try:
        statements: list[str] = []
        await conn.set_trace_callback(statements.append)
        assert await migrate(conn, db_path, CURRENT, (*MIGRATIONS, ADD_NOTE, ADD_FLAG)) == CURRENT + 2
    finally:
        await conn.close()

    start, end = statements.index("PRAGMA foreign_keys = OFF"), statements.index("PRAGMA foreign_keys = ON")
    migrating = statements[start + 1 : end]  # noqa: E203
    assert migrating == [
        "BEGIN IMMEDIATE",
        "PRAGMA user_version",  # another process may have applied it meanwhile
        *ADD_NOTE.statements,
        "PRAGMA foreign_key_check",
        f"PRAGMA user_version = {CURRENT + 1}",
        "COMMIT",
        "BEGIN IMMEDIATE",
        "PRAGMA user_version",
        *ADD_FLAG.statements,
        "PRAGMA foreign_key_check",
        f"PRAGMA user_version = {CURRENT + 2}",
        "COMMIT",
    ]


async def test_an_existing_registry_is_backed_up_before_it_is_migrated(v1_registry: Path, raw_db) -> None:
    previous_umask = os.umask(0)
    try:
        async with await Registry.open(v1_registry, migrations=(*MIGRATIONS, ADD_NOTE)) as registry:
            assert registry.schema_version == CURRENT + 1
    finally:
        os.umask(previous_umask)

    backups = v1_registry / "backups"
    [backup] = os.listdir(backups)
    assert backup.startswith(f"registry-v{CURRENT}-") and backup.endswith("Z.sqlite3")
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700
    assert stat.S_IMODE((backups / backup).stat().st_mode) == 0o600
    copy = sqlite3.connect(backups / backup)
    try:
        assert copy.execute("PRAGMA user_version").fetchone() == (CURRENT,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT pubkey, status FROM sessions").fetchall() == [("pk-funded", "active")]
        assert "note" not in [row[1] for row in copy.execute("PRAGMA table_info(sessions)")]
    finally:
        copy.close()
    assert "note" in [row[1] for row in raw_db().execute("PRAGMA table_info(sessions)")]

    async with await Registry.open(v1_registry, migrations=(*MIGRATIONS, ADD_NOTE)):
        pass
    assert len(os.listdir(backups)) == 1  # nothing to migrate, nothing to back up


async def test_disk_full_during_a_write_changes_nothing(v1_registry: Path, raw_db, one_sentence) -> None:
    async with await Registry.open(v1_registry, max_page_count=1) as registry:  # capped at its current size
        with pytest.raises(RegistryDiskFull) as error:
            await registry.record_transaction(
                "pk-funded",
                kind="deposit",
                intent="{}",
                signature="sig-big",
                raw_tx=b"\xff" * 2**20,
                last_valid_block_height=1,
            )
        with pytest.raises(RegistryDiskFull):
            await registry.upsert_markets(perp_market(i) for i in range(5000))  # one batch, too big to fit
        assert "disk is full; free space and retry; nothing was changed" in one_sentence(error.value)
        assert await registry.get_transaction("sig-big") is None
        assert await registry.list_markets("localnet") == []
        # The failed transactions were rolled back: the same connection still commits.
        await registry.update_session("pk-funded", label="still writable")

    conn = raw_db()
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT pubkey, status, label FROM sessions").fetchall() == [
        ("pk-funded", "active", "still writable")
    ]


async def test_disk_full_during_a_migration_leaves_the_old_schema(data_dir: Path, raw_db, one_sentence) -> None:
    with pytest.raises(RegistryDiskFull) as error:
        await Registry.open(data_dir, max_page_count=3)
    one_sentence(error.value)

    conn = raw_db()
    assert conn.execute("PRAGMA user_version").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    conn.close()
    async with await Registry.open(data_dir) as registry:  # with room again, the same file migrates
        assert registry.schema_version == len(MIGRATIONS)


async def test_a_migration_another_process_applied_meanwhile_is_skipped(v1_registry: Path, db_path: Path) -> None:
    """Two processes may open an old registry at once; both read its version before either migrates."""
    first = await aiosqlite.connect(db_path, isolation_level=None)
    second = await aiosqlite.connect(db_path, isolation_level=None)
    try:
        newer = (*MIGRATIONS, ADD_NOTE)
        assert await migrate(first, db_path, CURRENT, newer) == CURRENT + 1
        # The second saw CURRENT too: it must not run ADD COLUMN again (that would fail as a duplicate).
        assert await migrate(second, db_path, CURRENT, newer) == CURRENT + 1
    finally:
        await first.close()
        await second.close()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (CURRENT + 1,)
        assert [row[1] for row in conn.execute("PRAGMA table_info(sessions)")].count("note") == 1
    finally:
        conn.close()
