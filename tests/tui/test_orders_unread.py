"""The open-orders panel when the venue could not read its resting book orders: it says so above
the rows it has, and never "No open orders." for a list it does not know."""

from dataclasses import replace
from datetime import UTC, datetime

from textual.app import App, ComposeResult
from textual.widgets import Static

from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.widgets.orders import NO_ORDERS, OrdersPanel
from tests.tui.test_order_groups import order

UNREAD = ("The resting book orders could not be read from the order-book server (HTTP 429); the orders listed "
          "may be incomplete.")


class PanelApp(App):
    def compose(self) -> ComposeResult:
        yield OrdersPanel()


def shown(app: App, selector: str) -> str | None:
    widget = app.query_one(selector, Static)
    return str(widget.content) if widget.display else None


async def test_unread_book_orders_are_said_above_the_rows_and_instead_of_none():
    account = AccountSnapshot(1, datetime.now(UTC), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (), (order(6),))
    app = PanelApp()
    async with app.run_test(size=(120, 20)) as pilot:
        panel = app.query_one(OrdersPanel)
        panel.account = account
        await pilot.pause()
        assert shown(app, "#orders-unread") is None
        panel.account = replace(account, orders_unread=UNREAD)
        await pilot.pause()
        assert shown(app, "#orders-unread") == UNREAD and shown(app, "#orders-note") is None
        panel.account = replace(account, orders=(), orders_unread=UNREAD)
        await pilot.pause()
        assert shown(app, "#orders-note") == UNREAD and shown(app, "#orders-unread") is None
        panel.account = replace(account, orders=())
        await pilot.pause()
        assert shown(app, "#orders-note") == NO_ORDERS
