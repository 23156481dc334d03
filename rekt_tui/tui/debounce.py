"""Settling typed input: a form previews once typing pauses, not on every key."""

from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer

# Long enough that a burst of keys makes one preview, short enough to feel immediate.
DEBOUNCE_S = 0.3


class Debouncer:
    """Calls `settled` once, `delay` seconds after the last `poke`."""

    def __init__(self, owner: MessagePump, settled: Callable[[], object], delay: float = DEBOUNCE_S) -> None:
        self._owner = owner
        self._settled = settled
        self._delay = delay
        self._timer: Timer | None = None

    def poke(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(self._delay, self._settled)
