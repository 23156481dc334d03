"""Closing a position: what share (25/50/75/100 %), every position, or reversing it, previewed before a yes.

The screen previews the very reduce-only order a close sends for the share chosen, or the
market order of twice the size the other way that reverses it (guarded like any opening
order); `y` answers with the choice and the app's worker signs it, so leaving this screen
never cancels a transaction on its way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.trading import Order, Position
from rekt_tui.tui.order_text import preview_text

if TYPE_CHECKING:
    from rekt_tui.tui.session_controller import SessionController


@dataclass(frozen=True)
class CloseChoice:
    market: str | None  # None: every position
    percent: int
    reverse: bool = False  # turn the position around instead of closing it


class ClosePositionScreen(ModalScreen[CloseChoice | None], inherit_bindings=False):
    DEFAULT_CSS = """
    ClosePositionScreen { align: center middle; }
    """
    BINDINGS = [
        Binding("1", "share(25)", "25%"),
        Binding("2", "share(50)", "50%"),
        Binding("3", "share(75)", "75%"),
        Binding("4", "share(100)", "All of it"),
        Binding("a", "all", "Every position"),
        Binding("v", "reverse", "Reverse"),
        Binding("y", "answer", "Confirm"),
        Binding("n,escape", "dismiss_none", "Cancel"),
    ]

    def __init__(
        self, position: Position, sessions: SessionController, *, reverse: bool = False,
        legs: Mapping[int, tuple[Order, ...]] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(id="close-position")
        self.position = position
        self._legs = legs or {}  # by market: the protection a full close ends once it fills
        self._sessions = sessions
        self.choice = CloseChoice(position.symbol, 100, reverse)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog") as dialog:
            dialog.border_title = _title(self.choice)
            dialog.border_subtitle = "1-4 25/50/75/100% · a every position · v reverse · y confirms · n cancels"
            yield Static(id="close-question", markup=False)

    def on_mount(self) -> None:
        if self.choice.reverse:
            self.action_reverse()
        else:
            self.action_share(100)

    def action_reverse(self) -> None:
        self._choose(CloseChoice(self.position.symbol, 100, reverse=True))
        self._preview_reverse()

    @work(group="close-preview", exclusive=True, exit_on_error=False)
    async def _preview_reverse(self) -> None:
        """The reversing order's preview and guards: it opens risk, so it may be refused."""
        orders = self._sessions.orders()
        try:
            plan = await orders.plan_reverse(self.position.symbol)
        except RektError as error:
            self._say(error.message)
            return
        refusals = "".join(f"\n✗ {r.sentence}" for r in plan.refusals)
        self._say(f"Reverse the {self.position.symbol} {self.position.direction.value} with one market order of "
                  f"twice its size?\n\n{preview_text(plan)}{refusals}")  # fmt: skip

    def action_share(self, percent: int) -> None:
        self._choose(CloseChoice(self.position.symbol, percent))
        self._preview(percent)

    def action_all(self) -> None:
        self._choose(CloseChoice(None, 100))
        self.workers.cancel_group(self, "close-preview")
        self._say(f"Close every position with reduce-only market orders?{legs_note(every_leg(self._legs))}")

    @work(group="close-preview", exclusive=True, exit_on_error=False)
    async def _preview(self, percent: int) -> None:
        position = self.position
        share = "the" if percent == 100 else f"{percent}% of the"
        orders = self._sessions.orders()
        try:
            plan = await orders.preview_close(position.symbol, percent)
        except RektError as error:
            self._say(error.message)
            return
        legs = legs_note(self._legs.get(position.market_index, ())) if percent == 100 else ""
        if legs:  # flat, the legs are orders that could open risk: the margin after the fill counts them
            legs += " Until then they hold margin as open orders: the free collateral after counts it."
        self._say(f"Close {share} {position.symbol} {position.direction.value} with a reduce-only market "
                  f"order?\n\n{preview_text(plan)}{stale_note(orders.stale_for_s())}{legs}")  # fmt: skip

    def _choose(self, choice: CloseChoice) -> None:
        """The choice `y` answers with, and the dialog's title naming it."""
        self.choice = choice
        self.query_one("#confirm-dialog").border_title = _title(choice)

    def _say(self, text: str) -> None:
        self.query_one("#close-question", Static).update(text)

    def action_answer(self) -> None:
        self.dismiss(self.choice)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def _title(choice: CloseChoice) -> str:
    if choice.reverse:
        return "Reverse position"
    return "Close position" if choice.market is not None else "Close every position"


def every_leg(legs: Mapping[int, tuple[Order, ...]]) -> list[Order]:
    """The protection of every market, from the by-market view `DashboardScreen.protection` gives."""
    return [leg for market_legs in legs.values() for leg in market_legs]


def legs_note(legs: Sequence[Order]) -> str:
    """What a full close does to the take-profit / stop-loss it leaves: a paragraph, or nothing."""
    if not legs:
        return ""
    numbers = ", ".join(f"#{o.order_id}" for o in legs)
    return (f"\n\nTake-profit / stop-loss {numbers} are cancelled once the close has filled; "
            "they stay if its auction ends unfilled.")  # fmt: skip


def stale_note(age_s: float | None) -> str:
    """What a preview from stale data must say: its figures, and the close's auction, are that old."""
    if age_s is None:
        return ""
    age = "never received" if age_s == float("inf") else f"{age_s:.0f} s old"
    return (f"\n\n⚠ The live data is stale ({age}): these figures, and the auction's prices, come from it. "
            "If the market has moved since, the close can end unfilled.")
