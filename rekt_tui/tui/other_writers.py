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
        if status != self._shown():
            self._post(ShellStatusLoaded(status))
