"""`rebuild_registry`: rows back for known keys; survivors kept; an unreadable file moved aside, never deleted."""

import os
from pathlib import Path

from rekt_tui.domain.session import SessionStatus
from rekt_tui.registry import KnownKey, Registry, rebuild_registry


async def test_a_rolled_back_registry_keeps_its_rows_and_gets_the_missing_ones(data_dir: Path, db_path: Path, tmp_path: Path) -> None:
    async with await Registry.open(data_dir) as registry:
        await registry.create_session(pubkey="survivor", cluster="devnet", label="mine", key_backend="k")
    old = db_path.read_bytes()
    async with await Registry.open(data_dir) as registry:
        await registry.create_session(pubkey="lost", cluster="devnet", label="", key_backend="k")
    db_path.write_bytes(old)  # rolled back: "lost" is gone from the file

    result = await rebuild_registry(
        data_dir, [KnownKey("survivor", "devnet"), KnownKey("lost", "mainnet")], key_backend="secretservice"
    )
    assert (result.added, result.kept, result.moved_aside) == (("lost",), 1, None)
    async with await Registry.open(data_dir) as registry:  # adopted: opens without a refusal
        survivor, lost = await registry.get_session("survivor"), await registry.get_session("lost")
    assert (survivor.label, survivor.status) == ("mine", SessionStatus.KEY_PENDING)  # left as it was
    assert (lost.cluster, lost.status, lost.label, lost.key_backend) == (
        "mainnet", SessionStatus.ACTIVE, "rebuilt", "secretservice"
    )


async def test_an_unreadable_registry_is_moved_aside_and_a_new_one_built(data_dir: Path, db_path: Path) -> None:
    async with await Registry.open(data_dir) as registry:
        await registry.create_session(pubkey="a", cluster="localnet", label="", key_backend="k")
    garbage = bytes(range(256)) * 32
    db_path.write_bytes(garbage)
    result = await rebuild_registry(data_dir, [KnownKey("a", "localnet")], key_backend="k")
    assert result.added == ("a",) and result.moved_aside is not None
    assert result.moved_aside.read_bytes() == garbage
    assert result.moved_aside.parent == data_dir / "backups" and oct(os.stat(data_dir / "backups").st_mode & 0o777) == oct(0o700)
    async with await Registry.open(data_dir) as registry:
        assert [s.pubkey for s in await registry.list_sessions()] == ["a"]
