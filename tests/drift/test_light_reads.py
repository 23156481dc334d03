"""`rekt-tui status` without driftpy: the same figures as the full driftpy path, on the real localnet.

A session with SOL and USDC collateral, three positions and two resting orders is read
both ways: `status --json` in a fresh interpreter (which must not load driftpy or anchorpy)
and the full link's status (driftpy's own margin math) in this process; every field must
agree. The keeper and makers run, so a read is retried when the chain moved in between.
"""

import json
import asyncio
import io
import sys
from contextlib import redirect_stdout
from asyncio.subprocess import PIPE

import pytest
from driftpy.addresses import get_perp_market_public_key, get_spot_market_public_key

from rekt_tui.cli.output import print_json, session_dict
from rekt_tui.cli.trading_views import status_dict
from solders.keypair import Keypair

from rekt_tui.drift import light_layout
from rekt_tui.drift.light_reads import open_light_venue
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.services.venue_factory import venue_config
from rekt_tui.services.status_reads import read_status
from tests.conftest import isolated_env
from tests.localnet.conftest import localnet  # noqa: F401 (a fixture)
from tests.services.teardown_setup import SOL, USDC, Book, funded_session, services, settings_for  # noqa: F401

pytestmark = pytest.mark.slow

STATUS = """\
import sys
from rekt_tui.cli import main
code = main(sys.argv[1:])
heavy = sorted(name for name in ("driftpy", "anchorpy", "aiohttp_retry") if name in sys.modules)
print("HEAVY", *heavy, file=sys.stderr)
sys.exit(code)
"""
# Figures of the moment (when it was read), not of the account.
MOMENT = ("slot", "received_at")


def document(status) -> dict:
    described = session_dict(status.session, trading_started_at=status.session.trading_started_at)
    made = status_dict(described, status.wallet_lamports, status.snapshot, status.checklist, status.markets)
    printed = io.StringIO()
    with redirect_stdout(printed):
        print_json(made)  # as the command prints it
    return json.loads(printed.getvalue())


def comparable(document: dict) -> dict:
    account = {k: v for k, v in (document["account"] or {}).items() if k not in MOMENT}
    session = {k: v for k, v in document["session"].items() if k != "updated_at"}
    return {**document, "account": account, "session": session}


async def cli_status(services, tmp_path, pubkey: str) -> tuple[dict, str]:  # noqa: F811
    """`status --json` in a fresh interpreter (the localnet serves from this process's loop meanwhile)."""
    profile = services.settings.profile
    config = tmp_path / "config.toml"
    config.write_text(
        'keystore_backend = "localnet-file"\n\n[clusters.localnet]\n'
        f'rpc_url = "{profile.rpc_url}"\nws_url = "{profile.ws_url}"\n'
        f'dlob_url = "{profile.dlob_url}"\ndlob_ws_url = "{profile.dlob_ws_url}"\n'
    )
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    args = ["--config", str(config), "--data-dir", str(services.settings.data_dir), "status", "--json", "--session", pubkey]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", STATUS, *args, env=isolated_env(home), stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return json.loads(out), err.decode().split("HEAVY", 1)[1].strip()


@pytest.mark.timeout(240)
async def test_status_equals_the_driftpy_path_without_loading_driftpy(services, tmp_path):  # noqa: F811
    link = await funded_session(services, Book(usdc=1_000 * USDC, sol=SOL))
    try:
        for _ in range(5):
            light, heavy = await cli_status(services, tmp_path, link.pubkey)
            full = document(await read_status(link))
            if comparable(light) == comparable(full):
                break
        assert heavy == "", f"status loaded {heavy}"
        assert len(full["positions"]) == 3 and len(full["orders"]) == 2
        assert full["account"]["sol_amount"] == SOL and full["account"]["usdc_amount"] > 0
        assert any(p["liquidation_price"] for p in full["positions"])  # a short has one
        for key in ("account", "positions", "orders", "checklist", "wallet_lamports", "ready_to_trade", "session"):
            assert comparable(light)[key] == comparable(full)[key], key
    finally:
        await link.close()


