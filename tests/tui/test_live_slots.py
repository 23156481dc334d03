"""Feed data coalesces before Textual's queue: a burst costs one message per kind, and the
newest state always reaches the screen (`live.NewestSlots`)."""

from rekt_tui.tui.live import ACCOUNT_FEED, BOOK_FEED, HUD_ACCOUNT, NewestSlots
from rekt_tui.tui.messages import SessionLinked
from rekt_tui.tui.tables import position_cells
from rekt_tui.tui.widgets.row_lines import RowLines
from tests.tui import live_data
from tests.tui.conftest import make_app
from tests.tui.test_table_updates import WIDE, shown

USDC = live_data.USDC


def test_a_burst_posts_one_wake_up_per_kind_and_hands_over_only_the_newest():
    wakes, applied = [], []
    slots = NewestSlots(wakes.append, lambda kind, item: applied.append((kind, item)))
    for n in range(1, 6):
        slots.offer(ACCOUNT_FEED, f"snapshot {n}")
        slots.offer(BOOK_FEED, f"book {n}")
    assert len(wakes) == 2
    for wake in wakes:
        wake()
    assert applied == [(ACCOUNT_FEED, "snapshot 5"), (BOOK_FEED, "book 5")]
    slots.offer(ACCOUNT_FEED, "snapshot 6")  # after the take: a fresh wake-up, nothing stranded
    assert len(wakes) == 3
    wakes[-1]()
    assert applied[-1] == (ACCOUNT_FEED, "snapshot 6")


async def test_a_burst_of_snapshots_and_books_ends_with_the_last_of_each_on_screen(services):
    app = make_app(services)
    burst = [live_data.account(slot=1_000 + n, sol_oracle=(150 + n) * USDC) for n in range(1, 201)]
    books = [live_data.book(mid=(150 + n) * USDC, slot=1_000 + n) for n in range(1, 201)]
    async with app.run_test(size=WIDE) as pilot:
        await pilot.app.workers.wait_for_complete()
        dashboard, feeds = app.dashboard, app.dashboard.feeds
        dashboard.post_message(SessionLinked(live_data.linked()))
        await pilot.pause()
        for rounds in (burst[:120], burst[120:]):  # two bursts: the first's wake-up never strands the second
            for snapshot, book in zip(rounds, books):
                feeds.relay_account(snapshot)  # as the workers relay them, with no await between
                feeds.relay_book(book)
            await pilot.pause(0.3)
        last = burst[-1]
        assert dashboard.account is last and dashboard.panel_account is last
        assert dashboard.book is books[len(burst) - 121] and dashboard.panel_book is dashboard.book
        positions = app.screen.query_one("#positions-table", RowLines)
        mark = dashboard.book.mark_price  # the SOL-PERP book's, in the SOL row
        marks = {"SOL-PERP": mark}
        expected = [position_cells(p, marks.get(p.symbol), last.total_collateral) for p in last.positions]
        assert shown(positions) == expected
        assert feeds.pacer.flushes[HUD_ACCOUNT] <= 4  # one per burst and pacing slot, not 200
