"""R2 and R6 through the real binary: a second instance writes; a lost registry is refused, then rebuilt."""

import json
import os

import pytest

from rekt_tui.config import load_settings
from rekt_tui.registry import Registry
from rekt_tui.services.registry_rebuild import rebuild_from_keystore

pytestmark = pytest.mark.slow


async def test_a_second_instance_writes_while_another_holds_the_registry(cli):
    first = cli("wallet", "new").out.strip()
    other = await Registry.open(cli.data_dir)  # as the cockpit, open for its whole life
    try:
        created = cli("wallet", "new")
        assert created.code == 0, created.err
        assert "read-only" not in created.err
        listed = cli("sessions", "--json")
        assert sorted(s["pubkey"] for s in listed.json()) == sorted([first, created.out.strip()])
        assert len(await other.list_sessions()) == 2  # and the open one sees the new row at once
    finally:
        await other.close()


async def test_a_truncated_registry_is_refused_then_rebuilt_from_the_keystore(cli, tmp_path):
    pubkeys = sorted(cli("wallet", "new").out.strip() for _ in range(2))
    registry_file = cli.data_dir / "registry.sqlite3"
    os.truncate(registry_file, 0)

    for command in (["sessions", "--json"], ["wallet", "new"], ["wallet", "export", pubkeys[0], str(tmp_path / "k.json")]):
        refused = cli(*command, stdin="EXPORT\n")
        assert refused.code != 0 and "Traceback" not in refused.err, command
        [line] = refused.err.strip().splitlines()
        assert str(registry_file) in line and "recover --rebuild" in line, line
    assert registry_file.stat().st_size == 0  # nothing silently recreated
    assert not (tmp_path / "k.json").exists()

    # The registry part of `recover --rebuild` (the chain part is the reconcile that follows it).
    config = tmp_path / "empty.toml"
    config.touch()
    settings = load_settings(
        config_path=config, environ={}, flags={"data_dir": cli.data_dir, "keystore_backend": "localnet-file"}
    )
    result = await rebuild_from_keystore(settings)
    assert (sorted(result.added), result.kept, result.moved_aside) == (pubkeys, 0, None)

    listed = cli("sessions", "--json")
    assert listed.code == 0, listed.err
    assert sorted((s["pubkey"], s["status"], s["cluster"]) for s in listed.json()) == [
        (pubkey, "active", "localnet") for pubkey in pubkeys
    ]
    exported = cli("wallet", "export", pubkeys[0], str(tmp_path / "k.json"), stdin="EXPORT\n")
    assert exported.code == 0, exported.err
    assert len(json.loads((tmp_path / "k.json").read_text())) == 64
