"""A slot moves the user, markets and oracles at once: on either venue, the notifications the
account socket hands over together make one snapshot, made once all of them are stored."""

import asyncio
import base64
import time

import pytest

from tests.services.test_orders_service import close_desk, open_desk

pytestmark = pytest.mark.slow


def notified(venue):
    """Where the venue's account socket hands a notification over, and the session's User address."""
    if hasattr(venue, "connection"):  # the relaunch
        return venue.connection._on_account, str(venue.connection.view.user_key)
    return venue.gateway._on_account, str(venue.gateway.user_key)


@pytest.mark.parametrize("venue", ["drift", "velocity"])
async def test_notifications_handed_over_together_make_one_snapshot(tmp_path, venue):
    desk = await open_desk(tmp_path, usdc=300, venue=venue)
    try:
        await desk.fresh()
        on_account, user_key = notified(desk.link.venue)
        info = await desk.admin.call("getAccountInfo", [user_key, {"encoding": "base64", "commitment": "confirmed"}])
        data, slot = base64.b64decode(info["value"]["data"][0]), info["context"]["slot"]
        snapshots = desk.link.venue.snapshots()
        burst = [slot + 1_000 + step for step in range(3)]  # ahead of anything the socket brings meanwhile
        for step in burst:  # as the socket's reader hands over what it holds: no await between
            on_account(user_key, data, step, time.perf_counter())
        published = [await asyncio.wait_for(anext(snapshots), 5)]
        while published[-1].slot < burst[0]:  # any the socket brought before the burst
            published.append(await asyncio.wait_for(anext(snapshots), 5))
        assert published[-1].slot == burst[-1], [s.slot for s in published]
        assert desk.account().slot == burst[-1]
    finally:
        await close_desk(desk)
