"""A bare app that opens the market screen on a given service: the screen as the cockpit pushes it."""

from textual.app import App

from rekt_tui.services.market_context import MarketContextService
from rekt_tui.tui.screens.market import MarketScreen


class MarketHost(App[None]):
    def __init__(
        self, service: MarketContextService, market: str = "SOL-PERP", own: str | None = None, *, live: bool = True
    ) -> None:
        super().__init__()
        self.screen_args = (service, market, own)
        self.live = live
        self.chosen: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(MarketScreen(*self.screen_args, live=self.live), self.chosen.append)
