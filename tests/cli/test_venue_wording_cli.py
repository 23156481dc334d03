"""What the CLI says on the relaunch: a whole session on `--venue velocity` names the Velocity
account and USDT at every step, and never Drift's account or USDC, while the amounts stay those
typed. Drift's own wording is held by the Drift CLI tests (test_trading_cli, test_truth_cli)."""

import re

import pytest

from tests.cli.test_localnet_cli import localnet_cli  # noqa: F401 (a fixture)
from tests.cli.test_trading_cli import ok, refused

pytestmark = pytest.mark.slow


def test_a_velocity_session_says_velocity_and_usdt_from_airdrop_to_stop(localnet_cli):  # noqa: F811
    said: list[str] = []

    def rekt(*args: str, stdin: str | None = None):
        result = localnet_cli("--venue", "velocity", *args, **({} if stdin is None else {"stdin": stdin}))
        said.extend((result.out, result.err))
        return result

    pubkey = ok(rekt("wallet", "new"))
    ok(rekt("airdrop", "2", "SOL"))
    assert ok(rekt("airdrop", "150", "USDT")) == "150.000000 USDT"  # the wallet's balance of the quote
    refused(rekt("airdrop", "1", "USDC"), "Unknown asset 'USDC'; use SOL or USDT.")
    refused(rekt("deposit", "10", "USDT"), "This session has no Velocity account loaded")
    before = ok(rekt("status"))
    assert re.search(r"^velocity account\s+not initialized$", before, re.M), before
    assert "Velocity account initialized" in before and "No Velocity account yet" in before, before

    init = rekt("init")
    assert init.code == 0 and "Velocity account " in init.err and " is open; referrer " in init.err, init.err
    deposit = rekt("deposit", "100", "USDT")
    assert deposit.code == 0 and "Deposited 100 USDT; Velocity holds $" in deposit.err, deposit.err
    status = ok(rekt("status"))
    assert "Velocity holds $100.00 of collateral, at least the $10.00 minimum." in status, status

    refused(rekt("withdraw", "1000", "USDT", "--yes"), "Velocity holds 100 USDT for this session")
    refused(rekt("withdraw", "1", "USDC", "--yes"), "Unknown asset 'USDC'; use SOL or USDT.")
    withdrawn = rekt("withdraw", "10", "USDT", "--yes")
    assert withdrawn.code == 0 and "Velocity holds" in withdrawn.out and "10 USDT" in withdrawn.out, withdrawn.out

    ok(rekt("strategy", "balanced"))
    start = rekt("start", "--yes")
    assert start.code == 0 and "Start trading on Velocity with the balanced strategy" in start.err, start.err
    bought = rekt("order", "SOL-PERP", "buy", "0.1", "--yes")  # a taker filled as it lands has no chain order id
    ok(bought)
    assert re.search(r"^Order \(user order id \d+\) buy is filled\.$", bought.err, re.M), bought.err
    closed = rekt("close", "--all")  # its market order takes the book as it lands: its outcome is known
    assert closed.code == 0 and re.search(r"Reduce-only close \d+ landed \(filled\)\.", closed.err), closed.err
    stopped = rekt("stop", "--yes")
    assert stopped.code == 0, stopped.err
    assert "• Velocity $0.00 •" in stopped.out and "Withdrawn from Velocity: " in stopped.err, stopped.out
    assert " USDT" in stopped.err.split("Withdrawn from Velocity: ")[1].splitlines()[0], stopped.err
    report = ok(rekt("report", "--session", pubkey))
    assert "SOL deposited to Velocity" in report and "SOL withdrawn from Velocity" in report, report

    walk = "\n".join(said)
    for word in ("USDC", "Drift account", "Drift holds", "into Drift", "on Drift", "from Drift", "Drift $"):
        assert word not in walk.replace("'USDC'", ""), f"{word!r} in the velocity walk:\n{walk}"
