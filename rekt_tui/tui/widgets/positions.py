"""Open perp positions. Until the account feed exists it says why the panel is empty."""

from textual.content import Content
from textual.reactive import reactive

from rekt_tui.domain.status import ShellStatus
from rekt_tui.tui.formatting import positions_placeholder
from rekt_tui.tui.widgets.panel import Panel


class PositionsPanel(Panel):
    status: reactive[ShellStatus | None] = reactive(None)

    def __init__(self) -> None:
        super().__init__("Positions", id="positions")

    def render(self) -> Content:
        return Content(positions_placeholder(self.status))
