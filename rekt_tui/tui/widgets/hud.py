"""The HUD bar: one cell per account figure, so a changed figure repaints only its cell."""

from decimal import Decimal

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive, var
from textual.widget import Widget

from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.formatting import NOT_CONNECTED, HudReading, hud_readings
from rekt_tui.tui.widgets.panel import FreshnessAware

_TONES = ("-gain", "-loss")


class HudCell(Widget):
    """A label over its value; its tone class colours figures whose sign matters."""

    value: reactive[str] = reactive("")

    def __init__(self, reading: HudReading) -> None:
        super().__init__(id=f"hud-{reading.key}")
        self.label = reading.label
        self.set_reactive(HudCell.value, reading.value)

    def render(self) -> Content:
        return Content.assemble((self.label, "$text-muted"), "\n", (self.value, "bold"))

    def show(self, reading: HudReading) -> None:
        self.value = reading.value
        for tone in _TONES:
            self.set_class(tone == reading.tone, tone)


class Hud(FreshnessAware):
    """Account health at a glance. Until an account feed exists every figure says so."""

    cluster: reactive[str | None] = reactive(None)
    max_leverage: reactive[Decimal | None] = reactive(None)
    account: reactive[AccountSnapshot | None] = var(None)
    oracle_price: reactive[int | None] = var(None)
    slot: reactive[int | None] = var(None)  # the chain's, newest of the feeds'

    def __init__(self) -> None:
        super().__init__(id="hud")
        self.border_title = f"Account · {NOT_CONNECTED}"

    def compose(self) -> ComposeResult:
        for reading in self._readings():
            yield HudCell(reading)

    def watch_cluster(self) -> None:
        self._show_readings()

    def watch_max_leverage(self) -> None:
        self._show_readings()

    def watch_account(self, old: AccountSnapshot | None, account: AccountSnapshot | None) -> None:
        if (old is None) != (account is None):  # setting a title repaints the whole bar, even when unchanged
            self.border_title = f"Account · {NOT_CONNECTED}" if account is None else "Account"
        self._show_readings()

    def watch_oracle_price(self) -> None:
        self._show_readings()

    def watch_slot(self) -> None:
        self._show_readings()

    def watch_age_s(self) -> None:
        self._show_readings()

    def _readings(self) -> tuple[HudReading, ...]:
        return hud_readings(self.cluster, self.max_leverage, self.account, self.oracle_price, self.age_s, self.slot)

    def _show_readings(self) -> None:
        cells = {cell.id: cell for cell in self.query(HudCell)}
        for reading in self._readings():
            cell = cells.get(f"hud-{reading.key}")
            if cell is not None:
                cell.show(reading)
