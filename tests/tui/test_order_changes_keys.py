"""Modify, brackets and reverse from the keyboard against a live localnet: `e` on an open order
and `:modify` open the modify screen, a bracket typed in order entry (g / l) rests beside its
entry as ↳ TP / ↳ SL, `x` then `v` (or `v` alone, and `:reverse`) turn a position around, and closing the
position takes its bracket with it. Each asks first, each refusal is its sentence."""

import pytest
from textual.notifications import Notify

from rekt_tui.services.container import Services
from rekt_tui.services.models import OrderForm
from rekt_tui.services.orders import OrderService
from rekt_tui.tui.screens.close_position import ClosePositionScreen
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.dashboard import DashboardScreen
from rekt_tui.tui.screens.modify_order import ModifyOrderScreen
from rekt_tui.tui.screens.order_entry import OrderEntryScreen
from rekt_tui.tui.session_messages import OrderPlaced, Sent, SessionOpened
from tests.tui.conftest import make_app, text_of
from tests.tui.live_app import distinct, live_settings, until
from tests.tui.test_order_entry import started_session, type_size

pytestmark = pytest.mark.slow

SOL = 10**9
USDC = 10**6


def account(app):
    return app.get_default_screen().account


def sent(message_log) -> str:
    return "\n".join(line for m in distinct(message_log, Sent) for line in m.lines)


async def retype(pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector)
    field.value = ""
    field.focus()
    await pilot.press(*text)


async def command(pilot, line: str) -> None:
    await pilot.press("colon")
    await pilot.press(*line, "enter")


