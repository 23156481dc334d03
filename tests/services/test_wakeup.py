"""A loop's wait for its wakeup or its poll interval: it returns on either with the wakeup
cleared, and a cancellation that arrives in the same moment the wakeup is set still cancels
(with `asyncio.wait_for` on Python 3.11 it was lost: the watcher's loop ran on, and whoever
cancelled it waited for it to end forever)."""

import asyncio
import time

import pytest

from rekt_tui.services.wakeup import woken_or_timed_out


async def test_a_cancellation_as_the_wakeup_is_set_still_cancels():
    wakeup = asyncio.Event()
    waiting = asyncio.create_task(woken_or_timed_out(wakeup, 5.0))
    await asyncio.sleep(0)  # it waits now
    wakeup.set()  # a snapshot wakes it ...
    waiting.cancel()  # ... as its owner stops it
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_it_returns_on_the_wakeup_or_after_the_interval_with_the_wakeup_cleared():
    wakeup = asyncio.Event()
    wakeup.set()
    started = time.monotonic()
    await woken_or_timed_out(wakeup, 5.0)
    assert time.monotonic() - started < 1.0 and not wakeup.is_set()
    started = time.monotonic()
    await woken_or_timed_out(wakeup, 0.2)
    assert time.monotonic() - started >= 0.2 and not wakeup.is_set()
