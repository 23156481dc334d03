"""The trades tape: recent fills, newest first, coalesced by second, side and price; the
session's own fills marked and highlighted."""

from datetime import UTC, datetime

from textual.content import Content
from textual.widgets import Static

from rekt_tui.domain.market_context import TapeRow, Trade, base_text, coalesce
from rekt_tui.domain.markets import format_price
from rekt_tui.domain.records import Direction

TAPE_ROWS = 200


def _row(row: TapeRow) -> Content:
    style = "$text-success" if row.side is Direction.LONG else "$text-error"
    when = datetime.fromtimestamp(row.ts, UTC).strftime("%H:%M:%S")
    line = Content.assemble(
        when, "◆" if row.own else " ", (f"{'buy' if row.side is Direction.LONG else 'sell':<4}", style),
        f"{base_text(row.base, 3):>7} ", (format_price(row.price), style),
    )  # fmt: skip
    return line.stylize("reverse") if row.own else line


def tape_content(trades: tuple[Trade, ...], own_account: str | None, rows: int) -> Content:
    if not trades:
        return Content("No trades in this market yet.")
    return Content("\n").join(_row(row) for row in coalesce(trades, own_account)[:rows])


class MarketTape(Static):
    DEFAULT_CSS = """
    MarketTape { height: 1fr; }
    MarketTape.-drawn { text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, own_account: str | None) -> None:
        super().__init__("Reading trades…", id="market-tape", classes="market-panel")
        self.border_title = "Trades"
        self.own_account = own_account
        self.shown = False

    def show(self, trades: tuple[Trade, ...], note: str | None, *, live: bool = False) -> None:
        """The newest trades; with a `note` they are greyed and the note says why (no trades yet: the note alone)."""
        self.border_title = "Trades  live" if live else "Trades"
        if trades or note is None:  # its height is the panel's share, not its text's: no relayout
            self.update(tape_content(trades, self.own_account, self.rows()), layout=False)
            self.shown = True
            self.add_class("-drawn")
        if note is not None:
            self.failed(note)
            return
        self.border_subtitle = "◆ yours" if self.own_account else ""
        self.set_class(False, "-stale")

    def rows(self) -> int:
        """Rows that fit (all kept trades before the first layout): never format what is not shown."""
        return self.content_region.height or TAPE_ROWS

    def failed(self, sentence: str) -> None:
        """Keep the last trades, greyed, and say why they are old; or just say it."""
        if not self.shown:
            self.update(sentence)
        self.border_subtitle = sentence
        self.set_class(True, "-stale")
