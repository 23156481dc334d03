"""Oracle update -> alert, and -> exit-only: in the watcher the cockpit runs, and end to end
through a `rekt-tui guard` process.

A session holds 1 SOL long on a localnet (400 ms slots, makers and keeper running) under a
$5 loss limit measured from its start. Each round moves the SOL-PERP oracle $10 down with
`rekt_setOraclePrice` and times, from that call, the moment the breach is in the registry
(exit-only: order planning refuses from then on) and the moment the loss-limit alert is
delivered; then lifts the limit for the next round. In process, the watcher is timed
directly; for `guard`, a second session's guard process is timed to the moment its stdout
line arrives here (its EXIT-ONLY line and its alert line). Reported in ms and in slots.

Run: python -m benchmarks.guard_latency [--rounds 5]
"""

import argparse
import asyncio
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from benchmarks.stats import report
from rekt_tui.config import Settings
from rekt_tui.config.models import LossLimitSettings
from rekt_tui.domain.alerts import Alert, AlertKind
from rekt_tui.domain.loss_limit import GuardState
from rekt_tui.domain.records import Direction
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.services.container import Services
from rekt_tui.services.link import SessionLink
from rekt_tui.services.notify import Notifier
from rekt_tui.services.watcher import Watcher
from tests.localnet.conftest import start_localnet
from tests.services.teardown_setup import SOL, USDC, Book, funded_session, settings_for

SLOT_MS = 400
BUDGET = f"≤ 2 slots = {2 * SLOT_MS} ms (issue 16: oracle update to alert and to exit-only)"
ONE_LONG = ((0, Direction.LONG, SOL, 150 * USDC, 100),)


REPO = Path(__file__).resolve().parents[1]
LINE_WAIT_S = 30


class GuardProcess:
    """`rekt-tui guard --session PUBKEY` on the localnet; a thread stamps each stdout line as it arrives."""

    def __init__(self, root: Path, settings: Settings, pubkey: str) -> None:
        profile = settings.profile
        urls = {"rpc_url": profile.rpc_url, "ws_url": profile.ws_url, "dlob_url": profile.dlob_url,
                "dlob_ws_url": profile.dlob_ws_url}  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("REKT_")}
        env.update(
            HOME=str(root), XDG_CONFIG_HOME=str(root / "config"), PYTHONPATH=str(REPO),
            REKT_KEYSTORE_BACKEND="localnet-file", REKT_LOSS_LIMIT__UNIT="usd", REKT_LOSS_LIMIT__SESSION_MAX="5",
            REKT_LOSS_LIMIT__MEASURED_FROM="start", REKT_ALERTS__FILLS="false",
            **{f"REKT_CLUSTERS__LOCALNET__{name.upper()}": str(url) for name, url in urls.items()},
        )  # fmt: skip
        command = [sys.executable, "-m", "rekt_tui", "--data-dir", str(settings.data_dir), "guard", "--session", pubkey]
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put((time.perf_counter(), line))

    async def wait_for(self, text: str) -> float:
        """When the next line holding `text` arrived (earlier lines are passed over)."""
        deadline = time.monotonic() + LINE_WAIT_S
        while True:
            try:
                at, line = self.lines.get_nowait()
            except queue.Empty:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"guard never printed {text!r}") from None
                await asyncio.sleep(0.005)
                continue
            if text in line:
                return at

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=15)


async def guard_rounds(root: Path, services: Services, pubkey: str, count: int) -> tuple[list[float], list[float]]:
    """Time a guard process, as `rounds` times the watcher in process."""
    admin = JsonRpc(services.settings.profile.rpc_url)
    guard = GuardProcess(root, services.settings, pubkey)
    to_alert, to_exit_only = [], []
    try:
        await guard.wait_for("Loss limit: watching; equity")
        for n in range(count):
            started = time.perf_counter()
            await admin.call("rekt_setOraclePrice", ["SOL-PERP", str(140 - 10 * n)])
            to_exit_only.append((await guard.wait_for("Loss limit: EXIT-ONLY since") - started) * 1000)
            to_alert.append((await guard.wait_for("CRITICAL loss_limit:") - started) * 1000)
            await services.registry.lift_loss_limit(pubkey, datetime.now(UTC))
            await guard.wait_for("Loss limit: watching; equity")  # the guard read the lift on its next tick
    finally:
        guard.stop()
        await admin.close()
    return to_alert, to_exit_only


