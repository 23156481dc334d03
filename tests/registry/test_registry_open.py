"""Opening the registry: file modes, PRAGMAs, several writers within a process, corruption."""

import os
import stat
from pathlib import Path

import pytest

from rekt_tui.domain.records import MarketType
from rekt_tui.domain.session import SessionStatus
from rekt_tui.registry import (
    MIGRATIONS,
    Migration,
    RegistryCorrupt,
    RegistryError,
    RegistryNeedsUpgrade,
    RegistryReadOnly,
    Registry,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask():
    """Umask 0, so only the code's own choices can make files private."""
    previous = os.umask(0)
    yield
    os.umask(previous)


async def test_files_are_private_whatever_the_umask(data_dir: Path, db_path: Path, permissive_umask) -> None:
    async with await Registry.open(data_dir) as registry:
        await registry.create_session(pubkey="pk", cluster="localnet", label="", key_backend="k")
        files = {name: mode(data_dir / name) for name in os.listdir(data_dir)}

    assert mode(data_dir) == 0o700
    assert files == {
        "registry.sqlite3": 0o600,
        "registry.sqlite3-wal": 0o600,
        "registry.sqlite3-shm": 0o600,
        "registry.id": 0o600,
    }


async def test_every_connection_gets_the_durability_pragmas(data_dir: Path) -> None:
    async with await Registry.open(data_dir) as writer:
        pragmas = {}
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
            async with writer._conn.execute(f"PRAGMA {name}") as cursor:
                pragmas[name] = (await cursor.fetchone())[0]
        assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 5000}

        async with await Registry.open(data_dir, read_only=True) as reader:
            for name, expected in (("foreign_keys", 1), ("busy_timeout", 5000), ("query_only", 1)):
                async with reader._conn.execute(f"PRAGMA {name}") as cursor:
                    assert (await cursor.fetchone())[0] == expected, name


async def test_fresh_registry_is_at_the_latest_schema(data_dir: Path, raw_db) -> None:
    async with await Registry.open(data_dir) as registry:
        assert (registry.schema_version, registry.read_only_reason) == (len(MIGRATIONS), None)
        assert not registry.read_only
        assert registry.path == data_dir / "registry.sqlite3"
    conn = raw_db()
    assert conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {
        "sessions",
        "balance_snapshots",
        "position_snapshots",
        "markets",
        "orders",
        "transactions",
        "teardown_steps",
        "registry_identity",
        "records",
        "record_cursors",
        "loss_limits",
        "alerts",
        "pending_brackets",
    }
    assert not (data_dir / "backups").exists()  # nothing to back up on a new registry


async def test_a_second_registry_in_the_same_process_writes_too(data_dir: Path) -> None:
    async with await Registry.open(data_dir) as first:
        await first.create_session(pubkey="pk", cluster="localnet", label="", key_backend="k")
        async with await Registry.open(data_dir) as second:
            assert (second.read_only, second.read_only_reason) == (False, None)
            await second.set_session_status("pk", SessionStatus.ACTIVE)
            assert (await first.get_session("pk")).status is SessionStatus.ACTIVE
    assert not (data_dir / "registry.lock").exists()  # no process-wide writer lock any more


async def test_read_only_on_request_refuses_writes(data_dir: Path, one_sentence) -> None:
    async with await Registry.open(data_dir) as writer:
        await writer.create_session(pubkey="pk", cluster="localnet", label="", key_backend="k")
    async with await Registry.open(data_dir, read_only=True) as reader:
        assert reader.read_only_reason == "this rekt-tui opened the registry read-only on request"
        async with await Registry.open(data_dir) as writer:
            assert not writer.read_only
            await writer.update_session("pk", label="seen by the reader")
            assert (await reader.get_session("pk")).label == "seen by the reader"
        with pytest.raises(RegistryReadOnly) as refused:
            await reader.upsert_markets([])
        assert "without read-only mode" in one_sentence(refused.value)
        assert await reader.list_markets("localnet", market_type=MarketType.PERP) == []


async def test_read_only_open_of_a_missing_registry_creates_nothing(data_dir: Path, one_sentence) -> None:
    with pytest.raises(RegistryError) as error:
        await Registry.open(data_dir, read_only=True)
    assert str(data_dir) in one_sentence(error.value)
    assert not data_dir.exists()


async def test_read_only_open_refuses_a_schema_it_would_have_to_migrate(data_dir: Path, one_sentence) -> None:
    async with await Registry.open(data_dir):
        pass
    newer = (*MIGRATIONS, Migration("add a table", ("CREATE TABLE extra (x INTEGER) STRICT",)))
    with pytest.raises(RegistryNeedsUpgrade) as error:
        await Registry.open(data_dir, read_only=True, migrations=newer)
    current = len(MIGRATIONS)
    assert f"v{current}" in one_sentence(error.value) and f"v{current + 1}" in str(error.value)


def corrupt_garbage(db_path: Path) -> None:
    db_path.write_bytes(bytes(range(256)) * 32)


def corrupt_truncated_header(db_path: Path) -> None:
    os.truncate(db_path, 60)


def corrupt_middle_page(db_path: Path) -> None:
    with db_path.open("r+b") as file:
        file.seek(db_path.stat().st_size - 3 * 4096)
        file.write(b"\xa5" * 4096)


@pytest.mark.parametrize("damage", [corrupt_garbage, corrupt_truncated_header, corrupt_middle_page])
async def test_a_damaged_registry_is_refused_and_left_as_it_was(
    data_dir: Path, db_path: Path, one_sentence, damage
) -> None:
    async with await Registry.open(data_dir) as registry:
        for n in range(300):  # enough rows for several pages
            await registry.create_session(pubkey=f"pk{n}", cluster="localnet", label="x" * 50, key_backend="k")
    damage(db_path)
    damaged = db_path.read_bytes()

    for read_only in (False, True):
        with pytest.raises(RegistryCorrupt) as error:
            await Registry.open(data_dir, read_only=read_only)
        text = one_sentence(error.value)
        # No backup was ever made, so the message must not send the user to a folder that is not there.
        assert str(db_path) in text and "backups" not in text and "recover --rebuild" in text
    assert not (data_dir / "backups").exists()

    # Once a backup exists, the message names the folder that holds it.
    (data_dir / "backups").mkdir()
    (data_dir / "backups" / "registry-v2-20250101T000000.000000Z.sqlite3").write_bytes(b"")
    with pytest.raises(RegistryCorrupt) as error:
        await Registry.open(data_dir)
    assert f"restore the newest copy from {data_dir / 'backups'}" in one_sentence(error.value)

    assert db_path.read_bytes() == damaged


async def test_a_failed_open_leaves_the_registry_openable(data_dir: Path, db_path: Path) -> None:
    data_dir.mkdir()
    corrupt_garbage(db_path)
    with pytest.raises(RegistryCorrupt):
        await Registry.open(data_dir)
    db_path.unlink()
    async with await Registry.open(data_dir) as registry:
        assert not registry.read_only


async def test_a_relative_data_dir_works_for_writer_and_reader(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    async with await Registry.open(Path("relative")) as writer:
        await writer.create_session(pubkey="pk", cluster="localnet", label="", key_backend="k")
    async with await Registry.open(Path("relative"), read_only=True) as reader:
        assert [s.pubkey for s in await reader.list_sessions()] == ["pk"]


async def test_a_data_dir_that_cannot_be_a_folder_is_one_sentence(tmp_path: Path, one_sentence) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(RegistryError) as error:
        await Registry.open(blocker / "data")
    assert str(blocker / "data") in one_sentence(error.value)
    assert blocker.read_text() == "not a folder"
