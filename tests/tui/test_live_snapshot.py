"""Snapshots of the dashboard with positions, open orders and a deep book, from fixed feed
messages, at the five sizes people run it at: fresh, and with the account feed gone silent
and reconnecting. At every size each HUD figure fits its cell whole.

The messages are the ones the live workers post to the dashboard, and the book is handed over as the
book feed's worker hands it (`LiveFeeds.relay_book`); doing so by hand keeps slots, prices and ages the
same every run, which a real chain cannot.
"""

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rich.cells import cell_len

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.loss_limit import Breach, GuardState, LimitUse, LossBasis, LossUnit
from rekt_tui.tui.messages import AccountUpdated, FeedAged, FeedStateChanged, SessionLinked
from rekt_tui.tui.widgets.hud import STALE_TONE, Hud
from tests.tui import live_data
from tests.tui.conftest import make_app

SIZES = ((80, 24), (120, 40), (160, 48), (200, 60), (250, 70))
USD = 10**6
# $3 lost of a $25 session limit measured from the $1,006 peak.
WATCHING = GuardState(
    True, LossUnit.USD, LossBasis.PEAK, equity=1_003 * USD, reference=1_006 * USD,
    use=LimitUse("session", Decimal(25), 1_006 * USD, 3 * USD, 25 * USD),
)  # fmt: skip
BREACH = Breach("session", datetime(2026, 1, 2, 9, 31, tzinfo=UTC), "Equity $978.00 is $28.00 below $1,006.00")
EXIT_ONLY = GuardState(
    True, LossUnit.USD, LossBasis.PEAK, equity=978 * USD, reference=1_006 * USD,
    use=LimitUse("session", Decimal(25), 1_006 * USD, 28 * USD, 25 * USD), breach=BREACH,
)  # fmt: skip


async def fed(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()  # the shell status reaches the dashboard first, as it does at launch
    dashboard = pilot.app.dashboard
    dashboard.post_message(SessionLinked(live_data.linked()))
    dashboard.post_message(AccountUpdated(live_data.account()))
    dashboard.feeds.relay_book(live_data.book(levels=40))  # as the book feed's worker hands it over
    dashboard.post_message(FeedAged("account", 0.4, FeedState.CONNECTED))
    dashboard.post_message(FeedAged("orderbook", 0.3, FeedState.CONNECTED))
    dashboard.guard = WATCHING  # as the watcher reports it (tui/live.py)
    await pilot.pause(0.2)


def test_dashboard_with_positions(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(160, 48), run_before=fed)


def test_dashboard_with_positions_80x24(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=fed)


def test_dashboard_with_positions_120x40(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(120, 40), run_before=fed)


def test_dashboard_with_positions_200x60(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(200, 60), run_before=fed)


def test_dashboard_with_positions_250x70(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(250, 70), run_before=fed)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_every_hud_figure_fits_its_cell_whole(services, size):
    async with make_app(services).run_test(size=size) as pilot:
        await fed(pilot)
        hud = pilot.app.screen.query_one(Hud)
        regions = hud.cell_regions()
        assert len(regions) == 12
        for key, region in regions.items():
            reading = hud.reading(key)
            assert region.width >= max(cell_len(reading.label), cell_len(reading.value)), (key, reading.value)
            assert region.height == 2 and region.bottom <= hud.content_size.height  # label over value, on screen
        assert not any(one.overlaps(other) for one, other in itertools.combinations(regions.values(), 2))
        assert hud.reading("slot").value == "123,456"
        assert hud.reading("loss_limit").value == "$3.00/$25"


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


async def test_a_stale_account_feeds_data_age_turns_loud_and_quiet_again(services):
    async with make_app(services).run_test(size=(80, 24)) as pilot:
        await account_feed_silent(pilot)
        hud = pilot.app.screen.query_one(Hud)
        assert (hud.reading("data_age").value, hud.reading("data_age").tone) == ("12 s", STALE_TONE)
        pilot.app.dashboard.post_message(FeedStateChanged(FeedEvent("account", FeedState.CONNECTED, live_data.AT)))
        pilot.app.dashboard.post_message(FeedAged("account", 0.3, FeedState.CONNECTED))
        await pilot.pause(0.2)
        assert (hud.reading("data_age").value, hud.reading("data_age").tone) == ("0.3 s", "")


async def exit_only(pilot) -> None:
    """The loss limit breached: the HUD's top line and its loss-limit cell say EXIT-ONLY."""
    await fed(pilot)
    pilot.app.dashboard.guard = EXIT_ONLY
    await pilot.pause(0.2)


def test_dashboard_exit_only_80x24(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=exit_only)


def test_dashboard_exit_only_200x60(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(200, 60), run_before=exit_only)
