"""Stop-and-withdraw against its docs/PERFORMANCE.md budget: 3 positions and 2 open orders to
an archived session on a localnet with 400 ms slots (makers and keeper running).

Times `TeardownService.run` from its first read of the chain to the archived session,
over a few fresh sessions, and prints each step's share of the last run.

Run: python -m benchmarks.teardown
"""

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.stats import report
from rekt_tui.domain.records import TeardownStepStatus
from rekt_tui.services.container import Services
from rekt_tui.services.teardown import TeardownService
from tests.localnet.conftest import start_localnet
from tests.services.teardown_setup import funded_session, settings_for

SLOT_MS = 400
RUNS = 3
BUDGET = "≤ 5000 ms (docs/PERFORMANCE.md: 3 positions + 2 orders at 400 ms slots)"


async def one_run(services: Services) -> tuple[float, list[tuple[str, float]]]:
    link = await funded_session(services)
    steps, started = [], time.perf_counter()
    last = started
    try:
        async for event in TeardownService(services).run(link):
            if event.state is not TeardownStepStatus.RUNNING:
                now = time.perf_counter()
                steps.append((event.step.value if event.step else "teardown", (now - last) * 1000))
                last = now
    finally:
        await link.close()
    return (time.perf_counter() - started) * 1000, steps


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        chain = await start_localnet(root / "data", slot_ms=SLOT_MS, market_life=True)  # the product's data dir holds the ledger
        settings = settings_for(
            root / "data", rpc_url=chain.rpc_url, ws_url=chain.ws_url, dlob_url=chain.dlob_url,
            dlob_ws_url=chain.dlob_ws_url,
        )  # fmt: skip
        services = await Services.open(settings)
        try:
            totals = []
            for _ in range(RUNS):
                total, steps = await one_run(services)
                totals.append(total)
        finally:
            await services.close()
            await chain.stop()
    report("stop-and-withdraw, 3 positions + 2 orders", totals, BUDGET)
    for step, elapsed in steps:
        print(f"  {step:<20} {elapsed:8.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
