"""Which of a feed's state changes reach the activity log: an outage is told once, not every retry.

A silent socket is dropped and opened again every `stale_after_s`, and each round says
stale, reconnecting and connected again: an outage of ten minutes would write a hundred
lines and push every fill and alert out of the log. Within one outage (from the feed's
first trouble until its data is fresh again) a line already said is not said again, and
when the data is fresh again one line says how long the feed went without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.orders import format_duration
from rekt_tui.tui.formatting import feed_event_line

if TYPE_CHECKING:
    from rekt_tui.tui.activity import Severity

CALM = (FeedState.CONNECTED, FeedState.CONNECTING)


@dataclass
class Outage:
    since: float
    said: set[str] = field(default_factory=set)  # the lines said during it
    warned: bool = False  # whether any said trouble: only then is its end news


class FeedLog:
    """Says feed events through `record`, each outage's lines once; `clock` tells the time."""

    def __init__(self, record: Callable[[str, Severity], None], clock: Callable[[], float] = time.monotonic) -> None:
        self._record = record
        self._clock = clock
        self._outages: dict[str, Outage] = {}

    def event(self, event: FeedEvent) -> None:
        line = feed_event_line(event)
        calm = event.state in CALM
        outage = self._outages.get(event.feed)
        if outage is None and not calm:
            outage = self._outages[event.feed] = Outage(self._clock())
        if outage is not None:
            if line in outage.said:
                return  # said already in this outage: the feed is still retrying
            outage.said.add(line)
            outage.warned |= not calm
        self._record(line, "information" if calm else "warning")

    def freshness(self, feed: str, stale: bool) -> None:
        """The feed's verdict now: stale data starts an outage; fresh data ends it, and when
        its trouble was said, one line says how long it lasted."""
        if stale:
            self._outages.setdefault(feed, Outage(self._clock()))
            return
        outage = self._outages.pop(feed, None)
        if outage is not None and outage.warned:
            lasted = format_duration(round(self._clock() - outage.since))
            self._record(f"{feed} feed live again after {lasted} without data", "information")
