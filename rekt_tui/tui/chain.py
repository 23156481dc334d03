"""The cockpit loads the services that reach the chain after its first frame, in a thread.

Those services import driftpy, about 0.9 s of module code (its oracle module builds three
IDL coders when imported). At the top of the app that would come before the first frame
(docs/PERFORMANCE.md: an interactive frame within 1.5 s); imported by the first worker that
needs it, it would freeze the screen for as long. So the app starts the import in a
thread once its first frame is out, and every caller awaits that one load: a worker
that starts sooner (launch reconciliation) waits for the frame too, since the import
would otherwise share the interpreter with drawing it.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
from types import ModuleType

CHAIN_CALLS = "rekt_tui.tui.chain_calls"
BOOK_FEEDS = "rekt_tui.services.market_data"  # aiohttp: the order book runs with no session, yet not in frame one


class ChainLoader:
    """The one import of `chain_calls`, started by `first_frame_drawn` and awaited by every caller."""

    def __init__(self) -> None:
        self._first_frame: asyncio.Event | None = None
        self._load: asyncio.Task[ModuleType] | None = None

    def _task(self) -> asyncio.Task[ModuleType]:
        if self._load is None:  # created on the app's loop, on first use
            self._first_frame = asyncio.Event()
            self._load = asyncio.create_task(self._import())
        return self._load

    async def _import(self) -> ModuleType:
        assert self._first_frame is not None
        await self._first_frame.wait()
        chain_calls = await asyncio.to_thread(importlib.import_module, CHAIN_CALLS)
        # What start-up built (driftpy's and anchorpy's types and coders, Textual's styles) is
        # most of the heap and lives as long as the app; left in, every full collection
        # rescanned it and paused the loop for ~200 ms a few times in ten seconds.
        gc.freeze()
        return chain_calls

    def first_frame_drawn(self) -> None:
        """Called once the first frame is out: the import starts now, and the garbage
        collector, paused for the launch (`rekt_tui.cli`), runs again. What the launch built
        is frozen first, so the first collection does not walk all of it at once."""
        gc.freeze()
        gc.enable()
        self._task()
        assert self._first_frame is not None
        self._first_frame.set()

    async def first_frame(self) -> None:
        """Returns once the app's first frame is out."""
        self._task()
        assert self._first_frame is not None
        await self._first_frame.wait()

    async def book_feeds(self) -> ModuleType:
        """The order book feed's module, imported in a thread once the first frame is out."""
        await self.first_frame()
        return await asyncio.to_thread(importlib.import_module, BOOK_FEEDS)

    async def load(self) -> ModuleType:
        """`chain_calls`, once loaded. Shielded: a cancelled worker must not cancel the shared load."""
        return await asyncio.shield(self._task())

    @property
    def loaded(self) -> ModuleType:
        """`chain_calls` for code that runs only with a session linked: linking loaded it."""
        return self._task().result()

    @property
    def started(self) -> bool:
        """Whether the import has begun (it never does before the first frame)."""
        return self._first_frame is not None and self._first_frame.is_set()

    @staticmethod
    def keep_link_heap() -> None:
        """A followed account's first snapshot is in: what its link built (the venue client and
        its coders, the markets it decoded) lives as long as the link. Frozen like the launch's
        heap, it is no longer rescanned by each full collection: those paused the loop 13–28 ms
        a few times in ten seconds, the HUD's slowest frames. `release` thaws it when the link goes."""
        gc.freeze()

    @staticmethod
    def release() -> None:
        gc.unfreeze()  # the app or the link is done: what it held is garbage like any other
