"""Backfill one session's history one transaction per batch, in its own process, so a test
can SIGKILL it at any moment. Prints READY once connected, BATCH after each batch the
registry stored, then DONE.

Usage: backfill_worker.py DATA_DIR PUBKEY RPC_URL WS_URL DLOB_URL DLOB_WS_URL VENUE
"""

import asyncio
import sys
from pathlib import Path
from types import SimpleNamespace

from rekt_tui.services.container import Services
from rekt_tui.services.history import backfill
from rekt_tui.services.link import connect_venue, pick_session
from tests.services.test_orders_service import settings_for


async def main(data_dir: str, pubkey: str, rpc: str, ws: str, dlob: str, dlob_ws: str, venue: str) -> None:
    chain = SimpleNamespace(rpc_url=rpc, ws_url=ws, dlob_url=dlob, dlob_ws_url=dlob_ws)
    services = await Services.open(settings_for(chain, Path(data_dir), venue))
    try:
        venue = await connect_venue(services, await pick_session(services, pubkey), secret=None)
        store = services.registry.add_records

        async def store_and_tell(*args, **kwargs):  # the real registry stores; the test hears when
            added = await store(*args, **kwargs)
            print("BATCH", flush=True)
            return added

        services.registry.add_records = store_and_tell
        print("READY", flush=True)
        try:
            await backfill(services.registry, venue, pubkey, batch_size=1)
        finally:
            await venue.close()
        print("DONE", flush=True)
    finally:
        await services.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
