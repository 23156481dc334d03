"""The venue as a user meets it from the CLI: Drift's paused program and a program that is not
the layout this rekt-tui was built for.

The localnet plays the paused program (`rekt_setFaults {"pausedProgram": true}`: every Drift
instruction answers Anchor's error 101). Signing commands end in one sentence that names the
pause's date and the relaunch before anything is signed or recorded (the link's compatibility
check simulates one instruction, unsigned, and meets Anchor's 101), and the read-only commands
keep working; a State that says the exchange is paused reads the same
way. A State of another size, or another quote mint, refuses signing before anything is
recorded.
"""

import base64
import sqlite3

import pytest

from tests.cli.test_localnet_cli import localnet_cli, rpc  # noqa: F401 (a fixture)
from tests.cli.test_trading_cli import ok, refused, status

pytestmark = pytest.mark.slow

DRIFT = "dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH"


def rows(rekt) -> list[tuple]:
    with sqlite3.connect(rekt.data_dir / "registry.sqlite3") as db:
        return db.execute("SELECT kind, status, error_code, error_name, rebuild_of FROM transactions ORDER BY id").fetchall()


@pytest.fixture
def trading(localnet_cli):  # noqa: F811
    """A session that trades on the localnet: collateral in, checklist done."""
    assert localnet_cli("localnet", "start").code == 0
    ok(localnet_cli("wallet", "new"))
    ok(localnet_cli("airdrop", "2", "SOL"))
    ok(localnet_cli("init"))
    ok(localnet_cli("deposit", "1", "SOL"))
    ok(localnet_cli("strategy", "balanced"))
    ok(localnet_cli("start", "--yes"))
    yield localnet_cli
    rpc(localnet_cli.port, "rekt_clearFaults")


def test_the_paused_program_is_one_sentence_and_reads_keep_working(trading):
    before = rows(trading)
    assert rpc(trading.port, "rekt_setFaults", [{"pausedProgram": True}])["pausedProgram"] is True
    for command in (("order", "SOL-PERP", "buy", "0.1", "--yes"), ("deposit", "0.1", "SOL")):
        result = trading(*command)
        refused(result, "Drift's original program has answered every instruction since it was paused after the 2026-04-01 exploit")
        assert 'venue = "velocity"' in result.err and "--venue velocity" in result.err
        assert "refused before anything is signed" in result.err
    # The link's compatibility check simulated one instruction (nothing signed) and met Anchor's
    # 101: neither command built, signed or recorded a transaction.
    assert rows(trading) == before
    current = status(trading)
    assert current["session"]["status"] == "active" and int(current["account"]["total_collateral"]) > 0
    ok(trading("markets"))
    ok(trading("history"))
    recovered = trading("recover")  # a read: it names what to run, as on a live program
    assert recovered.code == 1 and recovered.err.strip() == "Recover with `rekt-tui stop --session PUBKEY`."


def test_a_state_that_says_paused_is_the_same_one_sentence(trading):
    rpc(trading.port, "rekt_pauseExchange", ["all"])
    try:
        result = trading("order", "SOL-PERP", "buy", "0.1", "--yes")
    finally:
        rpc(trading.port, "rekt_resumeExchange")
    refused(result, "ExchangePaused (6024): the program's State says the exchange is paused, as Drift's original program has been since the 2026-04-01 exploit")
    assert 'venue = "velocity"' in result.err
    assert rows(trading)[-1][1:4] == ("failed", 6024, "ExchangePaused")


def set_state_size(port: int, size: int) -> None:
    from driftpy.addresses import get_state_public_key
    from solders.pubkey import Pubkey

    state = str(get_state_public_key(Pubkey.from_string(DRIFT)))
    data = base64.b64decode(rpc(port, "getAccountInfo", [state, {"encoding": "base64"}])["value"]["data"][0])
    grown = base64.b64encode(data[:size] + bytes(max(0, size - len(data)))).decode()
    rpc(port, "rekt_setAccount", [state, {"owner": DRIFT, "data": grown}])


def test_a_program_of_another_layout_refuses_signing_before_anything_is_recorded(localnet_cli):  # noqa: F811
    rekt = localnet_cli
    assert rekt("localnet", "start").code == 0
    ok(rekt("wallet", "new"))
    ok(rekt("airdrop", "1", "SOL"))
    set_state_size(rekt.port, 1752)  # the relaunch's State
    refused(rekt("init"), "State is 1752 bytes where 992 bytes was expected")
    assert rows(rekt) == []
    ok(rekt("status"))  # reading still works
    set_state_size(rekt.port, 992)
    usdt = "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"
    result = rekt("init", env={**rekt.env, "REKT_CLUSTERS__LOCALNET__QUOTE_MINT": usdt})
    refused(result, f"where {usdt} was expected")
    assert "SpotMarket 0's mint" in result.err and rows(rekt) == []
    ok(rekt("init"))  # the same program with the right profile: the guard passes
    assert [row[:2] for row in rows(rekt)] == [("initialize", "confirmed")]


def test_a_venue_without_an_adapter_says_so(cli):
    result = cli("--cluster", "devnet", "markets", env={**cli.env, "REKT_CLUSTERS__DEVNET__VENUE": "elsewhere"})
    assert result.code == 2 and "`clusters.devnet.venue` input should be 'drift' or 'velocity'" in result.err
