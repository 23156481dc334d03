"""The dashboard's footer: its keys are in the cockpit's first frame, and it is composed again
only when the keys it shows change (each composition mounts every key anew)."""

from textual.widgets._footer import FooterKey

from tests.tui.conftest import make_app


def labels(app) -> list[str]:
    return [str(key.description) for key in app.screen.query(FooterKey)]


async def test_the_footer_keys_are_in_the_first_frame(services):
    app = make_app(services)
    first_frame: list[list[str]] = []
    display = app._display

    def shown(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None and not first_frame:
            first_frame.append(labels(app))

    app._display = shown  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert first_frame and "Quit" in first_frame[0] and "Help" in first_frame[0], first_frame


async def test_the_footer_is_composed_again_only_when_its_keys_change(services):
    app = make_app(services)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)
        before = list(app.screen.query(FooterKey))
        app.screen.refresh_bindings()
        await pilot.resize_terminal(161, 48)  # a column more: no further key fits
        await pilot.pause(0.2)
        assert list(app.screen.query(FooterKey)) == before  # the same widgets, not new ones
        wide = labels(app)
        await pilot.resize_terminal(40, 24)  # too narrow for the extra keys
        await pilot.pause(0.2)
        narrow = labels(app)
        assert narrow != wide and "Quit" in narrow and set(narrow) < set(wide), (narrow, wide)