async def test_offsets_decode_what_driftpy_decodes(services):  # noqa: F811
    """Every field `light_layout` reads, against driftpy's IDL decoder on the same bytes."""
    link = await funded_session(services, Book(usdc=500 * USDC, sol=SOL, resting=((0, *Book().resting[0][1:]),)))
    try:
        client = link.venue.drift_client
        rpc = client.connection
        user_key = link.venue.account_address
        raw = (await rpc.get_account_info(client.get_user().user_public_key)).value.data
        ours, theirs = light_layout.decode_user(raw), client.program.coder.accounts.decode(raw)
        assert str(user_key) == str(client.get_user().user_public_key)
        for mine, drift in zip(ours.perp_positions, theirs.perp_positions, strict=True):
            for name in ("last_cumulative_funding_rate", "base_asset_amount", "quote_asset_amount",
                         "quote_break_even_amount", "quote_entry_amount", "open_bids", "open_asks", "lp_shares",
                         "market_index", "open_orders"):  # fmt: skip
                assert getattr(mine, name) == getattr(drift, name), name
        for mine, drift in zip(ours.spot_positions, theirs.spot_positions, strict=True):
            assert (mine.scaled_balance, mine.open_bids, mine.open_asks, mine.market_index, mine.open_orders) == (
                drift.scaled_balance, drift.open_bids, drift.open_asks, drift.market_index, drift.open_orders)
            assert mine.balance_type == type(drift.balance_type).__name__
        for mine, drift in zip(ours.orders, theirs.orders, strict=True):
            for name in ("slot", "price", "base_asset_amount", "base_asset_amount_filled", "trigger_price", "max_ts",
                         "order_id", "market_index", "user_order_id", "reduce_only", "post_only"):  # fmt: skip
                assert getattr(mine, name) == getattr(drift, name), name
            for name in ("status", "order_type", "market_type", "direction"):
                assert getattr(mine, name) == type(getattr(drift, name)).__name__, name
        assert (ours.total_deposits, ours.total_withdraws, ours.max_margin_ratio, ours.status) == (
            theirs.total_deposits, theirs.total_withdraws, theirs.max_margin_ratio, theirs.status)
        assert ours.margin_mode == type(theirs.margin_mode).__name__
        for market in client.get_perp_market_accounts():
            data = (await rpc.get_account_info(get_perp_market_public_key(client.program_id, market.market_index))).value.data
            mine = light_layout.decode_perp_market(data)
            amm = market.amm
            assert (mine.oracle, mine.oracle_source) == (str(amm.oracle), type(amm.oracle_source).__name__)
            assert (mine.status, mine.contract_type) == (type(market.status).__name__, type(market.contract_type).__name__)
            for name in ("cumulative_funding_rate_long", "cumulative_funding_rate_short", "order_step_size",
                         "order_tick_size", "min_order_size"):  # fmt: skip
                assert getattr(mine, name) == getattr(amm, name), name
            for name in ("market_index", "paused_operations", "unrealized_pnl_max_imbalance", "expiry_price",
                         "imf_factor", "unrealized_pnl_imf_factor", "margin_ratio_initial", "margin_ratio_maintenance",
                         "unrealized_pnl_initial_asset_weight", "unrealized_pnl_maintenance_asset_weight",
                         "quote_spot_market_index"):  # fmt: skip
                assert getattr(mine, name) == getattr(market, name), name
            assert mine.name == bytes(market.name).decode().strip()
        for market in client.get_spot_market_accounts():
            data = (await rpc.get_account_info(get_spot_market_public_key(client.program_id, market.market_index))).value.data
            mine = light_layout.decode_spot_market(data)
            history = market.historical_oracle_data
            assert (mine.oracle, mine.oracle_source) == (str(market.oracle), type(market.oracle_source).__name__)
            assert (mine.last_oracle_price_twap5min, mine.last_oracle_price_twap_ts) == (
                history.last_oracle_price_twap5min, history.last_oracle_price_twap_ts)
            for name in ("market_index", "deposit_balance", "cumulative_deposit_interest", "cumulative_borrow_interest",
                         "initial_asset_weight", "maintenance_asset_weight", "initial_liability_weight",
                         "maintenance_liability_weight", "imf_factor", "decimals", "scale_initial_asset_weight_start"):  # fmt: skip
                assert getattr(mine, name) == getattr(market, name), name
            oracle = (await rpc.get_account_info(market.oracle)).value.data
            assert light_layout.decode_prelaunch_price(oracle) == client.program.coder.accounts.decode(oracle).price
    finally:
        await link.close()


async def test_a_rate_limited_rpc_is_read_through_as_every_read_is(localnet, tmp_path):  # noqa: F811
    """Half the node's answers are HTTP 429: the light read waits and tries again, as driftpy's reads do."""
    config = venue_config(settings_for(tmp_path, rpc_url=localnet.rpc_url, ws_url=localnet.ws_url,
                                       dlob_url=localnet.dlob_url, dlob_ws_url=localnet.dlob_ws_url))  # fmt: skip
    admin = JsonRpc(localnet.rpc_url)
    try:
        await admin.call("rekt_setFaults", [{"http429": 0.5}])
        for _ in range(3):
            venue = await open_light_venue(config, str(Keypair().pubkey()))
            assert venue.snapshot() is None and await venue.wallet_lamports() == 0
            assert await venue.account_rent_lamports() > 0
    finally:
        await admin.call("rekt_setFaults", [{"http429": 0.0}])
        await admin.close()
