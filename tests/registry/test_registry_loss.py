"""Fault matrix R6: a registry that vanished, was emptied, swapped or rolled back is refused at open.

Each case is a real file operation on a real registry; the refusal is one sentence
that names the fix, and nothing is created or changed by the refused open.
"""

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from rekt_tui.registry import Registry, RegistryLost


def stamp(data_dir: Path) -> dict:
    return json.loads((data_dir / "registry.id").read_text())


async def written(data_dir: Path, *pubkeys: str) -> None:
    async with await Registry.open(data_dir) as registry:
        for pubkey in pubkeys:
            await registry.create_session(pubkey=pubkey, cluster="localnet", label="", key_backend="k")


def refused_text(error: pytest.ExceptionInfo, one_sentence) -> str:
    text = one_sentence(error.value)
    assert "recover --rebuild" in text and "nothing was opened" in text
    return text


async def test_every_write_is_counted_in_the_registry_and_in_registry_id(data_dir: Path, raw_db) -> None:
    await written(data_dir, "a", "b")
    generation = raw_db().execute("SELECT generation FROM registry_identity").fetchone()[0]
    assert generation == 2
    assert stamp(data_dir)["generation"] == 2
    assert oct((data_dir / "registry.id").stat().st_mode & 0o777) == oct(0o600)


@pytest.mark.parametrize("lose", ["truncate", "delete"])
async def test_an_emptied_or_deleted_registry_is_refused_not_recreated(
    data_dir: Path, db_path: Path, lose: str, one_sentence
) -> None:
    await written(data_dir, "funded")
    if lose == "truncate":
        os.truncate(db_path, 0)
    else:
        db_path.unlink()
    for read_only in (False, True):
        with pytest.raises(RegistryLost) as error:
            await Registry.open(data_dir, read_only=read_only)
        assert str(db_path) in refused_text(error, one_sentence)
    if lose == "truncate":
        assert db_path.stat().st_size == 0
    assert sorted(os.listdir(data_dir)) == sorted(["registry.id"] + (["registry.sqlite3"] if lose == "truncate" else []))


async def test_another_registry_put_in_its_place_is_refused(tmp_path: Path, data_dir: Path, db_path: Path, one_sentence) -> None:
    await written(data_dir, "funded")
    other = tmp_path / "other"
    await written(other, "x", "y", "z")  # a later generation, but another registry
    shutil.copyfile(other / "registry.sqlite3", db_path)
    with pytest.raises(RegistryLost) as error:
        await Registry.open(data_dir)
    assert "another registry" in refused_text(error, one_sentence)


async def test_an_old_copy_put_back_is_refused(data_dir: Path, db_path: Path, tmp_path: Path, one_sentence) -> None:
    await written(data_dir, "first")
    shutil.copyfile(db_path, tmp_path / "old.sqlite3")
    await written(data_dir, "second")
    shutil.copyfile(tmp_path / "old.sqlite3", db_path)
    with pytest.raises(RegistryLost) as error:
        await Registry.open(data_dir)
    assert "rolled back (1 writes, but 2 were committed" in refused_text(error, one_sentence)


async def test_a_deleted_wal_after_a_kill_is_refused(
    data_dir: Path, db_path: Path, spawn_worker, read_line, one_sentence
) -> None:
    """Commits acknowledged by a writer that was then killed live only in the WAL; losing it is a rollback."""
    await written(data_dir)  # the schema, checkpointed into the main file on close
    writer = spawn_worker("write", data_dir, 1)
    assert read_line(writer) == "READY"
    for n in range(3):
        assert read_line(writer) == f"ACK {n}"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=15)
    assert (data_dir / "registry.sqlite3-wal").stat().st_size > 0
    for suffix in ("-wal", "-shm"):
        (data_dir / f"registry.sqlite3{suffix}").unlink()
    with pytest.raises(RegistryLost) as error:
        await Registry.open(data_dir)
    assert "rolled back" in refused_text(error, one_sentence)


async def test_a_rebuild_adopts_the_file_on_purpose_and_later_opens_pass(data_dir: Path, db_path: Path) -> None:
    await written(data_dir, "funded")
    os.truncate(db_path, 0)
    async with await Registry.open(data_dir, adopt=True) as registry:
        assert await registry.list_sessions() == []
        await registry.create_session(pubkey="rebuilt", cluster="localnet", label="", key_backend="k")
    async with await Registry.open(data_dir) as registry:
        assert [s.pubkey for s in await registry.list_sessions()] == ["rebuilt"]


async def test_a_registry_from_before_registry_id_is_adopted_and_a_lagging_stamp_catches_up(
    data_dir: Path, db_path: Path
) -> None:
    await written(data_dir, "a", "b", "c")
    (data_dir / "registry.id").unlink()  # as a data dir written by an older rekt-tui
    async with await Registry.open(data_dir) as registry:
        assert len(await registry.list_sessions()) == 3
    assert stamp(data_dir)["generation"] == 3
    # A crash between a commit and its stamp leaves registry.id behind: that is safe and heals.
    lagging = {**stamp(data_dir), "generation": 1}
    (data_dir / "registry.id").write_text(json.dumps(lagging))
    await written(data_dir, "d")
    assert stamp(data_dir)["generation"] == 4


async def test_a_damaged_registry_id_is_one_sentence(data_dir: Path, one_sentence) -> None:
    await written(data_dir, "a")
    (data_dir / "registry.id").write_text("{not json")
    with pytest.raises(Exception) as error:
        await Registry.open(data_dir)
    assert "registry.id" in one_sentence(error.value)
