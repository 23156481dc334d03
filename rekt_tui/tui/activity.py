"""Activity-log entries: what happened, when, and how loud it should look.

Kept apart from the widget so the app can record an entry without knowing how it is drawn.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Severity = Literal["information", "warning", "error"]

# Enough history to scroll back through a session; older lines are dropped so the log
# cannot grow without bound during a long run.
ACTIVITY_LIMIT = 500


@dataclass(frozen=True)
class ActivityEntry:
    at: datetime
    text: str
    severity: Severity = "information"


def appended(entries: tuple[ActivityEntry, ...], entry: ActivityEntry) -> tuple[ActivityEntry, ...]:
    """A new history with `entry` last, keeping at most `ACTIVITY_LIMIT` entries."""
    return (*entries, entry)[-ACTIVITY_LIMIT:]
