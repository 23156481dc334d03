"""R2: while one rekt-tui holds the registry, a second opens it read-only and says so."""

import pytest

from rekt_tui.registry import Registry

pytestmark = pytest.mark.slow


async def test_second_instance_is_read_only(cli):
    pubkey = cli("wallet", "new").out.strip()
    writer = await Registry.open(cli.data_dir)
    try:
        listed = cli("sessions", "--json")
        assert listed.code == 0, listed.err
        assert [s["pubkey"] for s in listed.json()] == [pubkey]
        assert "read-only" in listed.err

        refused = cli("wallet", "new")
        assert refused.code == 1 and "Traceback" not in refused.err
        assert "read-only" in refused.err.strip().splitlines()[-1]
    finally:
        await writer.close()
    assert len(cli("sessions", "--json").json()) == 1
    assert cli("wallet", "new").code == 0
