"""The cockpit and another process on one registry: what the other writes reaches the open
cockpit without `r` (a wallet created, a `start` confirmed from the CLI), so its keys apply."""

import pytest

from rekt_tui.services.container import Services
from rekt_tui.services.landing import open_lander
from rekt_tui.services.session import SessionService
from rekt_tui.tui.session_messages import SessionOpened
from rekt_tui.tui.formatting import short_pubkey
from rekt_tui.tui.other_writers import OTHER_WRITERS_POLL_S
from tests.tui.conftest import add_wallet, make_app
from tests.tui.live_app import distinct, live_settings, until

pytestmark = pytest.mark.slow


async def test_a_start_confirmed_by_the_cli_reaches_the_open_cockpit(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    session = await (await services.wallets()).create("both")
    lander = await open_lander(services, session.pubkey)
    setup = SessionService(lander)
    for step in (setup.airdrop("1", "SOL"), setup.airdrop("100", "USDC")):
        await step
    await setup.initialize()
    await setup.deposit("100", "USDC")
    await setup.choose_strategy("balanced")
    await lander.link.close()
    cli = await Services.open(services.settings)  # another process's registry connection
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 40), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the wallet")
            assert not app.check_action("buy", ())  # not started yet
            other = await open_lander(cli, session.pubkey)
            await SessionService(other).start_trading()
            await other.link.close()
            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply once the start is read")
            assert app.sessions.session is not None and app.sessions.session.trading_started_at is not None
    finally:
        await cli.close()
        await services.close()


async def test_a_wallet_created_by_another_process_shows_without_reloading(tmp_path, services):
    other = await Services.open(services.settings)  # another process's registry connection
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.app.workers.wait_for_complete()
            await until(pilot, lambda: app.dashboard.status is not None, "the first status")
            assert app.dashboard.status.sessions == ()
            shown = app.dashboard.status
            await pilot.pause(OTHER_WRITERS_POLL_S * 1.5)
            assert app.dashboard.status is shown  # nothing changed elsewhere: not read again
            created = await add_wallet(other, tmp_path, 7, "elsewhere")
            await until(pilot, lambda: app.dashboard.status.sessions != (), "the other process's wallet")
            assert [s.pubkey for s in app.dashboard.status.sessions] == [created.pubkey]
            said = [entry.text for entry in app.dashboard.activity]
            name = f"{short_pubkey(created.pubkey)} (elsewhere)"
            assert said[-1] == f"Session wallet {name} was created by another process."
    finally:
        await other.close()
