"""The HUD bar: one cell per account figure, so a changed figure repaints only its cell."""

from decimal import Decimal

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from rekt_tui.tui.formatting import NOT_CONNECTED, HudReading, hud_readings


class HudCell(Widget):
    """A label over its value."""

    value: reactive[str] = reactive("")

    def __init__(self, reading: HudReading) -> None:
        super().__init__(id=f"hud-{reading.key}")
        self.label = reading.label
        self.set_reactive(HudCell.value, reading.value)

    def render(self) -> Content:
        return Content.assemble((self.label, "$text-muted"), "\n", (self.value, "bold"))


class Hud(Widget):
    """Account health at a glance. Until an account feed exists every figure says so."""

    cluster: reactive[str | None] = reactive(None)
    max_leverage: reactive[Decimal | None] = reactive(None)

    def __init__(self) -> None:
        super().__init__(id="hud")
        self.border_title = f"Account · {NOT_CONNECTED}"

    def compose(self) -> ComposeResult:
        for reading in hud_readings(self.cluster, self.max_leverage):
            yield HudCell(reading)

    def watch_cluster(self) -> None:
        self._show_readings()

    def watch_max_leverage(self) -> None:
        self._show_readings()

    def _show_readings(self) -> None:
        cells = {cell.id: cell for cell in self.query(HudCell)}
        for reading in hud_readings(self.cluster, self.max_leverage):
            cell = cells.get(f"hud-{reading.key}")
            if cell is not None:
                cell.value = reading.value
