"""Order entry against a live localnet: a live preview, a guard refusal with its numbers,
and an order that lands only after the confirm modal."""

import asyncio
import time

import pytest

from rekt_tui.domain.guards import RefusalCode
from rekt_tui.services.container import Services
from rekt_tui.services.landing import open_lander
from rekt_tui.services.session import SessionService
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.order_entry import OrderEntryScreen
from rekt_tui.tui.session_messages import OrderPlaced, OrderPlaceRequested, OrderPlanned, SessionOpened
from tests.tui.conftest import make_app, text_of
from tests.tui.live_app import distinct, live_settings, until

pytestmark = pytest.mark.slow


async def started_session(services: Services):
    """A session through the checklist's services: funded, initialized, 100 USDC in, started."""
    session = await (await services.wallets()).create("orders")
    lander = await open_lander(services, session.pubkey)
    setup = SessionService(lander)
    await setup.airdrop("1", "SOL")
    await setup.airdrop("100", "USDC")
    await setup.initialize()
    await setup.deposit("100", "USDC")
    await setup.choose_strategy("balanced")
    await setup.start_trading()
    return lander


async def type_size(pilot, size: str) -> None:
    field = pilot.app.screen.query_one("#order-size")
    field.value = ""
    field.focus()
    await pilot.press(*size)


async def test_preview_refusal_and_a_confirmed_order_that_lands(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    app = make_app(services)
    try:
        async with app.run_test(size=(100, 30), message_hook=message_log) as pilot:
            assert not app.check_action("buy", ())
            # The only active session is linked at launch: no need to choose it first.
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the wallet")
            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")
            await pilot.press("b")
            assert isinstance(app.screen, OrderEntryScreen)

            await type_size(pilot, "1000")
            # A loaded machine may type slower than the debounce: earlier sizes may be planned too.
            plans_of = lambda size: [m for m in distinct(message_log, OrderPlanned) if m.form.size == size]  # noqa: E731
            await until(pilot, lambda: plans_of("1000"), "the plan of 1000")
            [planned] = plans_of("1000")
            assert (planned.form.market, planned.form.side, planned.form.size) == ("SOL-PERP", "buy", "1000")
            assert RefusalCode.INSUFFICIENT_COLLATERAL in {r.code for r in planned.plan.refusals}
            refusals = text_of(app.screen.query_one("#order-refusals"))
            assert "✗ Free collateral $" in refusals and "reduce the size to at most" in refusals
            assert not app.screen.check_action("place", ())  # nothing to confirm while refused
            await pilot.press("enter")
            assert not distinct(message_log, OrderPlaceRequested)

            await type_size(pilot, "0.5")
            await until(pilot, lambda: distinct(message_log, OrderPlanned)[-1].form.size == "0.5", "the second plan")
            assert distinct(message_log, OrderPlanned)[-1].plan.refusals == ()
            preview = text_of(app.screen.query_one("#order-preview"))
            assert "Market buy 0.5 SOL (SOL-PERP)" in preview and "Leverage after" in preview
            assert text_of(app.screen.query_one("#order-refusals")).strip() == ""

            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the order confirmation")
            assert "Sign and send this order?" in text_of(app.screen.query_one("#confirm-question"))
            assert await services.registry.list_open_orders(lander.pubkey) == []  # nothing signed yet
            await pilot.press("y")
            await until(pilot, lambda: distinct(message_log, OrderPlaced), "the order to land")
            assert not isinstance(app.screen, (OrderEntryScreen, ConfirmScreen))

        deadline = time.monotonic() + 20
        while not lander.link.gateway.snapshot().positions:
            assert time.monotonic() < deadline, "the market order never filled"
            await asyncio.sleep(0.2)
            await lander.link.venue.refresh_account()
        [position] = lander.link.gateway.snapshot().positions
        assert position.base_amount == 5 * 10**8
    finally:
        await lander.link.close()
        await services.close()
