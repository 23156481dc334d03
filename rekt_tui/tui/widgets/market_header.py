"""The selected market's header: oracle, mark, premium, 24 h change and volume, open
interest per side, funding (last, predicted, annualized) with a countdown, and status."""

from textual.content import Content
from textual.widgets import Static

from rekt_tui.domain.market_context import (
    MarketContext, annualized, base_text, countdown_text, percent_text, quote_text,
)  # fmt: skip
from rekt_tui.domain.markets import format_price

NONE = "—"
# Where the header's figures beyond the chain come from: 24 h statistics, the book's mark, 24 h change.
HEADER_SOURCES = ("/contracts", "/l2", "/candles/60")


def _signed(text: str) -> tuple[str, str]:
    return text, "$text-success" if text.startswith("+") and text.strip("+0.%") else (
        "$text-error" if text.startswith("-") else ""
    )


def header_content(context: MarketContext, now: int) -> Content:
    chain, contract = context.chain, context.contract
    mark = NONE if context.mark_price is None else format_price(context.mark_price)
    status = chain.status
    if chain.paused_operations:
        status += f", paused: {', '.join(sorted(chain.paused_operations))}"
    first = Content.assemble(
        (chain.symbol, "bold"), "  oracle ", format_price(chain.oracle_price), "  mark ", mark,
        "  prem ", _signed(percent_text(context.premium, 3)), "  24h ", _signed(percent_text(context.change_24h)),
    )  # fmt: skip
    second = Content.assemble(
        "vol ", NONE if contract is None else quote_text(contract.quote_volume),
        "  OI long ", base_text(chain.base_long), " / short ", base_text(chain.base_short), "  ", (status, "$text-muted"),
    )  # fmt: skip
    third = Content.assemble(
        "funding/h ", _signed(percent_text(chain.last_hourly_rate, 4)),
        " (", percent_text(annualized(chain.last_hourly_rate)), "/y)  next ",
        _signed(percent_text(context.predicted_hourly, 4)), " in ", countdown_text(context.countdown_s(now)),
    )  # fmt: skip
    return Content("\n").join([first, second, third])


class MarketHeader(Static):
    DEFAULT_CSS = "MarketHeader { height: auto; min-height: 5; padding: 0 1; }"

    def __init__(self) -> None:
        super().__init__("Reading the market…", id="market-header", classes="market-panel")
        self.border_title = "Market"
        self.context: MarketContext | None = None

    def show(self, context: MarketContext, now: int, notes: tuple[str, ...]) -> None:
        """Fresh figures; a source of its own that failed (`HEADER_SOURCES`) greys it and is named."""
        self.context = context
        self.tick(now)
        own = [note for note in notes if any(source in note for source in HEADER_SOURCES)]
        self.border_subtitle = own[0] if own else ""
        self.set_class(bool(own), "-stale")

    def tick(self, now: int) -> None:
        """Repaint with the countdown at `now` (called every second)."""
        if self.context is not None:
            self.update(header_content(self.context, now))

    def failed(self, sentence: str) -> None:
        """Keep the last figures, greyed, and say why they are old; or just say it."""
        if self.context is None:
            self.update(sentence)
        self.border_subtitle = sentence
        self.set_class(True, "-stale")
