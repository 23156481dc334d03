"""Closing and cancelling from the dashboard against a live localnet: `x` closes a share
(25/50/75/100 %) of the position under the cursor after a preview of that share, `d` cancels the order under the cursor, `D`
cancels the rest; every one asks first, and the session panel lists what was sent with
links to the cluster's explorer."""

import pytest
from textual.style import Style
from textual.widgets._footer import FooterKey

from rekt_tui.services.container import Services
from rekt_tui.services.models import OrderForm
from rekt_tui.services.orders import OrderService
from rekt_tui.tui.screens.close_position import ClosePositionScreen
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.dashboard import DashboardScreen
from rekt_tui.tui.session_messages import Sent, SessionOpened
from tests.tui.conftest import make_app, text_of
from tests.tui.live_app import distinct, live_settings, until
from tests.tui.test_order_entry import started_session

pytestmark = pytest.mark.slow


async def a_position_and_two_resting_orders(services: Services) -> None:
    lander = await started_session(services)
    orders = OrderService(lander)
    await orders.place(OrderForm(market="SOL-PERP", side="buy", size="0.2"))
    for price in ("100", "101"):  # far below the market: they rest
        # Two more buys on SOL-PERP on purpose: the stacking guard's override, as --allow-stacking.
        limit = OrderForm(market="SOL-PERP", side="buy", size="0.1", kind="limit", price=price)
        await orders.place(limit, allow_stacking=True)
    await lander.link.close()


def account(app):
    return app.get_default_screen().account


def panel_account(app):
    return app.get_default_screen().panel_account


def footer(app) -> set[str]:
    """The labels the dashboard's footer shows now."""
    return {str(key.description) for key in app.screen.query(FooterKey)}


def transactions_panel(app):
    return app.get_default_screen().query_one("#session-transactions")


async def when_it_applies(pilot, action: str, key: str) -> None:
    """Wait until `action` applies: a close or cancel still confirming takes no other (its
    position or order may already be gone from the account while its worker runs)."""
    await until(pilot, lambda: pilot.app.check_action(action, ()), f"{key} to apply")


async def answer(pilot, key: str, action: str, title: str) -> str:
    """Press `key` once `action` applies, check the question asked, say yes; returns the question."""
    await when_it_applies(pilot, action, key)
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), f"the question after {key}")
    assert pilot.app.screen.title_text == title
    question = text_of(pilot.app.screen.query_one("#confirm-question"))
    await pilot.press("y")
    return question


async def close_share(pilot, key: str, opening: str) -> str:
    """`x`, then the share's key; wait for its preview, say yes; returns the question."""
    await when_it_applies(pilot, "close_position", "x")
    await pilot.press("x")
    await until(pilot, lambda: isinstance(pilot.app.screen, ClosePositionScreen), "the close question")
    await pilot.press(key)
    shown = lambda: text_of(pilot.app.screen.query_one("#close-question"))  # noqa: E731
    await until(pilot, lambda: shown().startswith(opening) and "Entry" in shown(), f"the preview of {opening}")
    question = shown()
    await pilot.press("y")
    return question


