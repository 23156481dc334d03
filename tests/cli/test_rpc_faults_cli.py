"""T7 as a user meets it: a rate-limited RPC never blocks getting out.

`rekt-tui` subprocesses against a `rekt-tui localnet start` localnet. With half of all
RPC requests answered HTTP 429 (driftpy's connect included), `stop` still converges
within 60 s; at 15 % every read command works.
"""

import time

import pytest

from tests.cli.test_localnet_cli import localnet_cli, rpc  # noqa: F401 (a fixture)
from tests.cli.test_trading_cli import ok, status, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def funded(localnet_cli):  # noqa: F811
    """An active session with collateral, a long and a resting limit order."""
    assert localnet_cli("localnet", "start").code == 0
    ok(localnet_cli("wallet", "new"))
    ok(localnet_cli("airdrop", "2", "SOL"))
    ok(localnet_cli("init"))
    ok(localnet_cli("deposit", "1", "SOL"))
    ok(localnet_cli("strategy", "balanced"))
    ok(localnet_cli("start", "--yes"))
    ok(localnet_cli("order", "SOL-PERP", "buy", "0.2", "--yes"))
    ok(localnet_cli("order", "SOL-PERP", "buy", "0.1", "--type", "limit", "--price", "100", "--allow-stacking", "--yes"))
    wait_for(localnet_cli, lambda s: s["positions"] and s["orders"], "the long and the resting order")
    yield localnet_cli
    rpc(localnet_cli.port, "rekt_clearFaults")


def test_reads_work_at_15_percent_429s(funded):
    rpc(funded.port, "rekt_setFaults", [{"http429": 0.15}])
    for _ in range(3):
        current = status(funded)
        assert current["positions"] and current["orders"]
    recovered = funded("recover")  # exit 1: a session holds funds, so it names what to run
    assert recovered.code == 1 and "Traceback" not in recovered.err
    assert recovered.err.strip() == "Recover with `rekt-tui stop --session PUBKEY`."


def test_stop_converges_at_50_percent_429s_within_60_s(funded):
    rpc(funded.port, "rekt_setFaults", [{"http429": 0.5}])
    started = time.monotonic()
    stopped = funded("stop", "--yes")
    took = time.monotonic() - started
    rpc(funded.port, "rekt_clearFaults")
    ok(stopped)
    assert took < 60, f"stop took {took:.1f} s"
    [session] = funded("sessions", "--json").json()
    assert session["status"] == "archived"  # archiving requires the chain to show nothing left
    final = funded("status", "--json", "--session", session["pubkey"]).json()
    assert not final["positions"] and not final["orders"] and final["session"]["status"] == "archived"
