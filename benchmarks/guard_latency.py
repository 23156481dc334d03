"""Oracle update -> alert, and -> exit-only, through the watcher `guard` and the cockpit share.

A session holds 1 SOL long on a localnet (400 ms slots, makers and keeper running) under a
$5 loss limit measured from its start. Each round moves the SOL-PERP oracle $10 down with
`rekt_setOraclePrice` and times, from that call, the moment the breach is in the registry
(exit-only: order planning refuses from then on) and the moment the loss-limit alert is
delivered; then lifts the limit for the next round. Reported in ms and in slots.

Run: python -m benchmarks.guard_latency [--rounds 5]
"""

import argparse
import asyncio
import logging
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from benchmarks.stats import report
from rekt_tui.config.models import LossLimitSettings
from rekt_tui.domain.alerts import Alert, AlertKind
from rekt_tui.domain.loss_limit import GuardState
from rekt_tui.domain.records import Direction
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.services.container import Services
from rekt_tui.services.notify import Notifier
from rekt_tui.services.watcher import Watcher
from tests.localnet.conftest import start_localnet
from tests.services.teardown_setup import SOL, USDC, Book, funded_session, settings_for

SLOT_MS = 400
BUDGET = f"≤ 2 slots = {2 * SLOT_MS} ms (issue 16: oracle update to alert and to exit-only)"
ONE_LONG = ((0, Direction.LONG, SOL, 150 * USDC, 100),)


async def rounds(services: Services, count: int) -> tuple[list[float], list[float]]:
    link = await funded_session(services, Book(usdc=1_000 * USDC, positions=ONE_LONG, resting=()))
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
        services = await Services.open(settings.model_copy(update={"loss_limit": limit}))
        try:
            to_alert, to_exit_only = await rounds(services, count)
        finally:
            await services.close()
            await chain.stop()
    report("oracle update -> exit-only (breach in registry)", to_exit_only, BUDGET)
    report("oracle update -> loss-limit alert delivered", to_alert, BUDGET)
    for what, samples in (("exit-only", to_exit_only), ("alert", to_alert)):
        print(f"  {what:<10} in slots: " + " ".join(f"{ms / SLOT_MS:.2f}" for ms in samples))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    logging.getLogger("rekt_tui.services.notify").disabled = True  # the alerts' own log lines
    asyncio.run(main(parser.parse_args().rounds))
