"""The repaint pacer: pending updates of several kinds, applied together on one shared tick.

Every application of updates costs the screen a frame, and each frame's compositor renders
every widget inside the bounding box of what changed. Kinds paced on their own each flush at
their own moments, so four kinds at 20–30/s write about 40 frames a second, each covering most
of the screen. Here all kinds share one tick: a flush applies the newest pending update of every
kind that is due, so a burst costs at most one frame per tick. A kind may ask for a slower
cadence than the tick (a costly panel); it then joins only the ticks its cadence allows.

Under a flood (some kind offered more than twice a tick, so that most of its updates could
never be shown) the tick may slow to a flood rate: a frame costs the same whatever it shows, so
a flood holding the tick at its fastest costs the most CPU for changes nobody can read. Updates
at the chain's own pace are no flood, and keep the faster tick.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

FLOOD_WINDOW_S = 0.25  # how long a kind's offers are counted before the pacer judges the rate
FLOOD_OFFERS_PER_TICK = 2  # offers of one kind a tick, on average over the window, beyond which it floods


class RepaintPacer:
    """Applies the newest pending update of each kind on a shared tick, at most `hz` ticks a second.

    The first update after a quiet tick is applied `gather_s` after it arrives (as soon as the
    queue allows when 0), so updates that come in a bunch land in one frame; later ones wait for the next tick, and only the newest of each kind survives. A kind in `cadences` is applied
    at most that many times a second on average (its due times keep their own grid, so ticks that
    fall between them do not slow it further). `soon` runs a callback after pending messages,
    `later` after a delay (Textual's timers refuse zero); `clock` tells the time. While some
    kind floods (offered more than `FLOOD_OFFERS_PER_TICK` times a tick over a `FLOOD_WINDOW_S`
    window) ticks come at most `flood_hz` a second (by default `hz`). While `shown`
    is false (what the updates draw is covered), ticks apply nothing and the newest of each kind
    waits for `resume`. `ticks` counts flushes (frames asked for); `flushes` counts each kind's
    applications.
    """

    def __init__(
        self,
        soon: Callable[[Callable[[], None]], Any],
        later: Callable[[float, Callable[[], None]], Any],
        hz: int,
        cadences: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        shown: Callable[[], bool] = lambda: True,
        flood_hz: int | None = None,
        gather_s: float = 0.0,
    ) -> None:
        self._soon = soon
        self._shown = shown
        self._later = later
        self._clock = clock
        self._calm_tick_s = self._tick_s = 1 / hz
        self._gather_s = gather_s
        self._flood_tick_s = 1 / min(flood_hz or hz, hz)
        self._offered: Counter[str] = Counter()  # offers of each kind in the window
        self._window_start = -math.inf
        self._every_s = {kind: 1 / min(rate, hz) for kind, rate in (cadences or {}).items()}
        self._pending: dict[str, Callable[[], None]] = {}
        self._due: dict[str, float] = {}  # when a slower kind may next be applied
        self._last_tick = -self._tick_s
        self._scheduled_at: float | None = None  # the tick a callback is queued for; earlier ones replace it
        self.ticks = 0
        self.flushes: Counter[str] = Counter()

    def offer(self, kind: str, apply: Callable[[], None]) -> None:
        """Keep `apply` as `kind`'s newest update; the tick that is due for it runs it."""
        self._pending[kind] = apply
        self._offered[kind] += 1
        self._schedule(max(self._last_tick + self._tick_s, self._due.get(kind, -math.inf), self._clock() + self._gather_s))

    def _schedule(self, at: float) -> None:
        if self._scheduled_at is not None and self._scheduled_at <= at:
            return  # a tick at or before then is queued already
        self._scheduled_at = at
        delay = at - self._clock()
        tick = partial(self._tick, at)
        if delay > 0:
            self._later(delay, tick)
        else:
            self._soon(tick)

    def _tick(self, at: float) -> None:
        if at != self._scheduled_at:
            return  # replaced by an earlier tick, which has run or will
        self._scheduled_at = None
        if not self._shown():
            return  # held, newest kept: `resume` applies it when the updates are seen again
        now = self._clock()
        due = [kind for kind in self._pending if self._due.get(kind, -math.inf) <= now]
        if due:
            self._last_tick = now
            self.ticks += 1
            self._judge_flood(now)
        try:
            for kind in due:
                self._next_due(kind, now)
                self.flushes[kind] += 1
                self._pending.pop(kind)()
        finally:  # an update that raised must not strand the others until the next offer
            if self._pending:
                earliest = min(self._due.get(kind, -math.inf) for kind in self._pending)
                self._schedule(max(self._last_tick + self._tick_s, earliest))

    def _judge_flood(self, now: float) -> None:
        """At the end of each window: the tick is the flood rate's while some kind floods."""
        window = now - self._window_start
        if window < FLOOD_WINDOW_S:
            return
        ticks = window / self._calm_tick_s
        flooded = max(self._offered.values(), default=0) > FLOOD_OFFERS_PER_TICK * ticks
        self._tick_s = self._flood_tick_s if flooded else self._calm_tick_s
        self._offered.clear()
        self._window_start = now

    def resume(self) -> None:
        """The updates are seen again (`shown` holds): apply what is pending at the next tick."""
        if self._pending:
            self._schedule(self._last_tick + self._tick_s)

    def _next_due(self, kind: str, now: float) -> None:
        every = self._every_s.get(kind)
        if every is None:
            return
        due = self._due.get(kind, now)
        # Keep the kind's own grid while it runs behind by less than a period (ticks fall
        # between its due times); after a quiet spell start the grid afresh.
        self._due[kind] = due + every if now - due < every else now + every
