"""The DriftClient built from a cluster profile talks to the localnet; unknown programs are refused."""

import pytest
from driftpy.constants.config import DRIFT_PROGRAM_ID
from solders.keypair import Keypair

from rekt_tui.config import load_settings
from rekt_tui.domain.errors import UsageError
from rekt_tui.drift.client import DRIFTPY_PROGRAM_ID, Endpoint, build_client, check_supported
from tests.localnet.conftest import start_localnet

pytestmark = pytest.mark.slow


def test_program_id_constant_matches_driftpy():
    assert DRIFTPY_PROGRAM_ID == str(DRIFT_PROGRAM_ID)


def test_another_program_id_is_refused_in_one_sentence():
    relaunch = Endpoint("mainnet", "https://rpc.example.org", "11111111111111111111111111111111")
    with pytest.raises(UsageError, match="only speaks to dRifty"):
        check_supported(relaunch)


async def test_client_from_the_localnet_profile_reads_markets(tmp_path):
    handle = await start_localnet(tmp_path / "chain", slot_ms=50)
    (tmp_path / "empty.toml").write_text("")
    settings = load_settings(config_path=tmp_path / "empty.toml", environ={}, flags={"data_dir": tmp_path})
    profile = settings.clusters["localnet"]
    endpoint = Endpoint("localnet", handle.rpc_url, profile.program_id, profile.lookup_tables)
    client = build_client(endpoint, Keypair())
    try:
        await client.account_subscriber.subscribe()
        tables = await client.fetch_market_lookup_table_accounts()
        assert [str(table.key) for table in tables] == list(profile.lookup_tables)
        assert client.get_perp_market_account(0).market_index == 0
        assert client.get_spot_market_account(1).decimals == 9
    finally:
        await client.account_subscriber.unsubscribe()
        await client.connection.close()
        await handle.stop()
