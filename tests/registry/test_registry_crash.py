"""Fault matrix S1 and S2: SIGKILL a real writer process mid-write and mid-migration.

Kill moments come from a seeded random generator, so a failure replays the same
schedule. After each kill the file is checked below the API (integrity and foreign
keys) and through it (every acknowledged unit whole, nothing half-written).
"""

import random
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from rekt_tui.registry import REGISTRY_FILENAME, Registry

pytestmark = pytest.mark.slow

BULK_ROWS = 3_000_000  # about a second of inserting: a wide window to land a kill in


def kill(process: subprocess.Popen[str]) -> list[str]:
    """SIGKILL the worker and return everything it printed."""
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=15)
    assert process.returncode == -signal.SIGKILL, "the worker finished before it could be killed"
    return out.splitlines()


def check_file(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


async def test_sigkill_during_writes_loses_no_acknowledged_unit_and_tears_none(
    data_dir: Path, db_path: Path, spawn_worker, worker_module, read_line
) -> None:
    rng = random.Random(20250601)
    acked_by_round: dict[int, int] = {}
    kills_inside_a_unit = 0
    for round_ in range(8):
        worker = spawn_worker("write", data_dir, round_)
        assert read_line(worker) == "READY"
        time.sleep(rng.uniform(0.05, 0.6))
        acks = [int(line.split()[1]) for line in kill(worker) if line.startswith("ACK ")]
        assert acks == list(range(len(acks)))
        acked_by_round[round_] = len(acks)

        check_file(db_path)
        async with await Registry.open(data_dir) as registry:
            assert not registry.read_only  # the kernel dropped the dead writer's lock
            for past_round, acked in acked_by_round.items():
                for n in range(acked):
                    assert all(await worker_module.calls_committed(registry, past_round, n)), (past_round, n)
                # The unit in flight at the kill: each call committed whole or not at all, in order.
                in_flight = await worker_module.calls_committed(registry, past_round, acked)
                assert in_flight == sorted(in_flight, reverse=True), (past_round, in_flight)
                if past_round == round_ and any(in_flight):
                    kills_inside_a_unit += 1
                assert await registry.get_session(worker_module.unit_pubkey(past_round, acked + 1)) is None

    conn = sqlite3.connect(db_path)
    try:
        per_snapshot = conn.execute(
            "SELECT count(p.id) FROM balance_snapshots b LEFT JOIN position_snapshots p "
            "ON p.balance_snapshot_id = b.id GROUP BY b.id"
        ).fetchall()
    finally:
        conn.close()
    assert {count for (count,) in per_snapshot} <= {worker_module.POSITIONS_PER_SNAPSHOT}
    assert sum(acked_by_round.values()) >= 6, "kills came too early to exercise anything"
    assert kills_inside_a_unit >= 1, "no kill landed between the calls of a unit"


def schema_of(db_path: Path) -> tuple[int, list[tuple]]:
    conn = sqlite3.connect(db_path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        return version, conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


async def test_sigkill_mid_migration_leaves_the_schema_entirely_old_or_new(
    tmp_path: Path, spawn_worker, worker_module, read_line
) -> None:
    template = tmp_path / "template"
    async with await Registry.open(template) as registry:
        await registry.create_session(pubkey="pk-funded", cluster="devnet", label="", key_backend="secretservice")
    old_version, old_schema = schema_of(template / REGISTRY_FILENAME)

    rng = random.Random(7)
    outcomes = []
    for round_ in range(3):
        data_dir = tmp_path / f"round{round_}"
        data_dir.mkdir(mode=0o700)
        shutil.copy(template / REGISTRY_FILENAME, data_dir / REGISTRY_FILENAME)
        wal = data_dir / f"{REGISTRY_FILENAME}-wal"

        worker = spawn_worker("migrate", data_dir, BULK_ROWS)
        assert read_line(worker) == "OPENING"
        deadline = time.monotonic() + 15
        while not (wal.exists() and wal.stat().st_size > 2**21):  # the bulk insert is under way
            assert time.monotonic() < deadline and worker.poll() is None, "the migration never started"
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.3))
        outcomes.append("MIGRATED" in kill(worker))

        check_file(data_dir / REGISTRY_FILENAME)
        version, schema = schema_of(data_dir / REGISTRY_FILENAME)
        conn = sqlite3.connect(data_dir / REGISTRY_FILENAME)
        try:
            if version == old_version:
                assert schema == old_schema
            else:
                assert version == old_version + 1
                assert conn.execute("SELECT count(*) FROM bulk").fetchone() == (BULK_ROWS,)
                assert conn.execute("SELECT bulk_marker FROM sessions").fetchall() == [(7,)]
                assert conn.execute("SELECT count(*) FROM after_bulk").fetchone() == (0,)
            assert conn.execute("SELECT pubkey FROM sessions").fetchall() == [("pk-funded",)]
        finally:
            conn.close()
        [backup] = (data_dir / "backups").glob(f"registry-v{old_version}-*.sqlite3")
        assert schema_of(backup) == (old_version, old_schema)

    assert not all(outcomes), "every kill came after the migration finished"

    # A killed migration is simply run again on the next start.
    async with await Registry.open(data_dir, migrations=worker_module.long_migrations(BULK_ROWS)) as registry:
        assert registry.schema_version == old_version + 1
        assert [s.pubkey for s in await registry.list_sessions()] == ["pk-funded"]
    check_file(data_dir / REGISTRY_FILENAME)
