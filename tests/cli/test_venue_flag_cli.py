"""`rekt-tui --venue velocity` as a new user runs it on the localnet: the embedded localnet starts
with the relaunched program, and the session is opened with our referrer, funded, read and stopped."""

import json

import pytest

from tests.cli.test_localnet_cli import localnet_cli, rpc  # noqa: F401 (a fixture)
from tests.cli.test_trading_cli import ok

pytestmark = pytest.mark.slow
VELOCITY = "vELoC1audYbSYVRXn1vPaV8Axoa9oU6BYmNGZZBDZ1P"
REFERRER = "C4nN8P9G1NTRoXmtNUv6wE1x6jZXMGZ75af7LUxjHzQV"
STATE = "2etx5NvPNxeMZ7EfHE6GjJfW2imRYEUANehNS1WB4CVW"


def test_a_session_on_the_relaunch_from_init_to_archived(localnet_cli):  # noqa: F811
    def rekt(*args: str):
        return localnet_cli("--venue", "velocity", *args)

    pubkey = ok(rekt("wallet", "new"))
    ok(rekt("airdrop", "2", "SOL"))  # starts the localnet, running the relaunch
    state = rpc(localnet_cli.port, "getAccountInfo", [STATE, {"encoding": "base64"}])["value"]
    assert state is not None and state["owner"] == VELOCITY
    ok(rekt("airdrop", "100", "USDT"))
    init = rekt("init")
    assert init.code == 0 and f"referrer {REFERRER} verified" in init.err, init.err
    ok(rekt("deposit", "100", "USDT"))
    ok(rekt("deposit", "0.5", "SOL"))
    status = json.loads(ok(rekt("status", "--json")))
    assert status["account"]["usdc_amount"] == 100 * 10**6 and status["account"]["sol_amount"] == 5 * 10**8
    assert status["session"]["referrer"] == REFERRER and status["session"]["referrer_verified_at"]
    assert int(status["account"]["total_collateral"]) > 100 * 10**6
    stopped = ok(rekt("stop", "--yes"))
    assert "archive: done" in stopped and "Referrer linked ✓" in stopped
    assert json.loads(ok(rekt("status", "--session", pubkey, "--json")))["session"]["status"] == "archived"
