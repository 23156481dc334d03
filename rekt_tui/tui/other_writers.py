"""What another process writes to the registry reaches the open cockpit.

A session wallet created, started or stopped from the CLI in another terminal used to reach
the cockpit only when `r` was pressed. SQLite's `data_version` moves whenever another
connection commits (never for this process's own commits): the cockpit reads it every
`OTHER_WRITERS_POLL_S` and, when it moved, reads the shell's status again and hands it over
if it differs from the one shown. A `guard` writing its state costs a read, not a repaint.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.status import ShellStatus
from rekt_tui.tui.formatting import short_pubkey
from rekt_tui.tui.messages import ShellStatusLoaded

if TYPE_CHECKING:
    from rekt_tui.services.container import Services

log = logging.getLogger(__name__)
OTHER_WRITERS_POLL_S = 1.0


class OtherWriters:
    """`check` on a timer: post the shell's status when another process changed it."""

    def __init__(
        self, services: Services, shown: Callable[[], ShellStatus | None], post: Callable[[ShellStatusLoaded], object]
    ) -> None:
        self._services = services
        self._shown = shown
        self._post = post
        self._seen: int | None = None  # the data version last read

    async def check(self) -> None:
        """The first call (at mount, before the launch reads the status) only notes the version."""
        try:
            version = await self._services.registry.get_data_version()
            if self._seen is None or version == self._seen:
                self._seen = version
                return
            self._seen = version
            if self._shown() is None:
                return  # the launch's own read is on its way, and sees the change
            status = await self._services.shell_status()
        except (sqlite3.Error, ValueError, RektError) as error:  # ValueError: the connection closed at exit
            log.debug("the registry could not be read for other processes' changes: %s", error)
            return
        shown = self._shown()
        if status != shown:
            self._post(ShellStatusLoaded(status, changes_elsewhere(shown, status)))


def changes_elsewhere(before: ShellStatus | None, after: ShellStatus) -> tuple[str, ...]:
    """The activity log's account of what another process changed: wallets created, trading
    started, archived, withdrawn, updated or gone; a line that says so for anything else."""
    was = {session.pubkey: session for session in before.sessions} if before is not None else {}
    lines = []
    for session in after.sessions:
        name = f"{short_pubkey(session.pubkey)} ({session.label})" if session.label else short_pubkey(session.pubkey)
        earlier = was.pop(session.pubkey, None)
        if earlier is None:
            lines.append(f"Session wallet {name} was created by another process.")
        elif earlier.status != session.status:
            lines.append(f"Session wallet {name} is {session.status.value} now (by another process).")
        elif earlier.trading_started_at is None and session.trading_started_at is not None:
            lines.append(f"Trading started on session wallet {name} from another process.")
        elif earlier != session:  # a setup step, a strategy, the balances after a landing
            lines.append(f"Session wallet {name} was updated by another process.")
    lines += [f"Session wallet {short_pubkey(pubkey)} left the registry (another process)." for pubkey in was]
    return tuple(lines) or ("Another process changed the registry; the status is read again.",)
