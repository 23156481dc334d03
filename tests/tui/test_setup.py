"""Session setup against a live localnet: create a wallet, see its address and QR code, airdrop to it."""

import pytest

from rekt_tui.services.container import Services
from rekt_tui.tui.screens.setup import QR_HIDDEN_NOTE, QR_SHOWN_NOTE, SetupScreen
from rekt_tui.tui.session_messages import SessionChosen, SessionOpened, StepRequested, StepStateChanged
from rekt_tui.tui.widgets.qr import QrCode, qr_lines
from tests.tui.conftest import make_app, text_of
from tests.tui.live_app import distinct, live_settings, until

pytestmark = pytest.mark.slow


async def test_create_a_wallet_see_its_address_and_airdrop(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    app = make_app(services)
    try:
        async with app.run_test(size=(100, 30), message_hook=message_log) as pilot:
            await pilot.press("w")
            assert isinstance(app.screen, SetupScreen)
            assert "localnet test keys" in text_of(app.screen.query_one("#setup-keystore"))
            await pilot.press("enter")  # the only option, "new", is highlighted already (n does the same)
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the new wallet")
            [chosen] = distinct(message_log, SessionChosen)
            assert chosen.pubkey is None  # "create"
            [session] = await services.registry.list_sessions(cluster="localnet")
            assert text_of(app.screen.query_one("#setup-address")).strip() == session.pubkey
            qr = app.screen.query_one("#setup-qr", QrCode)
            await until(pilot, lambda: qr.display and qr.region.height > 0, "the QR code shown at 100×30")
            assert qr.text == session.pubkey
            assert qr.region.size == (len(qr_lines(session.pubkey)[0]), len(qr_lines(session.pubkey)))
            assert QR_SHOWN_NOTE in text_of(app.screen)
            balance = app.screen.query_one("#setup-balance")
            await until(pilot, lambda: "Balance 0.0000 SOL" in text_of(balance), "the empty balance")

            await pilot.press("a")
            await until(pilot, lambda: any(m.done for m in distinct(message_log, StepStateChanged)), "the airdrop")
            assert [m.step for m in distinct(message_log, StepRequested)] == ["fund_sol"]
            await until(pilot, lambda: "Balance 1.0000 SOL  ✓ funded" in text_of(balance), "the funded balance")
            assert (await services.registry.get_session(session.pubkey)).last_sol_lamports == 10**9

            await pilot.resize_terminal(80, 24)
            await until(pilot, lambda: not qr.display, "the QR code hidden at 80×24")
            assert QR_HIDDEN_NOTE in text_of(app.screen)
            assert text_of(app.screen.query_one("#setup-address")).strip() == session.pubkey
    finally:
        await services.close()
