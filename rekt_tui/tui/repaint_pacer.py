"""The repaint pacer: pending updates of several kinds, applied on a shared tick or at once.

Every application of updates costs the screen a frame, and each frame's compositor renders
every widget inside the bounding box of what changed. Kinds paced on their own each flush at
their own moments, so four kinds at 20–30/s write about 40 frames a second, each covering most
of the screen. Here the costly kinds (the panels) share one tick: a flush applies the newest
pending update of every kind that is due, so a burst costs at most one frame per tick. A kind
may ask for a slower cadence than the tick; it then joins only the ticks its cadence allows.

A few kinds are cheap to paint and read first (the HUD's figures): while the feed is calm each
is applied as soon as it comes, at most 60 times a second, in a small frame of its own that no panel
work holds back. The shared tick waits a little longer after the first update of a bunch, so
the panels paint once the bunch is in, behind the HUD's frames.

Under a flood (some kind offered more than twice a tick, so that most of its updates could
never be shown) every kind shares the tick and the tick may slow to a flood rate: a frame costs
the same whatever it shows, so a flood holding the tick at its fastest costs the most CPU for
changes nobody can read. Updates at the chain's own pace are no flood.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any

FLOOD_WINDOW_S = 0.25  # how long a kind's offers are counted before the pacer judges the rate
FLOOD_OFFERS_PER_TICK = 2  # offers of one kind a tick, on average over the window, beyond which it floods
FLOOD_EARLIEST_S = 0.1  # the shortest stretch of a window a flood is judged on (a slot's bunch is no flood)
# An at-once kind's least interval: one 60 Hz frame, more often than a terminal shows anyway; no
# longer, so that a slot's second snapshot (a few ms after its first) never delays the next slot's.
AT_ONCE_EVERY_S = 1 / 60


class RepaintPacer:
    """Applies the newest pending update of each kind on a shared tick, at most `hz` ticks a second.

    The first update after a quiet tick is applied `gather_s` after it arrives (as soon as the
    queue allows when 0), so updates that come in a bunch land in one frame; later ones wait for
    the next tick, and only the newest of each kind survives. A kind in `cadences` is applied
    at most that many times a second on average (its due times keep their own grid, so ticks that
    fall between them do not slow it further). A kind in `at_once` skips the tick while no kind
    floods: it is applied as soon as the queue allows, at most 60 times a second (`AT_ONCE_EVERY_S`). `soon` runs
    a callback after pending messages, `later` after a delay (Textual's timers refuse zero);
    `clock` tells the time. While some kind floods (offered more than `FLOOD_OFFERS_PER_TICK`
    times a tick over a `FLOOD_WINDOW_S` window) every kind shares the tick, which comes at most
    `flood_hz` a second (by default `hz`). While `shown` is false (what the updates draw is
    covered), nothing is applied and the newest of each kind waits for `resume`. `ticks` counts
    flushes (frames asked for); `flushes` counts each kind's applications.
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
        at_once: Collection[str] = (),
    ) -> None:
        self._soon = soon
        self._shown = shown
        self._later = later
        self._clock = clock
        self._calm_tick_s = self._tick_s = 1 / hz
        self._gather_s = gather_s
        self._flood_tick_s = 1 / min(flood_hz or hz, hz)
        self._offered: Counter[str] = Counter()  # offers of each kind in the window
        self.flooded = False  # some kind floods: every kind then shares the (slower) tick
        self._window_start = -math.inf
        self._every_s = {kind: 1 / min(rate, hz) for kind, rate in (cadences or {}).items()}
        self._pending: dict[str, Callable[[], None]] = {}
        self._due: dict[str, float] = {}  # when a slower kind may next be applied
        self._last_tick = -self._tick_s
        self._scheduled_at: float | None = None  # the tick a callback is queued for; earlier ones replace it
        self._at_once = frozenset(at_once)
        self._applied_at: dict[str, float] = {}  # when each at-once kind was last applied on its own
        self._queued_at_once: set[str] = set()  # at-once kinds with a callback queued
        self.ticks = 0
        self.flushes: Counter[str] = Counter()

    def offer(self, kind: str, apply: Callable[[], None]) -> None:
        """Keep `apply` as `kind`'s newest update; the tick that is due for it runs it."""
        self._pending[kind] = apply
        self._offered[kind] += 1
        now = self._clock()
        self._judge_flood(now)
        if kind in self._at_once and not self.flooded:
            self._queue_at_once(kind, self._applied_at.get(kind, -math.inf) + AT_ONCE_EVERY_S - now)
            return
        self._schedule(max(self._last_tick + self._tick_s, self._due.get(kind, -math.inf), now + self._gather_s))

    def _queue_at_once(self, kind: str, delay: float) -> None:
        if kind in self._queued_at_once:
            return  # the queued callback takes the newest
        self._queued_at_once.add(kind)
        self._run_in(delay, partial(self._apply_at_once, kind))

    def _run_in(self, delay: float, callback: Callable[[], None]) -> None:
        """After `delay`, or after pending messages when it is due already (timers refuse zero)."""
        if delay > 0:
            self._later(delay, callback)
        else:
            self._soon(callback)

    def _apply_at_once(self, kind: str) -> None:
        self._queued_at_once.discard(kind)
        if kind not in self._pending or not self._shown():
            return  # applied by a tick meanwhile, or held for `resume`
        if self.flooded:  # a flood began meanwhile: the kind shares the tick
            self._schedule(self._last_tick + self._tick_s)
            return
        self._applied_at[kind] = self._clock()
        self.ticks += 1
        self.flushes[kind] += 1
        self._pending.pop(kind)()

    def _schedule(self, at: float) -> None:
        if self._scheduled_at is not None and self._scheduled_at <= at:
            return  # a tick at or before then is queued already
        self._scheduled_at = at
        self._run_in(at - self._clock(), partial(self._tick, at))

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
        """The tick is the flood rate's while some kind floods. A flood is seen as soon as a kind's
        offers outrun the window so far (at least `FLOOD_EARLIEST_S` of it); its end, only at the
        end of a window."""
        window = now - self._window_start
        ticks = max(window, FLOOD_EARLIEST_S) / self._calm_tick_s
        flooded = max(self._offered.values(), default=0) > FLOOD_OFFERS_PER_TICK * ticks
        if window < FLOOD_WINDOW_S:
            if flooded and not self.flooded:
                self.flooded, self._tick_s = True, self._flood_tick_s
            return
        self.flooded = flooded
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
