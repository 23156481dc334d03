"""Order entry driven by the keyboard alone against a live localnet: Tab and shift+Tab reach
every field, the direct keys choose type, market, sizes and prices, and the preview always
matches what is typed (a cleared size clears it, `-1` is refused in words, a crossing
post-only is refused before signing, a stop is shown at its trigger, expiry as a duration)."""

import asyncio
import re
from decimal import Decimal

import pytest
from textual.notifications import Notify
from textual.widgets import Input, Select

from rekt_tui.domain.alerts import AlertKind
from rekt_tui.domain.guards import RefusalCode
from rekt_tui.domain.records import OrderType
from rekt_tui.services.container import Services
from rekt_tui.tui.screens.command_line import CommandLineScreen
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.order_entry import OrderEntryScreen
from rekt_tui.tui.session_messages import OrderPlaced, OrderPlanned, Sent, SessionOpened
from tests.tui.conftest import make_app, text_of
from tests.tui.live_app import distinct, live_settings, until
from tests.tui.test_order_entry import started_session, type_size

pytestmark = pytest.mark.slow


def field(app, name: str) -> Input:
    return app.screen.query_one(f"#order-{name}")


def last_plan(message_log, app):
    """The newest answer, once it answers the form as it stands."""
    plans = distinct(message_log, OrderPlanned)
    return plans[-1] if plans and plans[-1].form == app.screen.form() else None


async def planned(pilot, message_log, what: str) -> OrderPlanned:
    await until(pilot, lambda: last_plan(message_log, pilot.app) is not None, what)
    await pilot.pause()
    return last_plan(message_log, pilot.app)


async def test_every_field_by_tab_and_direct_keys_with_a_preview_that_follows(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 40), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the wallet")
            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")
            await pilot.press("b")
            assert isinstance(app.screen, OrderEntryScreen)
            # `0.2`, Tab, `1` no longer types `0.21`: Tab leaves the size.
            await pilot.press(*"0.2", "tab", "1")
            assert field(app, "size").value == "0.2"
            focus = []
            for _ in range(4):
                await pilot.press("shift+tab")
                focus.append(app.focused.id)
            assert focus[:3] == ["order-size", "order-kind", "order-market"]

            # A cleared size clears the preview; `-1` is refused in words, not read as 1.
            await type_size(pilot, "0.2")
            await planned(pilot, message_log, "the plan of 0.2")
            assert "Market buy 0.2 SOL" in text_of(app.screen.query_one("#order-preview"))
            await type_size(pilot, "")
            cleared = lambda: text_of(app.screen.query_one("#order-preview")).strip() == "Type a size to see the preview."  # noqa: E731
            await until(pilot, cleared, "the preview to clear once typing settles")
            assert not app.screen.check_action("place", ())
            await type_size(pilot, "-1")
            await until(pilot, lambda: "greater than zero" in text_of(app.screen.query_one("#order-refusals")), "-1")
            assert "Size must be greater than zero (got -1)." in text_of(app.screen.query_one("#order-refusals"))

            # Another market, a limit at the bid, post-only; at the ask it would cross.
            await pilot.press("n")
            assert app.screen.query_one("#order-market", Select).value == "BTC-PERP"
            await pilot.press("n")
            assert app.screen.query_one("#order-market", Select).value == "ETH-PERP"
            await pilot.press("t", "p")
            assert app.screen.query_one("#order-kind", Select).value == "limit"
            await type_size(pilot, "0.1")
            await pilot.press("a")
            await until(pilot, lambda: field(app, "price").value, "the ask")
            plan = await planned(pilot, message_log, "the crossing post-only")
            assert [r.code for r in plan.plan.refusals] == [RefusalCode.POST_ONLY_CROSSES]
            assert "would cross the best ask" in text_of(app.screen.query_one("#order-refusals"))
            ask = field(app, "price").value
            await pilot.press("b")
            await until(pilot, lambda: field(app, "price").value != ask, "the bid")
            await pilot.press("left_square_bracket")
            plan = await planned(pilot, message_log, "the resting post-only")
            assert plan.plan.refusals == () and plan.plan.request.post_only
            preview = text_of(app.screen.query_one("#order-preview"))
            assert "Limit buy 0.1 ETH (ETH-PERP), post-only" in preview and "Expires in 1h, at " in preview

            # A stop-market previewed at its trigger, with a typed expiry, sized at the max.
            await pilot.press("t")
            assert app.screen.query_one("#order-kind", Select).value == "stop-market"
            field(app, "trigger").value = "3700"
            await pilot.press("e", *"30m")
            await pilot.press("v")
            await until(pilot, lambda: field(app, "size").value != "0.1", "the max size")
            shown = field(app, "size").value  # as a trader would type it: no padding zeros
            assert shown == f"{Decimal(shown).normalize():f}", shown
            plan = await planned(pilot, message_log, "the stop at its max")
            assert plan.plan.refusals == () and plan.plan.preview.entry_price == 3700 * 10**6
            preview = text_of(app.screen.query_one("#order-preview"))
            assert "Triggers when the oracle is above $3,700.00" in preview and "Expires in 30m" in preview
            await pilot.press("x")  # half of the max
            await until(pilot, lambda: last_plan(message_log, app) and last_plan(message_log, app).plan
                        and last_plan(message_log, app).plan.request.base_amount * 2 <= plan.plan.request.base_amount,
                        "half the max")  # fmt: skip
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
            await pilot.press("y")
            await until(pilot, lambda: distinct(message_log, OrderPlaced), "the stop to land")
        [order] = lander.link.venue.snapshot().orders
        assert (order.market_index, order.order_type) == (2, OrderType.TRIGGER_MARKET)
        assert order.trigger_price == 3700 * 10**6
    finally:
        await lander.link.close()
        await services.close()


