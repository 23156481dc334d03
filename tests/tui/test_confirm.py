"""The one confirm modal: y/n answers, and the typed form for actions hard to undo."""

from textual.app import App

from rekt_tui.tui.screens.confirm import ConfirmScreen


class Asker(App[None]):
    """A bare app that records what the modal answered."""

    def __init__(self, screen: ConfirmScreen) -> None:
        super().__init__()
        self.question = screen
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.question, self.answers.append)


async def test_y_confirms_and_n_or_escape_declines():
    for key, answer in (("y", True), ("n", False), ("escape", False)):
        app = Asker(ConfirmScreen("Start trading on Drift", "Start with the balanced strategy?"))
        async with app.run_test() as pilot:
            assert "Start with the balanced strategy?" in str(app.screen.query_one("#confirm-question").content)
            await pilot.press(key)
            await pilot.pause()
            assert app.answers == [answer]
            assert not isinstance(app.screen, ConfirmScreen)


async def test_typed_confirmation_needs_the_exact_word():
    app = Asker(ConfirmScreen("Stop and withdraw", "Close everything?", typed="STOP"))
    async with app.run_test() as pilot:
        await pilot.press("y", "enter")  # y is a letter of the answer, not a yes
        await pilot.pause()
        assert app.answers == []
        assert "That is not STOP" in str(app.screen.query_one("#confirm-prompt").content)
        app.screen.query_one("#confirm-input").value = ""
        await pilot.press(*"STOP", "enter")
        await pilot.pause()
        assert app.answers == [True]
