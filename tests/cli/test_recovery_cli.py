"""`rekt-tui stop`, `sweep` and `recover` as a user runs them, against a localnet process.

R1: the real `rekt-tui stop` is SIGKILLed at each teardown point of its first
transaction (the first reduce-only close) — before it is broadcast, after the broadcast, after
it landed, and after it was recorded but before the teardown step was — and then
`rekt-tui recover` shows the session needing recovery and `rekt-tui stop --yes`
converges to zero with exactly one landed transaction per effect, in the registry and
on chain.
"""

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rekt_tui.domain.records import Direction
from rekt_tui.services.container import Services
from tests.conftest import Cli
from tests.localnet.conftest import free_port_pair
from tests.services.teardown_setup import SOL, USDC, Book, funded_session, settings_for

pytestmark = pytest.mark.slow

CRASH_AT = Path(__file__).parents[1] / "services" / "crash_at.py"
SLOT_MS = 100
TWO_POSITIONS = ((0, Direction.LONG, SOL, 150 * USDC, 100), (2, Direction.SHORT, SOL // 20, 3_500 * USDC, 10_000))


def rpc(url: str, method: str, params=None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["result"]


@pytest.fixture
def chain_cli(cli):
    """A localnet process on free ports, and `rekt-tui` configured for it."""
    port, dlob = free_port_pair(), free_port_pair()
    urls = dict(
        rpc_url=f"http://127.0.0.1:{port}", ws_url=f"ws://127.0.0.1:{port + 1}",
        dlob_url=f"http://127.0.0.1:{dlob}", dlob_ws_url=f"ws://127.0.0.1:{dlob}/ws",
    )  # fmt: skip
    env = dict(cli.env, **{f"REKT_CLUSTERS__LOCALNET__{name.upper()}": url for name, url in urls.items()})
    runner = Cli(cli.home, cli.data_dir, env)
    runner.urls = urls
    command = [sys.executable, "-m", "rekt_tui", "--data-dir", str(cli.data_dir), "localnet", "--slot-ms", str(SLOT_MS)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            if rpc(urls["rpc_url"], "getHealth") == "ok":
                break
        except OSError:
            assert time.monotonic() < deadline, "the localnet did not start"
            time.sleep(0.1)
    yield runner
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=15)


def open_session(chain_cli, book: Book) -> str:
    """A funded session with collateral and positions, set up in this process (then closed)."""

    async def setup() -> str:
        services = await Services.open(settings_for(chain_cli.data_dir, **chain_cli.urls))
        try:
            link = await funded_session(services, book)
            await link.close()
            return link.session.pubkey
        finally:
            await services.close()

    return asyncio.run(setup())


def registry_rows(data_dir: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(f"file:{data_dir / 'registry.sqlite3'}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def landed_per_kind(chain_cli) -> dict[str, int]:
    """Transactions that landed without error, per kind, as the chain reports every recorded signature."""
    rows = registry_rows(chain_cli.data_dir, "SELECT kind, signature FROM transactions")
    statuses = rpc(chain_cli.urls["rpc_url"], "getSignatureStatuses",
                   [[s for _, s in rows], {"searchTransactionHistory": True}])["value"]  # fmt: skip
    counts: dict[str, int] = {}
    for (kind, _), status in zip(rows, statuses):
        if status is not None and status["err"] is None:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def crash_stop(chain_cli, qualname: str, event: str) -> int:
    command = [sys.executable, str(CRASH_AT), qualname, event, "--", "--data-dir", str(chain_cli.data_dir), "stop",
               "--yes"]  # fmt: skip
    return subprocess.run(command, env=chain_cli.env, capture_output=True, text=True, timeout=60).returncode


@pytest.mark.parametrize(
    ("qualname", "event", "status_at_crash"),
    [
        ("TransactionSender._broadcast", "call", "pending"),  # persisted, never broadcast
        ("_now", "call", "pending"),  # broadcast, not yet recorded as sent
        ("TransactionSender._settle", "call", "sent"),  # landed, the registry not yet told
        ("user_slot", "call", "confirmed"),  # recorded, the teardown step not yet
    ],
)
def test_kill_stop_at_each_point_then_recover_and_stop_converge(chain_cli, qualname, event, status_at_crash):
    pubkey = open_session(chain_cli, Book(usdc=1_000 * USDC, positions=TWO_POSITIONS, resting=()))
    assert crash_stop(chain_cli, qualname, event) == -signal.SIGKILL
    ((status, signature),) = registry_rows(
        chain_cli.data_dir, "SELECT status, signature FROM transactions WHERE kind = 'close_position'"
    )
    assert status == status_at_crash
    assert registry_rows(chain_cli.data_dir, "SELECT status FROM teardown_steps ORDER BY seq") == [
        ("done",), ("running",)
    ]
    time.sleep(0.5)  # five slots: a broadcast transaction has landed by now
    on_chain = rpc(chain_cli.urls["rpc_url"], "getSignatureStatuses", [[signature]])["value"][0]
    assert (on_chain is not None) is (qualname != "TransactionSender._broadcast")

    recovered = chain_cli("recover", "--json")
    assert recovered.code == 1, recovered.err
    (item,) = recovered.json()
    assert item["pubkey"] == pubkey and item["needs_recovery"] and item["suggested_action"] == "recover"
    in_flight = status_at_crash in ("pending", "sent")
    assert item["resumed"] == ([{"signature": signature, "kind": "close_position", "outcome": "landed"}]
                               if in_flight else [])  # fmt: skip

    stopped = chain_cli("stop", "--yes")
    assert stopped.code == 0, stopped.err
    assert "archive: done" in stopped.out and "Drift $0.00 • Referrer linked ✓" in stopped.out
    (after,) = chain_cli("recover", "--json").json()
    assert after["status"] == "archived" and not after["needs_recovery"]
    assert after["holds"] == {**after["holds"], "collateral_quote": 0, "open_orders": 0, "positions": 0,
                              "unsettled_pnl_quote": 0, "borrowed": False}  # fmt: skip
    assert landed_per_kind(chain_cli) == {
        "initialize": 1, "deposit": 1, "place_order": 2, "close_position": 2, "settle_pnl": 1, "withdraw": 1
    }
    steps = registry_rows(chain_cli.data_dir, "SELECT DISTINCT run_id FROM teardown_steps")
    assert len(steps) == 1


def test_stop_asks_first_then_sweep_and_recover(chain_cli):
    pubkey = open_session(chain_cli, Book(usdc=50 * USDC, positions=(), resting=()))
    refused = chain_cli("stop", stdin="no\n")
    assert refused.code == 1 and "Stop cancelled; nothing was signed." in refused.err
    assert registry_rows(chain_cli.data_dir, "SELECT count(*) FROM teardown_steps") == [(0,)]
    listed = chain_cli("recover")
    assert listed.code == 1 and pubkey in listed.out and "resume" in listed.out and "$50.00" in listed.out

    stopped = chain_cli("stop", "--session", pubkey, stdin="stop\n")
    assert stopped.code == 0, stopped.err
    assert [line.split(":")[0] for line in stopped.out.splitlines()] == ["pause_trading", "withdraw", "archive"]

    bad = chain_cli("sweep", "not-a-key")
    assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1 and "Traceback" not in bad.err
    destination = "11111111111111111111111111111112"
    swept = chain_cli("sweep", destination)
    assert swept.code == 0, swept.err
    assert rpc(chain_cli.urls["rpc_url"], "getBalance", [pubkey])["value"] == 0
    assert registry_rows(chain_cli.data_dir, "SELECT status FROM sessions") == [("withdrawn",)]
    assert chain_cli("recover", "--json").json() == []