async def test_modify_from_the_open_orders_and_the_command_line(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    await OrderService(lander).place(OrderForm("SOL-PERP", "buy", "0.1", kind="limit", price="100"))
    await lander.link.close()
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 36), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the session")
            await until(pilot, lambda: account(app) and len(account(app).orders) == 1, "the account feed")
            [old] = account(app).orders
            await pilot.press("5", "e")
            await until(pilot, lambda: isinstance(app.screen, ModifyOrderScreen), "the modify screen")
            screen = app.screen
            assert (screen.query_one("#modify-price").value, screen.query_one("#modify-size").value) == ("100", "0.1")
            assert not screen.query_one("#modify-trigger").display
            await retype(pilot, "#modify-price", "101")
            preview = lambda: text_of(screen.query_one("#modify-preview"))  # noqa: E731
            await until(pilot, lambda: f"Replaces order #{old.order_id}" in preview(), "the modify preview")
            assert "Limit buy 0.1 SOL (SOL-PERP)" in preview() and "Leverage after" in preview()
            # A preview of a price typed on the way (1, 10) may show first: wait for the one of 101.
            await until(pilot, lambda: screen.check_action("modify", ()), "the preview of what is typed")
            assert "Entry $101.00" in preview()
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the modify question")
            assert app.screen.title_text == "Modify order"
            assert "Sign and send this modification?" in text_of(app.screen.query_one("#confirm-question"))
            await pilot.press("y")
            await until(pilot, lambda: f"Modified order #{old.order_id}, now order #" in sent(message_log), "the log")
            await until(pilot, lambda: account(app).orders and account(app).orders[0].price == 101 * USDC, "the feed")
            [new] = account(app).orders
            assert new.order_id != old.order_id and new.user_order_id == old.user_order_id

            # A `:modify` line opens the same screen with its terms; a bad one is its sentence, nothing signed.
            signed = len(await services.registry.list_transactions(lander.pubkey))
            await command(pilot, f"modify {new.order_id} --trigger 90")
            await until(pilot, lambda: isinstance(app.screen, ModifyOrderScreen), "the modify screen again")
            refusal = lambda: text_of(app.screen.query_one("#modify-refusals"))  # noqa: E731
            await until(pilot, lambda: "limit order with no trigger" in refusal(), "the refusal")
            assert not app.screen.check_action("modify", ())
            await pilot.press("escape")
            await command(pilot, "modify 999 --price 1")
            assert isinstance(app.screen, DashboardScreen)
            assert len(await services.registry.list_transactions(lander.pubkey)) == signed
            await command(pilot, f"modify {new.order_id} --size 0.2")
            await until(pilot, lambda: "Limit buy 0.2 SOL" in text_of(app.screen.query_one("#modify-preview")), "size")
            await until(pilot, lambda: app.screen.check_action("modify", ()), "the second preview")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the second question")
            await pilot.press("y")
            await until(pilot, lambda: account(app).orders and account(app).orders[0].base_amount == SOL // 5, "size")
    finally:
        await services.close()


async def test_bracket_from_order_entry_reverse_and_close(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    await (await started_session(services)).link.close()
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 36), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the session")
            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")
            await pilot.press("b")
            assert isinstance(app.screen, OrderEntryScreen)
            await type_size(pilot, "0.2")
            await pilot.press("g", *"170", "l", *"130")
            preview = lambda: text_of(app.screen.query_one("#order-preview"))  # noqa: E731
            await until(pilot, lambda: "Stop-loss $130.00" in preview(), "the bracket preview")
            assert "Take-profit $170.00 (+" in preview() and "reduce-only, no expiry" in preview()
            await until(pilot, lambda: app.screen.check_action("place", ()), "the plan of what is typed")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the order question")
            assert "Take-profit $170.00" in text_of(app.screen.query_one("#confirm-question"))
            await pilot.press("y")
            await until(pilot, lambda: distinct(message_log, OrderPlaced), "the placed entry", timeout=60)
            [placed] = distinct(message_log, OrderPlaced)
            assert len(placed.placed.bracket) == 2 and placed.placed.bracket_problem is None
            await until(pilot, lambda: account(app) and len(account(app).orders) == 2, "the legs in the feed")
            table = app.get_default_screen().query_one("#orders-table")
            await until(pilot, lambda: table.row_count == 2, "the legs in the panel")
            kinds = sorted(str(table.get_row_at(i)[2]) for i in range(2))
            assert kinds == ["↳ SL", "↳ TP"]

            # x, then v: the reverse, previewed and guarded as an opening order.
            await until(pilot, lambda: app.check_action("close_position", ()), "x to apply")
            await pilot.press("1", "x")
            await until(pilot, lambda: isinstance(app.screen, ClosePositionScreen), "the close question")
            await pilot.press("v")
            question = lambda: text_of(app.screen.query_one("#close-question"))  # noqa: E731
            await until(pilot, lambda: question().startswith("Reverse the SOL-PERP long"), "the reverse preview")
            assert "Market sell 0.4 SOL (SOL-PERP)" in question() and "Leverage after" in question()
            await pilot.press("y")
            await until(pilot, lambda: account(app).positions and account(app).positions[0].base_amount == -SOL // 5,
                        "the reverse to fill", timeout=60)  # fmt: skip

            # v on the selected position: the same reverse preview at once; declining signs nothing.
            await until(pilot, lambda: app.check_action("close_position", (True,)), "v to apply")
            signed = len(await services.registry.list_transactions(app.dashboard.session.pubkey))
            await pilot.press("1", "v")
            await until(pilot, lambda: isinstance(app.screen, ClosePositionScreen), "the reverse question")
            await until(pilot, lambda: question().startswith("Reverse the SOL-PERP short"), "the reverse preview")
            assert "Market buy 0.4 SOL (SOL-PERP)" in question()
            await pilot.press("n")
            assert isinstance(app.screen, DashboardScreen)
            assert len(await services.registry.list_transactions(app.dashboard.session.pubkey)) == signed

            await command(pilot, "reverse ETH-PERP")
            told = lambda: {n.notification.message for n in message_log.of_type(Notify)}  # noqa: E731
            await until(pilot, lambda: "There is no open position in ETH-PERP to reverse." in told(), "the refusal")
            await command(pilot, "close SOL-PERP")
            await until(pilot, lambda: isinstance(app.screen, ClosePositionScreen), "the close question")
            legs = ", ".join(f"#{o.order_id}" for o in account(app).orders if o.reduce_only)
            named = f"Take-profit / stop-loss {legs} are cancelled once the close has filled"
            await until(pilot, lambda: named in question(), "the legs named in the question")
            assert "Until then they hold margin as open orders" in question()
            await pilot.press("a")  # every position: the only one held here, its legs named the same
            assert question().startswith("Close every position") and named in question()
            await pilot.press("y")
            # The close keeps them until its fill shows; the cockpit's watcher ends them then.
            await until(pilot, lambda: not account(app).positions and not account(app).orders, "flat, legs gone",
                        timeout=60)  # fmt: skip
    finally:
        await services.close()



async def test_a_close_all_that_fails_part_way_says_the_close_it_sent(tmp_path, live, message_log, monkeypatch):
    """`a` closes every position; when ETH-PERP's close is refused after SOL-PERP's was sent, the
    activity log names SOL-PERP's close and its signature, then the refusal: never only the error.
    The refusal is the one stand-in: the venue's builder refuses ETH-PERP's close, as a program would."""
    from rekt_tui.domain.errors import RektError
    from rekt_tui.drift.adapter import DriftVenue

    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    await OrderService(lander).place(OrderForm("SOL-PERP", "buy", "0.2"))
    await OrderService(lander).place(OrderForm("ETH-PERP", "buy", "0.02"))
    await lander.link.close()
    build = DriftVenue.close_position

    def refuse_eth(venue, market_index, **kwargs):
        if market_index != 0:
            raise RektError("The program refused the ETH-PERP close.")
        return build(venue, market_index, **kwargs)

    monkeypatch.setattr(DriftVenue, "close_position", refuse_eth)
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 36), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the session")
            await until(pilot, lambda: account(app) and len(account(app).positions) == 2, "both positions",
                        timeout=60)  # fmt: skip
            await command(pilot, "close --all")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the close-all question")
            await pilot.press("y")
            await until(pilot, lambda: "Closing: reduce-only market order (" in sent(message_log), "the sent close")
            told = lambda: {n.notification.message for n in message_log.of_type(Notify)}  # noqa: E731
            await until(pilot, lambda: any("refused the ETH-PERP close" in m for m in told()), "the refusal")
            assert len(distinct(message_log, Sent)[-1].lines) == 1
    finally:
        await services.close()


