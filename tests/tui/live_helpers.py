"""Helpers for Pilot tests that wait on a real localnet: polling until the app has caught up."""

import time

from tests.tui.conftest import MessageLog


async def wait_until(pilot, condition, *, timeout: float = 60.0, what: str = "condition") -> None:
    """Let the app run until `condition()` holds; chain work takes real seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} never held"
        await pilot.pause(0.05)


def count(log: MessageLog, kind) -> int:
    return len(log.of_type(kind))
