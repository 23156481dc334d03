"""T8 and the price band (B2) against a localnet process with its fault switches.

A failure after signing (Ctrl-C while an order is in flight, a 429 on the read after it
landed) names the signature and never says nothing was signed; a limit price far through
the oracle is refused with its numbers unless overridden.
"""

import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.cli.test_recovery_cli import chain_cli, rpc  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow


def ok(result) -> str:
    assert result.code == 0, (result.out, result.err)
    return result.out.strip()


@pytest.fixture
def trader(chain_cli):  # noqa: F811
    """A started session with $400 of USDC collateral."""
    ok(chain_cli("wallet", "new"))
    ok(chain_cli("airdrop", "1", "SOL"))
    ok(chain_cli("airdrop", "500", "USDC"))
    ok(chain_cli("init"))
    ok(chain_cli("deposit", "400", "USDC"))
    ok(chain_cli("strategy", "balanced"))
    ok(chain_cli("start", "--yes"))
    yield chain_cli
    rpc(chain_cli.urls["rpc_url"], "rekt_clearFaults")


def rows(cli) -> list[tuple[str, str, str]]:
    with sqlite3.connect(cli.data_dir / "registry.sqlite3") as db:
        return db.execute("SELECT signature, kind, status FROM transactions ORDER BY id").fetchall()


def faults(cli, **changes) -> None:
    rpc(cli.urls["rpc_url"], "rekt_setFaults", [changes])


def start_order(cli, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "rekt_tui", "--data-dir", str(cli.data_dir), "order", *args]
    # Ctrl-C as a terminal delivers it: a test runner's worker may ignore SIGINT, and an
    # ignored signal stays ignored in its children.
    return subprocess.Popen(command, env=cli.env, cwd=cli.home, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=_default_sigint)  # fmt: skip


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_row(cli, before: int, statuses: set[str], timeout: float = 30) -> tuple[str, str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = rows(cli)[before:]
        if found and found[0][2] in statuses:
            return found[0]
        time.sleep(0.01)
    raise AssertionError(f"no transaction reached {statuses}")


def test_ctrl_c_after_the_order_was_signed_names_it_and_exits_4(trader):
    before = len(rows(trader))
    # Sent, then held unconfirmed: the signal comes while the order is surely on its way.
    rpc(trader.urls["rpc_url"], "rekt_delayConfirmations", [400])
    order = start_order(trader, "SOL-PERP", "buy", "0.1", "--yes")
    signature, kind, _ = wait_for_row(trader, before, {"sent"})
    order.send_signal(signal.SIGINT)
    out, err = order.communicate(timeout=60)
    rpc(trader.urls["rpc_url"], "rekt_clearTransactionFaults", [])
    assert order.returncode == 4, err
    assert kind == "place_order" and signature in err and "rekt-tui recover" in err
    assert "nothing was signed" not in err and "Traceback" not in err
    assert err.startswith("rekt-tui: interrupted, after this command signed 1 transaction:")


def test_a_429_on_the_read_after_an_order_landed_never_turns_it_into_nothing(trader):
    before = len(rows(trader))
    faults(trader, latencyMs=300)
    order = start_order(trader, "SOL-PERP", "buy", "0.1", "--yes")
    signature, _, _ = wait_for_row(trader, before, {"confirmed"})
    faults(trader, http429=1.0)  # every read from here on is refused
    out, err = order.communicate(timeout=90)
    faults(trader, http429=0.0, latencyMs=0)
    assert "nothing was signed" not in err and "Traceback" not in err, err
    # The read after it is best-effort, so the order reports itself (0); should anything
    # else fail after the landing, the last-resort handler names it as landed (4).
    assert order.returncode in (0, 4), err
    assert signature in out if order.returncode == 0 else f"{signature}  place_order  landed" in err
    assert rows(trader)[before:] == [(signature, "place_order", "confirmed")]


def test_a_limit_price_far_through_the_oracle_needs_the_override(trader):
    before = rows(trader)
    refused = trader("order", "BTC-PERP", "sell", "0.001", "--type", "limit", "--price", "1", "--yes")
    assert refused.code == 1 and "Traceback" not in refused.err
    sentence = refused.err.strip().splitlines()[-1]
    assert re.search(r"The limit sell price \$1\.00 on BTC-PERP is 99\.9\d% below the oracle price \$1\d\d,", sentence)
    assert "10% price band" in sentence and "--allow-far-price" in sentence
    assert rows(trader) == before  # nothing signed

    far_sell = ("SOL-PERP", "sell", "0.1", "--type", "limit", "--price", "120", "--expire", "60", "--yes")
    assert re.search(r"is 1?\d\d(\.\d+)?% below the oracle price", trader("order", *far_sell).err)
    ok(trader("order", *far_sell, "--allow-far-price"))
    assert [kind for _, kind, _ in rows(trader)[len(before):]] == ["place_order"]
    widened = dict(trader.env, REKT_GUARDS__PRICE_BAND_PCT="30")
    ok(trader("order", *far_sell, "--allow-stacking", env=widened))
