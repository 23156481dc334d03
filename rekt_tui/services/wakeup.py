"""Waiting for a wakeup or a poll interval, whichever comes first, without losing a cancellation.

Python 3.11's `asyncio.wait_for` returns normally when it is cancelled in the same moment
the awaited event is set: the cancellation is lost, and a loop that waits this way (the
watcher's, the cockpit's balances) runs on forever while whoever cancelled it waits for it
to end. `asyncio.timeout` raises the cancellation whatever else happened.
"""

import asyncio
import contextlib


async def woken_or_timed_out(wakeup: asyncio.Event, timeout_s: float) -> None:
    """Return once `wakeup` is set or `timeout_s` has passed, with `wakeup` cleared for the next round."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout_s):
            await wakeup.wait()
    wakeup.clear()
