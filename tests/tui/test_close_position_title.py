"""The close dialog's title names what `y` would do: close the position, close every one, or reverse it."""

from rekt_tui.domain.trading import Position
from rekt_tui.tui.screens.close_position import ClosePositionScreen
from tests.tui.conftest import make_app

LONG = Position(0, "SOL-PERP", 10**9, -150 * 10**6, 150 * 10**6, 150 * 10**6, 0, None)


def title(app) -> str:
    return str(app.screen.query_one("#confirm-dialog").border_title)


async def test_the_title_follows_the_choice(services):
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(ClosePositionScreen(LONG, app.sessions, reverse=True))
        await pilot.pause()
        assert title(app) == "Reverse position"
        await pilot.press("4")
        assert title(app) == "Close position" and not app.screen.choice.reverse
        await pilot.press("a")
        assert title(app) == "Close every position"
        await pilot.press("v")
        assert title(app) == "Reverse position" and app.screen.choice.reverse
        await pilot.press("n")
        await app.push_screen(ClosePositionScreen(LONG, app.sessions))
        await pilot.pause()
        assert title(app) == "Close position"