@pytest.mark.timeout(240)  # an order, a fill by the keeper and the legs' transaction on a shared machine
async def test_a_bracket_on_a_resting_entry_waits_under_it_until_the_fill_places_its_legs(tmp_path, live, message_log):
    from rekt_tui.drift.rpc import JsonRpc

    services = await Services.open(live_settings(tmp_path, live))
    await (await started_session(services)).link.close()
    app = make_app(services)
    admin = JsonRpc(live.rpc_url)
    try:
        async with app.run_test(size=(120, 36), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the session")
            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")
            await command(pilot, "order SOL-PERP buy 0.2 --type limit --price 145 --tp 170 --sl 130")
            await until(pilot, lambda: isinstance(app.screen, OrderEntryScreen), "order entry, filled in")
            preview = lambda: text_of(app.screen.query_one("#order-preview"))  # noqa: E731
            await until(pilot, lambda: "placed as the entry fills" in preview(), "the bracket's at-fill preview")
            await until(pilot, lambda: app.screen.check_action("place", ()), "the plan of what is typed")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the order question")
            await pilot.press("y")
            await until(pilot, lambda: distinct(message_log, OrderPlaced), "the placed entry", timeout=60)
            [placed] = distinct(message_log, OrderPlaced)
            assert placed.placed.bracket_at_fill and placed.placed.bracket == ()
            await until(pilot, lambda: "Its take-profit and stop-loss are placed as it fills" in sent(message_log),
                        "the activity line saying the legs wait")  # fmt: skip

            # The open orders show the legs waiting under their entry.
            table = app.get_default_screen().query_one("#orders-table")
            rows = lambda: [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]  # noqa: E731
            await until(pilot, lambda: table.row_count == 3, "the waiting legs under the entry")
            entry, take_profit, stop_loss = rows()
            assert entry[2] == "limit" and take_profit[:6] == ("", "SOL-PERP", "↳ TP", "sell", "at fill", "mkt / $170.00")
            assert stop_loss[2:6] == ("↳ SL", "sell", "at fill", "mkt / $130.00")

            # The fill: the cockpit's watcher places the legs, sized to it, and says so with the signature.
            await admin.call("rekt_setOraclePrice", ["SOL-PERP", "140"])
            legs = lambda: [o for o in account(app).orders if o.reduce_only] if account(app) else []  # noqa: E731
            await until(pilot, lambda: len(legs()) == 2, "the legs on chain", timeout=60)
            assert {(o.base_amount, o.max_ts) for o in legs()} == {(SOL // 5, None)}
            told = lambda: [n.notification.message for n in message_log.of_type(Notify)]  # noqa: E731
            await until(pilot, lambda: any(m.startswith("Bracket of order #") for m in told()), "the legs' toast")
            [toast] = [m for m in told() if m.startswith("Bracket of order #")]
            [tx] = [t for t in await services.registry.list_transactions(app.dashboard.session.pubkey)
                    if t.kind == "place_bracket_legs"]  # fmt: skip
            assert tx.signature in toast and "for 0.2 SOL" in toast
            assert any(e.text == f"Alert: {toast}" for e in app.get_default_screen().activity)
            await until(pilot, lambda: [r[2] for r in rows()] == ["↳ TP", "↳ SL"] or
                        sorted(r[2] for r in rows()) == ["↳ SL", "↳ TP"], "the legs as orders, nothing waiting")  # fmt: skip
    finally:
        await admin.close()
        await services.close()


async def test_order_keys_dim_while_the_data_is_stale_and_say_why(tmp_path, live, message_log):
    from dataclasses import replace

    from rekt_tui.drift.rpc import JsonRpc
    from rekt_tui.tui.order_actions import STALE_ORDERS

    services = await Services.open(live_settings(tmp_path, live))
    services.settings = replace(services.settings, ui=replace(services.settings.ui, stale_after_s=2))
    lander = await started_session(services)
    await OrderService(lander).place(OrderForm("SOL-PERP", "buy", "0.2"))
    await lander.link.close()
    app = make_app(services)
    admin = JsonRpc(live.rpc_url)
    try:
        async with app.run_test(size=(120, 36), message_hook=message_log) as pilot:
            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")
            await until(pilot, lambda: account(app) and account(app).positions, "the position", timeout=60)
            await pilot.press("1", "x")  # fresh data: the close question says nothing of its age
            await until(pilot, lambda: isinstance(app.screen, ClosePositionScreen), "the close question")
            question = lambda: text_of(app.screen.query_one("#close-question"))  # noqa: E731
            await until(pilot, lambda: "Leverage after" in question(), "the close preview")
            assert "stale" not in question()
            await pilot.press("n")
            await admin.call("rekt_setFaults", [{"wsSilent": True}])
            try:  # the feeds must speak again before the app closes, whatever fails here
                await until(pilot, lambda: app.check_action("buy", ()) is None, "buy dimmed by the stale data")
                assert app.check_action("sell", ()) is None
                told = lambda: [n.notification.message for n in message_log.of_type(Notify)]  # noqa: E731
                await pilot.press("b")
                await until(pilot, lambda: STALE_ORDERS in told(), "the sentence saying why")
                assert isinstance(app.screen, DashboardScreen)
                await command(pilot, "buy 0.1 SOL")
                await until(pilot, lambda: told().count(STALE_ORDERS) == 2, "the command line saying why")
                assert isinstance(app.screen, DashboardScreen)
                # A close still applies (it only lowers risk), and its preview says how old its figures are.
                await pilot.press("1", "x")
                await until(pilot, lambda: isinstance(app.screen, ClosePositionScreen), "the close question")
                await until(pilot, lambda: "The live data is stale (" in question(), "the preview's age")
                assert "the close can end unfilled" in question()
                await pilot.press("n")
            finally:
                await admin.call("rekt_setFaults", [{"wsSilent": False}])
            await until(pilot, lambda: app.check_action("buy", ()) is True, "buy again once the data is fresh", 60)
            await pilot.press("s")
            assert isinstance(app.screen, OrderEntryScreen)
    finally:
        await admin.call("rekt_clearFaults", [])
        await admin.close()
