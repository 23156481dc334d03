"""The banner a liquidation leaves: the chain recorded one on the followed session's account.

It shows the watcher's sentence (what was closed, at what price, the transaction) for as
long as the cockpit runs: a liquidation is not something to read once in a toast. The
alert log in the registry keeps it beyond that."""

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


class LiquidationBanner(Widget):
    liquidation: reactive[str | None] = reactive(None)

    def __init__(self) -> None:
        super().__init__(id="liquidation-banner")

    def render(self) -> Content:
        return Content(f"LIQUIDATED · {self.liquidation or ''}")

    def watch_liquidation(self, liquidation: str | None) -> None:
        self.display = liquidation is not None
