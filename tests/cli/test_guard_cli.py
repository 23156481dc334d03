"""`rekt-tui guard` as a user runs it against a localnet process: it logs the breach the
oracle causes, a second guard on the session is refused, the breach survives a SIGKILL and
a relaunch (and `order` is refused exit-only meanwhile), SIGTERM ends it cleanly, and only
a typed `--lift` lifts the limit."""

import asyncio
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest

from rekt_tui.domain.records import Direction
from rekt_tui.services.container import Services
from tests.cli.test_recovery_cli import chain_cli, registry_rows, rpc  # noqa: F401 - a fixture
from tests.services.teardown_setup import SOL, USDC, Book, funded_session, settings_for

pytestmark = pytest.mark.slow

ONE_LONG = ((0, Direction.LONG, SOL, 150 * USDC, 100),)
LIMIT_ENV = {"REKT_LOSS_LIMIT__UNIT": "usd", "REKT_LOSS_LIMIT__SESSION_MAX": "5",
             "REKT_LOSS_LIMIT__MEASURED_FROM": "start"}  # fmt: skip


def trading_session(chain_cli) -> str:
    """A funded session holding 1 SOL long, with trading started, set up in this process."""

    async def setup() -> str:
        services = await Services.open(settings_for(chain_cli.data_dir, **chain_cli.urls))
        try:
            link = await funded_session(services, Book(usdc=1_000 * USDC, positions=ONE_LONG, resting=()))
            now = datetime.now(UTC)
            await services.registry.update_session(link.pubkey, trading_started_at=now, referrer_verified_at=now)
            await link.close()
            return link.pubkey
        finally:
            await services.close()

    return asyncio.run(setup())


class Guard:
    """A `rekt-tui guard` process whose stdout lines a thread collects as they come."""

    def __init__(self, chain_cli, env: dict) -> None:
        command = [sys.executable, "-m", "rekt_tui", "--data-dir", str(chain_cli.data_dir), "guard"]
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            reading = self._reader.is_alive()  # before the scan: a line read after it is seen next time
            for line in list(self.lines):
                if text in line:
                    return line
            if time.monotonic() > deadline or not reading:
                self.kill()
                raise AssertionError(f"guard never printed {text!r}; it printed {self.lines}; {self.proc.stderr.read()}")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=15)


def test_guard_breach_survives_sigkill_and_relaunch_and_only_a_typed_lift_lifts_it(chain_cli):
    pubkey = trading_session(chain_cli)
    env = dict(chain_cli.env, **LIMIT_ENV)
    guard = Guard(chain_cli, env)
    relaunched = None
    try:
        guard.wait_for(f"Guarding session {pubkey} on localnet")
        guard.wait_for("Loss limit: watching; equity")
        second = chain_cli("guard", env=env, timeout=20)
        assert second.code == 1 and f"Another guard (pid {guard.proc.pid}) already watches session {pubkey}" in second.err

        rpc(chain_cli.urls["rpc_url"], "rekt_setOraclePrice", ["SOL-PERP", "140"])  # 1 SOL long: $10 down
        breach = guard.wait_for("CRITICAL loss_limit:")
        assert "breaking the session loss limit of $5 from the session's start" in breach
        guard.wait_for("Loss limit: EXIT-ONLY since")
        guard.proc.send_signal(signal.SIGKILL)
        assert guard.proc.wait(timeout=15) == -signal.SIGKILL
        [(scope, sentence)] = registry_rows(chain_cli.data_dir, "SELECT breach_scope, breach_sentence FROM loss_limits")
        assert scope == "session" and "$5" in sentence

        signed = registry_rows(chain_cli.data_dir, "SELECT count(*) FROM transactions")
        refused = chain_cli("order", "SOL-PERP", "buy", "0.1", "--yes", env=env)
        assert refused.code == 1 and "the session is exit-only" in refused.err, refused.err
        assert registry_rows(chain_cli.data_dir, "SELECT count(*) FROM transactions") == signed

        relaunched = Guard(chain_cli, env)
        relaunched.wait_for("Loss limit: EXIT-ONLY since")
        relaunched.proc.send_signal(signal.SIGTERM)
        assert relaunched.proc.wait(timeout=15) == 0
        relaunched.wait_for("Guard stopped after")

        kept = chain_cli("guard", "--lift", stdin="yes\n", env=env)
        assert kept.code == 1 and "Lift cancelled; the session stays exit-only." in kept.err
        lifted = chain_cli("guard", "--lift", stdin="lift\n", env=env)
        assert lifted.code == 0 and f"Loss limit lifted for session {pubkey}" in lifted.out, lifted.err
        assert registry_rows(chain_cli.data_dir, "SELECT breach_scope, lifted_at IS NOT NULL FROM loss_limits") == [
            (None, 1)
        ]
        again = chain_cli("guard", "--lift", stdin="lift\n", env=env)
        assert again.code == 1 and "is not breached; there is nothing to lift" in again.err
    finally:
        guard.kill()
        if relaunched is not None:
            relaunched.kill()
