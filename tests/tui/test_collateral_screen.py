"""Adding and withdrawing collateral from the dashboard (`$`) against a live localnet: the
form previews what the wallet can add and what can come out, `v` fills the most, a refused
withdrawal says why and signs nothing, and a confirmed one lands and is logged."""

import pytest

from rekt_tui.domain.records import TransactionStatus
from rekt_tui.services.container import Services
from rekt_tui.tui.screens.collateral import CollateralScreen
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.session_messages import Sent, SessionOpened
from tests.tui.conftest import make_app, text_of
from tests.tui.live_app import distinct, live_settings, until
from tests.tui.test_order_entry import started_session

pytestmark = pytest.mark.slow

USDC = 10**6


def shown(app, part: str) -> str:
    return text_of(app.screen.query_one(f"#collateral-{part}"))


async def kinds(services, pubkey) -> list[tuple[str, TransactionStatus]]:
    return [(tx.kind, tx.status) for tx in await services.registry.list_transactions(pubkey, limit=50)]


async def test_add_then_withdraw_from_the_dashboard(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)  # 100 USDC in Drift; 0 USDC left in the wallet
    await lander.link.venue.refresh_account()
    app = make_app(services)
    try:
        async with app.run_test(size=(100, 30), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the wallet")
            await until(pilot, lambda: app.dashboard.check_action("collateral", ()), "the collateral key")
            await pilot.press("dollar_sign")
            assert isinstance(app.screen, CollateralScreen)
            await pilot.pause()
            box = app.screen.query_one("#confirm-dialog").region  # centred over the dashboard, not in a corner
            assert abs(box.x + box.width // 2 - 50) <= 1 and abs(box.y + box.height // 2 - 15) <= 1, box
            await until(pilot, lambda: "can add 0 USDC" in shown(app, "preview"), "the USDC room")
            await pilot.press("o")  # SOL: the airdropped SOL less the gas reserve and fee
            await until(pilot, lambda: "after the gas reserve" in shown(app, "preview"), "the SOL room")
            await pilot.press("v")
            amount = app.screen.query_one("#collateral-amount").value
            assert 0.9 < float(amount) < 1

            # Withdraw: too much is refused inline, and Enter on it signs nothing.
            await pilot.press("u", "w")
            await until(pilot, lambda: "at most 100 USDC can come out" in shown(app, "preview"), "the withdraw plan")
            app.screen.query_one("#collateral-amount").value = "150"
            await until(pilot, lambda: "never borrows" in shown(app, "refusals"), "the refusal")
            before = await kinds(services, lander.pubkey)
            # What is typed is what is read: `1e3` is refused in words, not cut to 13.
            field = app.screen.query_one("#collateral-amount")
            field.value = ""
            await pilot.press("1", "e", "3")
            assert field.value == "1e3"
            await until(pilot, lambda: "uses an exponent" in shown(app, "refusals"), "the exponent's refusal")
            field.value = "150"
            await until(pilot, lambda: "never borrows" in shown(app, "refusals"), "the refusal again")
            await pilot.press("enter")
            await until(pilot, lambda: not isinstance(app.screen, CollateralScreen), "the form to answer")
            await until(pilot, lambda: "never borrows" in text_of(app.dashboard.query_one("#activity")), "the error")
            assert await kinds(services, lander.pubkey) == before

            await pilot.press("dollar_sign", "w")
            app.screen.query_one("#collateral-amount").value = "40"
            await until(pilot, lambda: "Free collateral after $60.00" in shown(app, "preview"), "the preview of 40")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
            assert "Withdraw 40 USDC to the session wallet?" in text_of(app.screen.query_one("#confirm-question"))
            assert await kinds(services, lander.pubkey) == before  # nothing signed before the yes
            await pilot.press("y")
            await until(pilot, lambda: distinct(message_log, Sent), "the withdrawal to land")
            [sent] = distinct(message_log, Sent)
            assert sent.lines[0].startswith("Withdrew 40 USDC to the session wallet (")
        assert (await kinds(services, lander.pubkey))[0] == ("withdraw", TransactionStatus.CONFIRMED)
        assert await lander.link.venue.wallet_usdc() == 40 * USDC
    finally:
        await lander.link.close()
        await services.close()
