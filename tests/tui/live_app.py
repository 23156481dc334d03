"""Helpers for Pilot tests against a live localnet: services pointed at it, and waiting
for the chain without `wait_for_complete` (the app's live feeds never complete)."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from rekt_tui.config import Settings
from tests.tui.conftest import make_settings


def live_settings(tmp_path: Path, live) -> Settings:
    endpoints = {
        "rpc_url": live.rpc_url, "ws_url": live.ws_url, "dlob_url": live.dlob_url, "dlob_ws_url": live.dlob_ws_url,
    }  # fmt: skip
    return make_settings(tmp_path, clusters={"localnet": endpoints})


async def until(pilot, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Let the app run until `condition` holds; fail naming `what` if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} never happened"
        await pilot.pause()
        await asyncio.sleep(0.05)


def distinct(message_log, kind) -> list:
    """Each message once: the hook sees a bubbling message at every node that handles it."""
    seen, unique = set(), []
    for message in message_log.of_type(kind):
        if id(message) not in seen:
            seen.add(id(message))
            unique.append(message)
    return unique
