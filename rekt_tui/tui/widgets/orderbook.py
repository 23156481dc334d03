"""The order book of the selected market. Until the DLOB feed exists it says so."""

from textual.content import Content

from rekt_tui.tui.formatting import orderbook_placeholder
from rekt_tui.tui.widgets.panel import Panel


class OrderbookPanel(Panel):
    def __init__(self) -> None:
        super().__init__("Order book", id="orderbook")

    def render(self) -> Content:
        return Content(orderbook_placeholder())