async def test_fills_are_reported_and_orders_numbered_by_their_chain_id(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    app = make_app(services)
    lines = lambda: [line for m in distinct(message_log, Sent) for line in m.lines]  # noqa: E731
    try:
        async with app.run_test(size=(120, 40), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the wallet")
            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")
            await pilot.press("b")
            await type_size(pilot, "0.5")
            await planned(pilot, message_log, "the market buy")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
            await pilot.press("y")
            await until(pilot, lambda: any(line.startswith("Filled") for line in lines()), "the fill", timeout=40)
            [fill] = [line for line in lines() if line.startswith("Filled")]
            assert re.fullmatch(r"Filled( \(order #\d+\))?: SOL-PERP buy 0\.5 SOL at \$1[45]\d\.\d+, fee \$0\.\d\d", fill)
            # The watcher's fill alert (for webhooks, `guard`, the alert log) is not a second line or toast here.
            for _ in range(300):  # told (delivered) before it is logged
                if any(a.kind is AlertKind.FILL for a in await services.registry.list_alerts(lander.pubkey)):
                    break
                await pilot.pause()
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the watcher's fill alert was never logged")
            shown = app.get_default_screen().activity
            assert not [e.text for e in shown if e.text.startswith("Alert: ")], [e.text for e in shown]
            assert not [n for n in message_log.of_type(Notify) if n.notification.title == "Alert: fill"]

            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply again")
            await pilot.press("b", "t")
            await type_size(pilot, "0.5")
            field(app, "price").value = "100"
            await planned(pilot, message_log, "the resting limit")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
            await pilot.press("y")
            await until(pilot, lambda: len(distinct(message_log, OrderPlaced)) == 2, "the limit to land")
            [order] = lander.link.venue.snapshot().orders
            assert f"Order #{order.order_id} placed (open when it landed)" in lines()[-1]
    finally:
        await lander.link.close()
        await services.close()


async def test_the_command_line_takes_the_cli_grammar_through_the_same_preview_and_confirm(
    tmp_path, live, message_log
):
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    app = make_app(services)
    line = lambda: app.screen.query_one("#command-line")  # noqa: E731
    try:
        async with app.run_test(size=(120, 40), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the wallet")
            await until(pilot, lambda: app.check_action("buy", ()), "orders to apply")
            signed = len(await services.registry.list_transactions(lander.pubkey, limit=100))
            await pilot.press("colon", *"order ETH", "enter")  # refused in one sentence, the line stays
            assert isinstance(app.screen, CommandLineScreen) and line().value == "order ETH"
            line().value = "order sol buy 0.5 --type foo"  # an order type the form has no field for
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, CommandLineScreen) and app.is_running
            told = [n.notification.message for n in message_log.of_type(Notify)]
            assert told[-1].startswith("Unknown order type 'foo'; use one of market, limit"), told
            line().value = "sell 0.1 eth --type limit --price 4100 --post-only"  # `order eth sell 0.1 …`
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, OrderEntryScreen), "order entry from the line")
            screen = app.screen
            assert (screen.side, screen.form().market, screen.form().kind, screen.form().price) == (
                "sell", "ETH-PERP", "limit", "4100")  # fmt: skip
            plan = await planned(pilot, message_log, "the line's order")
            assert plan.plan.refusals == () and plan.plan.request.post_only
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
            assert len(await services.registry.list_transactions(lander.pubkey, limit=100)) == signed
            await pilot.press("y")
            await until(pilot, lambda: distinct(message_log, OrderPlaced), "the order to land")
            await until(pilot, lambda: app.dashboard.account and app.dashboard.account.orders, "the order shown")
            [order] = app.dashboard.account.orders

            await pilot.press("colon", "up")
            assert line().value == "sell 0.1 eth --type limit --price 4100 --post-only"
            line().value = f"cancel {order.order_id}"
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the cancel question")
            assert f"Cancel order #{order.order_id}: ETH-PERP limit sell" in text_of(app.screen.query_one("#confirm-question"))
            await pilot.press("y")
            await until(pilot, lambda: not app.dashboard.account.orders, "the cancel")
    finally:
        await lander.link.close()
        await services.close()