async def rounds(services: Services, link: SessionLink, count: int) -> tuple[list[float], list[float]]:
    admin = JsonRpc(services.settings.profile.rpc_url)
    alerted: asyncio.Queue[float] = asyncio.Queue()
    exit_only: asyncio.Queue[float] = asyncio.Queue()

    def on_alert(alert: Alert) -> None:
        if alert.kind is AlertKind.LOSS_LIMIT:
            alerted.put_nowait(time.perf_counter())

    was_exit_only = [False]

    def on_state(state: GuardState) -> None:
        if state.exit_only and not was_exit_only[0]:  # the moment it becomes exit-only
            exit_only.put_nowait(time.perf_counter())
        was_exit_only[0] = state.exit_only

    notifier = Notifier(services.settings.alerts, session=link.pubkey, cluster="localnet", sink=on_alert, bell=None)
    watcher = Watcher(link, notifier, on_state=on_state)
    task = asyncio.create_task(watcher.run())
    to_alert, to_exit_only = [], []
    try:
        await asyncio.sleep(2 * SLOT_MS / 1000)  # the watcher's first reading starts the ledger
        for n in range(count):
            price = 140 - 10 * n
            started = time.perf_counter()
            await admin.call("rekt_setOraclePrice", ["SOL-PERP", str(price)])
            exit_at = await asyncio.wait_for(exit_only.get(), 30)
            alert_at = await asyncio.wait_for(alerted.get(), 30)
            to_exit_only.append((exit_at - started) * 1000)
            to_alert.append((alert_at - started) * 1000)
            await services.registry.lift_loss_limit(link.pubkey, datetime.now(UTC))
            await asyncio.sleep(2 * SLOT_MS / 1000)  # the watcher reads the lift on its next tick
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await notifier.close()
        await admin.close()
        await link.close()
    return to_alert, to_exit_only


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        chain = await start_localnet(root / "data", slot_ms=SLOT_MS, market_life=True)  # the product's data dir holds the ledger
        settings = settings_for(
            root / "data", rpc_url=chain.rpc_url, ws_url=chain.ws_url, dlob_url=chain.dlob_url,
            dlob_ws_url=chain.dlob_ws_url,
        )  # fmt: skip
        limit = LossLimitSettings(unit="usd", session_max=Decimal(5), measured_from="start")
        services = await Services.open(replace(settings, loss_limit=limit))
        try:
            # Both sessions open at $150; each path then moves the oracle down from there.
            book = Book(usdc=1_000 * USDC, positions=ONE_LONG, resting=())
            guarded, watched = await funded_session(services, book), await funded_session(services, book)
            await guarded.close()
            process_alert, process_exit_only = await guard_rounds(root, services, guarded.pubkey, count)
            admin = JsonRpc(chain.rpc_url)
            await admin.call("rekt_setOraclePrice", ["SOL-PERP", "150"])
            await admin.close()
            to_alert, to_exit_only = await rounds(services, watched, count)
        finally:
            await services.close()
            await chain.stop()
    report("oracle update -> exit-only (breach in registry)", to_exit_only, BUDGET)
    report("oracle update -> loss-limit alert delivered", to_alert, BUDGET)
    report("guard process: oracle update -> EXIT-ONLY line", process_exit_only, BUDGET)
    report("guard process: oracle update -> alert line", process_alert, BUDGET)
    for what, samples in (
        ("exit-only", to_exit_only), ("alert", to_alert),
        ("guard exit-only", process_exit_only), ("guard alert", process_alert),
    ):  # fmt: skip
        print(f"  {what:<16} in slots: " + " ".join(f"{ms / SLOT_MS:.2f}" for ms in samples))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    logging.getLogger("rekt_tui.services.notify").disabled = True  # the alerts' own log lines
    asyncio.run(main(parser.parse_args().rounds))
