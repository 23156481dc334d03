"""Closing a position: what share (25/50/75/100 %) or every position, previewed before a yes.

The screen previews the very reduce-only order a close sends for the share chosen; `y`
answers with the choice and the app's worker signs it, so leaving this screen never
cancels a transaction on its way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.trading import Position
from rekt_tui.tui.screens.order_entry import preview_text

if TYPE_CHECKING:
    from rekt_tui.tui.session_controller import SessionController


@dataclass(frozen=True)
class CloseChoice:
    market: str | None  # None: every position
    percent: int


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
        Binding("y", "answer", "Confirm"),
        Binding("n,escape", "dismiss_none", "Cancel"),
    ]

    def __init__(self, position: Position, sessions: SessionController) -> None:
        super().__init__(id="close-position")
        self.position = position
        self._sessions = sessions
        self.choice = CloseChoice(position.symbol, 100)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog") as dialog:
            dialog.border_title = "Close position"
            dialog.border_subtitle = "1-4 25/50/75/100% · a every position · y confirms · n cancels"
            yield Static(id="close-question", markup=False)

    def on_mount(self) -> None:
        self.action_share(100)

    def action_share(self, percent: int) -> None:
        self.choice = CloseChoice(self.position.symbol, percent)
        self._preview(percent)

    def action_all(self) -> None:
        self.choice = CloseChoice(None, 100)
        self.workers.cancel_group(self, "close-preview")
        self._say("Close every position with reduce-only market orders?")

    @work(group="close-preview", exclusive=True, exit_on_error=False)
    async def _preview(self, percent: int) -> None:
        position = self.position
        share = "the" if percent == 100 else f"{percent}% of the"
        try:
            plan = await self._sessions.orders().preview_close(position.symbol, percent)
        except RektError as error:
            self._say(error.message)
            return
        self._say(f"Close {share} {position.symbol} {position.direction.value} with a reduce-only market "
                  f"order?\n\n{preview_text(plan)}")  # fmt: skip

    def _say(self, text: str) -> None:
        self.query_one("#close-question", Static).update(text)

    def action_answer(self) -> None:
        self.dismiss(self.choice)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
