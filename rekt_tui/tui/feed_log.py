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
from typing import TYPE_CHECKING

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.orders import format_duration
from rekt_tui.tui.formatting import feed_event_line

if TYPE_CHECKING:
    from rekt_tui.tui.activity import Severity

CALM = (FeedState.CONNECTED, FeedState.CONNECTING)


class FeedLog:
    """Says feed events through `record`, each outage's lines once; `clock` tells the time."""

    def __init__(self, record: Callable[[str, Severity], None], clock: Callable[[], float] = time.monotonic) -> None:
        self._record = record
        self._clock = clock
        self._outages: dict[str, tuple[float, set[str]]] = {}  # feed -> (since, lines said)

    def event(self, event: FeedEvent) -> None:
        line = feed_event_line(event)
        outage = self._outages.get(event.feed)
        if outage is None and event.state not in CALM:
            outage = self._outages[event.feed] = (self._clock(), set())
        if outage is not None:
            if line in outage[1]:
                return  # said already in this outage: the feed is still retrying
            outage[1].add(line)
        self._record(line, "information" if event.state in CALM else "warning")

    def freshness(self, feed: str, stale: bool) -> None:
        """The feed's verdict now: stale data starts an outage; fresh data ends it, and when
        anything was said about it, one line says how long it lasted."""
        if stale:
            self._outages.setdefault(feed, (self._clock(), set()))
            return
        outage = self._outages.pop(feed, None)
        if outage is not None and outage[1]:
            lasted = format_duration(round(self._clock() - outage[0]))
            self._record(f"{feed} feed live again after {lasted} without data", "information")