@pytest.mark.timeout(240)  # a session set up, then two closes and two cancels, each waiting for its transaction
async def test_close_and_cancel_from_the_dashboard(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    await a_position_and_two_resting_orders(services)
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 36), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the only active session")
            await until(pilot, lambda: account(app) and len(account(app).orders) == 2, "the account feed")
            await until(pilot, lambda: app.check_action("close_position", ()), "x to apply")
            await until(pilot, lambda: {"Close", "Cancel all"} <= footer(app), "the footer to offer close and cancel")

            # Declining asks nothing of the chain.
            await pilot.press("x")
            await until(pilot, lambda: isinstance(app.screen, ClosePositionScreen), "the close question")
            await pilot.press("n")
            assert isinstance(app.screen, DashboardScreen) and account(app).positions

            # Half of it, previewed as that half.
            question = await close_share(pilot, "2", "Close 50% of the SOL-PERP long")
            assert "Market sell 0.1 SOL (SOL-PERP), reduce-only" in question
            await until(pilot, lambda: account(app).positions[0].base_amount == 10**8, "half to fill", timeout=60)
            sent = lambda: "\n".join(line for m in distinct(message_log, Sent) for line in m.lines)  # noqa: E731
            # The fill's line comes from the account feed, the close's when its transaction is confirmed: either first.
            await until(pilot, lambda: "Closing 50% of SOL-PERP: reduce-only market order for 0.1 SOL" in sent()
                        and "Filled (order #4): SOL-PERP sell 0.1 SOL at $" in sent(), "the close and its fill logged")
            question = await close_share(pilot, "4", "Close the SOL-PERP long")
            # The resting bids are left out of a reduce-only order's leverage: the position is gone.
            assert "Market sell 0.1 SOL (SOL-PERP)" in question and "Leverage after 0x" in question
            assert "Liquidation price after none" in question
            await until(pilot, lambda: not account(app).positions, "the close to fill", timeout=60)
            # A fill that closes the position leaves no quote to price it from: the line says where its price is.
            await until(pilot, lambda: "Filled (order #5): SOL-PERP sell 0.1 SOL closing the position (h shows its price)"
                        in sent(), "the closing fill logged")

            await pilot.press("5")  # the open-orders panel
            await until(pilot, lambda: "Modify" in footer(app), "the footer to offer modify")
            first = app.get_default_screen().selected_order()
            question = await answer(pilot, "d", "cancel_order", "Cancel")
            assert f"Cancel order #{first.order_id}: SOL-PERP limit buy" in question
            await until(pilot, lambda: len(account(app).orders) == 1, "one order cancelled")
            assert first.order_id not in {o.order_id for o in account(app).orders}

            assert "Cancel all 1 open order?" in await answer(pilot, "D", "cancel_all_orders", "Cancel")
            await until(pilot, lambda: not account(app).orders, "every order cancelled")
            assert not app.check_action("cancel_all_orders", ()) and not app.check_action("close_position", ())
            # The footer follows the panels, not the keys pressed: nothing left to close or cancel.
            await until(pilot, lambda: not {"Close", "Cancel", "Cancel all", "Modify"} & footer(app),
                        "the footer to drop them")  # fmt: skip

            # Every transaction is recorded before it is sent: the registry already holds the cancel-all.
            rows = await services.registry.list_transactions(app.dashboard.session.pubkey, limit=5)
            template = services.settings.profile.explorer_tx_url
            expected = [template.replace("{signature}", row.signature) for row in rows]

            def links() -> list[str]:
                spans = transactions_panel(app).content.spans
                return [span.style.link for span in spans if isinstance(span.style, Style) and span.style.link]

            await until(pilot, lambda: links() == expected, "the panel to link the last five transactions")
            content = str(transactions_panel(app).content)
            assert "close position" in content and "cancel order" in content and "Last transactions" in content
    finally:
        await services.close()


async def test_the_footer_follows_the_panels(tmp_path, live, message_log):
    """The footer offers what applies to what the panels list now: a market order rests for a
    moment and then fills with no key pressed, and an order filled or cancelled by another
    program (the CLI) changes what is offered too."""
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 36), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the only active session")
            await until(pilot, lambda: account(app) is not None and app.check_action("buy", ()), "the account feed")
            await pilot.press("b", "0", ".", "1")
            await until(pilot, lambda: "Market buy 0.1 SOL" in text_of(app.screen.query_one("#order-preview")), "preview")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
            await pilot.press("y")
            await until(pilot, lambda: panel_account(app) and panel_account(app).positions, "the fill", timeout=60)
            # The order entry closes once its transaction is confirmed, which may come after the fill shows
            # (as the fill itself, that takes tens of seconds on a loaded machine).
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the order entry to close", timeout=60)
            await until(pilot, lambda: "Close" in footer(app), "the footer to offer close")
            assert not {"Cancel", "Cancel all"} & footer(app)

            orders = OrderService(lander)
            limit = OrderForm(market="SOL-PERP", side="buy", size="0.1", kind="limit", price="100")
            await orders.place(limit, allow_stacking=True)
            await until(pilot, lambda: panel_account(app).orders, "the order to show")
            await until(pilot, lambda: "Cancel all" in footer(app), "the footer to offer cancel all")
            await orders.cancel_many(None)
            await orders.close("SOL-PERP")
            await until(pilot, lambda: not panel_account(app).positions and not panel_account(app).orders, "the feed",
                        timeout=60)  # fmt: skip
            await until(pilot, lambda: not {"Close", "Cancel", "Cancel all", "Modify"} & footer(app),
                        "the footer to drop them")  # fmt: skip
    finally:
        await lander.link.close()
        await services.close()
