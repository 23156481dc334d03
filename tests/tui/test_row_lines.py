"""The positions and open-orders tables drawn as text lines (`widgets.row_lines`): a feed tick
repaints only the lines whose text changed, and the row cursor the close, reverse, modify
and cancel keys act on moves with the keys and the mouse and stays on the row it chose."""

from dataclasses import replace

from rekt_tui.tui.widgets.row_lines import RowLines
from tests.tui import live_data
from tests.tui.conftest import make_app
from tests.tui.live_app import distinct
from tests.tui.test_live_snapshot import fed
from tests.tui.test_table_updates import WIDE, btc, sol

USDC = live_data.USDC


def chosen(message_log, table_id: str) -> list[str | None]:
    """The rows `table_id` said were chosen, in order."""
    return [m.key for m in distinct(message_log, RowLines.Highlighted) if m.lines.id == table_id]


def painted_lines(table: RowLines) -> list[int]:
    """Record the lines `table` draws from now on (the real drawing still happens)."""
    drawn: list[int] = []
    draw = table.render_line

    def recorded(y: int):
        drawn.append(y)
        return draw(y)

    table.render_line = recorded  # type: ignore[method-assign]
    return drawn


async def test_a_tick_repaints_only_the_rows_whose_text_changed(services):
    app = make_app(services)
    async with app.run_test(size=WIDE) as pilot:
        await fed(pilot)
        table = app.screen.query_one("#positions-table", RowLines)
        drawn = painted_lines(table)
        app.dashboard.feeds.relay_account(live_data.account(slot=123_457, sol_oracle=153 * USDC))  # SOL moves
        await pilot.pause(0.3)
        assert set(drawn) == {1}, "only the SOL-PERP line (under the header) is drawn again"
        assert table.get_cell("SOL-PERP", "Oracle") == "$153.00"
        drawn.clear()
        app.dashboard.feeds.relay_account(live_data.account(slot=123_458, sol_oracle=153 * USDC))  # a new slot alone
        await pilot.pause(0.3)
        assert drawn == []


async def test_keys_and_clicks_move_the_cursor_and_say_which_row_is_chosen(services, message_log):
    app = make_app(services)
    async with app.run_test(size=(120, 40), message_hook=message_log) as pilot:
        await fed(pilot)
        dashboard = app.dashboard
        highlighted = lambda: chosen(message_log, "positions-table")  # noqa: E731
        assert dashboard.selected_position().symbol == "SOL-PERP" and highlighted() == ["SOL-PERP"]
        await pilot.press("1", "tab", "down")
        assert dashboard.selected_position().symbol == "BTC-PERP" and highlighted()[-1] == "BTC-PERP"
        await pilot.press("down")  # the last row: the cursor stays
        assert dashboard.selected_position().symbol == "BTC-PERP"
        await pilot.press("home")
        assert dashboard.selected_position().symbol == "SOL-PERP" and highlighted()[-1] == "SOL-PERP"
        await pilot.click("#positions-table", offset=(3, 2))  # the header is line 0: the second row
        assert dashboard.selected_position().symbol == "BTC-PERP"
        await pilot.press("5", "tab", "end")
        assert dashboard.selected_order().order_id == 8


async def test_the_cursor_keys_steer_the_rows_of_the_panel_that_has_focus(services, message_log):
    """The number keys focus a panel, not the rows inside: up and down still move its cursor
    (a trader pressing 1 then down closes the second position with x, not the first)."""
    app = make_app(services)
    async with app.run_test(size=(120, 40), message_hook=message_log) as pilot:
        await fed(pilot)
        dashboard = app.dashboard
        await pilot.press("1")
        assert app.focused is not None and app.focused.id == "positions"
        await pilot.press("down")
        assert dashboard.selected_position().symbol == "BTC-PERP"
        assert chosen(message_log, "positions-table")[-1] == "BTC-PERP"  # the footer follows it
        await pilot.press("up")
        assert dashboard.selected_position().symbol == "SOL-PERP"
        await pilot.press("5", "end")
        assert app.focused is not None and app.focused.id == "orders"
        assert dashboard.selected_order().order_id == 8
        await pilot.press("home")
        assert dashboard.selected_order().order_id != 8


async def test_when_the_chosen_row_goes_the_cursor_takes_the_row_now_in_its_place(services, message_log):
    app = make_app(services)
    base = live_data.account()
    async with app.run_test(size=WIDE, message_hook=message_log) as pilot:
        await fed(pilot)
        await pilot.press("1", "tab", "down")
        assert app.dashboard.selected_position().symbol == "BTC-PERP"
        app.dashboard.feeds.relay_account(replace(base, slot=base.slot + 1, positions=(sol(SOL_BASE),)))
        await pilot.pause(0.3)
        assert app.dashboard.selected_position().symbol == "SOL-PERP"
        assert chosen(message_log, "positions-table")[-1] == "SOL-PERP"  # the footer follows it
        app.dashboard.feeds.relay_account(replace(base, slot=base.slot + 2, positions=()))
        await pilot.pause(0.3)
        assert app.dashboard.selected_position() is None
        assert chosen(message_log, "positions-table")[-1] is None
        app.dashboard.feeds.relay_account(replace(base, slot=base.slot + 3, positions=(btc(-SOL_BASE // 1000),)))
        await pilot.pause(0.3)
        assert app.dashboard.selected_position().symbol == "BTC-PERP"


SOL_BASE = live_data.SOL
