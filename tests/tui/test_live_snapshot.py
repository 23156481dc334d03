"""Snapshots of the dashboard with positions, open orders and a book, from fixed feed
messages: fresh, and with the account feed gone silent and reconnecting.

The messages are the ones the live workers post to the dashboard; posting them by hand keeps slots, prices
and ages the same every run, which a real chain cannot.
"""

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.tui.messages import AccountUpdated, BookUpdated, FeedAged, FeedStateChanged, SessionLinked
from tests.tui import live_data
from tests.tui.conftest import make_app


async def fed(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()  # the shell status reaches the dashboard first, as it does at launch
    for message in (
        SessionLinked(live_data.linked()), AccountUpdated(live_data.account()), BookUpdated(live_data.book()),
        FeedAged("account", 0.4, FeedState.CONNECTED), FeedAged("orderbook", 0.3, FeedState.CONNECTED),
    ):  # fmt: skip
        pilot.app.dashboard.post_message(message)
    await pilot.pause(0.2)


def test_dashboard_with_positions(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(160, 48), run_before=fed)


def test_dashboard_with_positions_80x24(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=fed)


async def account_feed_silent(pilot) -> None:
    """The fresh frame, then the account feed 12 s old and reconnecting: the HUD, positions,
    session and open orders grey out, the book stays live, and the log says why."""
    await fed(pilot)
    reconnecting = FeedEvent("account", FeedState.RECONNECTING, live_data.AT, reason="silent for 10 s")
    pilot.app.dashboard.post_message(FeedStateChanged(reconnecting))
    pilot.app.dashboard.post_message(FeedAged("account", 12.0, FeedState.RECONNECTING))
    await pilot.pause(0.2)


def test_dashboard_with_stale_account_data(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(160, 48), run_before=account_feed_silent)
