"""The cockpit loads the services that reach the chain after its first frame, in a thread.

Those services import driftpy, about 0.9 s of module code (its oracle module builds three
IDL coders when imported). At the top of the app that would come before the first frame
(docs/PERFORMANCE.md: an interactive frame within 1.5 s); imported by the first worker that
needs it, it would freeze the screen for as long. So the app starts the import in a
thread once its first frame is out, and every caller awaits that one load: a worker
that starts sooner (launch reconciliation) waits for the frame too, since the import
would otherwise share the interpreter with drawing it.

A mixin of `RektApp`.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
from functools import cached_property
from types import ModuleType

CHAIN_CALLS = "rekt_tui.tui.chain_calls"


class ChainCalls:
    @cached_property
    def _first_frame(self) -> asyncio.Event:
        return asyncio.Event()

    @cached_property
    def _chain_load(self) -> asyncio.Task[ModuleType]:
        return asyncio.create_task(self._load_chain())

    async def _load_chain(self) -> ModuleType:
        await self._first_frame.wait()
        chain_calls = await asyncio.to_thread(importlib.import_module, CHAIN_CALLS)
        # What start-up built (driftpy's and anchorpy's types and coders, Textual's styles) is
        # most of the heap and lives as long as the app; left in, every full collection
        # rescanned it and paused the loop for ~200 ms a few times in ten seconds.
        gc.freeze()
        return chain_calls

    def on_unmount(self) -> None:
        gc.unfreeze()  # the app is done: what it held is garbage like any other

    def first_frame_drawn(self) -> None:
        """Called once the first frame is out: the import starts now."""
        self._first_frame.set()
        self._chain_load  # noqa: B018 - creating the task starts the import

    async def chain(self) -> ModuleType:
        """`chain_calls`, once loaded. Shielded: a cancelled worker must not cancel the shared load."""
        return await asyncio.shield(self._chain_load)

    @property
    def loaded_chain(self) -> ModuleType:
        """`chain_calls` for code that runs only with a session linked: linking loaded it."""
        return self._chain_load.result()
