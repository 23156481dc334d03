"""The setup screen shows the chosen wallet's QR code only while the terminal has room for it."""

from dataclasses import replace

from rekt_tui.tui.screens.setup import QR_HIDDEN_NOTE, QR_SHOWN_NOTE, SetupScreen
from rekt_tui.tui.widgets.qr import QrCode
from tests.tui.conftest import make_app, text_of
from tests.tui.screen_data import session


async def test_the_qr_code_follows_the_terminal_size_and_the_chosen_wallet(services):
    scalps, swing = session(1, "scalps"), session(2, "swing")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        screen = SetupScreen(replace(await services.shell_status(), sessions=(scalps, swing)), scalps)
        await app.push_screen(screen)
        await pilot.pause()
        qr, note = (screen.query_one("#setup-qr", QrCode), screen.query_one("#setup-qr-note"))

        def shown() -> bool:
            return qr.display and qr.region.height > 0 and QR_SHOWN_NOTE in text_of(note)

        def hidden() -> bool:
            return not qr.display and qr.region.height == 0 and QR_HIDDEN_NOTE in text_of(note)

        assert shown() and qr.text == scalps.pubkey
        screen.session = swing
        await pilot.pause()
        assert shown() and qr.text == swing.pubkey

        # Too narrow, then too short, then room again.
        for size, fits in [((80, 24), False), ((92, 30), False), ((120, 21), False), ((93, 22), True)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert shown() if fits else hidden(), size

        screen.session = None
        await pilot.pause()
        assert not qr.display and not note.display
