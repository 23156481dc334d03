"""The HUD bar: one cell per account figure, so a changed figure repaints only its cell.

The last cell is the loss limit; after a breach it and the bar's title say EXIT-ONLY."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive, var
from textual.widget import Widget

from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.formatting import HudReading, hud_readings
from rekt_tui.tui.guard_text import EXIT_ONLY_TONE, hud_title, loss_limit_reading
from rekt_tui.tui.widgets.panel import FreshnessAware

if TYPE_CHECKING:
    from rekt_tui.domain.loss_limit import GuardState

_TONES = ("-gain", "-loss", EXIT_ONLY_TONE)


class HudCell(Widget):
    """A label over its value; its tone class colours figures whose sign matters."""

    value: reactive[str] = reactive("")

    def __init__(self, reading: HudReading) -> None:
        super().__init__(id=f"hud-{reading.key}")
        self.label = reading.label
        self.set_reactive(HudCell.value, reading.value)
        self._shown: HudReading | None = None  # the reading last shown, tone included

    def render(self) -> Content:
        return Content.assemble((self.label, "$text-muted"), "\n", (self.value, "bold"))

    def show(self, reading: HudReading) -> None:
        if reading == self._shown:  # most figures stay put while one moves: nothing to set
            return
        self._shown = reading
        if reading.label != self.label:  # the loss limit's label names its basis once a watcher reports
            self.label = reading.label
            self.refresh()
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
    guard: reactive[GuardState | None] = var(None)  # the loss limit, as the watcher last saw it

    def __init__(self) -> None:
        super().__init__(id="hud")
        self.border_title = hud_title(False, None)
        self._cells: dict[str, HudCell] = {}  # by reading key: no DOM query each time a figure moves

    def compose(self) -> ComposeResult:
        for reading in self._readings():
            self._cells[reading.key] = HudCell(reading)
            yield self._cells[reading.key]

    def watch_cluster(self) -> None:
        self._show_readings()

    def watch_max_leverage(self) -> None:
        self._show_readings()

    def watch_account(self, old: AccountSnapshot | None, account: AccountSnapshot | None) -> None:
        if (old is None) != (account is None):  # setting a title repaints the whole bar, even when unchanged
            self._show_title()
        self._show_readings()

    def watch_guard(self, old: GuardState | None, guard: GuardState | None) -> None:
        if _exit_only(old) != _exit_only(guard) or (guard and old and guard.auto_stop_at != old.auto_stop_at):
            self._show_title()
        self.set_class(_exit_only(guard), EXIT_ONLY_TONE)
        self._show_readings()

    def watch_oracle_price(self) -> None:
        self._show_readings()

    def watch_slot(self) -> None:
        self._show_readings()

    def watch_age_s(self) -> None:
        self._show_readings()

    def _show_title(self) -> None:
        self.border_title = hud_title(self.account is not None, self.guard)

    def _readings(self) -> tuple[HudReading, ...]:
        figures = hud_readings(self.cluster, self.max_leverage, self.account, self.oracle_price, self.age_s, self.slot)
        return (*figures, loss_limit_reading(self.guard))

    def _show_readings(self) -> None:
        for reading in self._readings():
            cell = self._cells.get(reading.key)
            if cell is not None:
                cell.show(reading)


def _exit_only(state: GuardState | None) -> bool:
    return state is not None and state.exit_only
