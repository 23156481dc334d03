"""The HUD bar: every account figure as a cell, a label over its value, drawn by one widget.

A HUD frame comes with nearly every slot, and Textual's cost per widget painted was most of
it: a dozen cell widgets took 1.7–2.5 ms a frame, one widget drawing its lines 0.3 ms. The
cells are laid out as a grid of the stylesheet's `grid-size` columns and `grid-gutter` would
lay them out, and a changed figure repaints only its own cell.

The last cell is the loss limit; after a breach it and the bar's title say EXIT-ONLY."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor
from typing import TYPE_CHECKING

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.reactive import reactive, var
from textual.strip import Strip

from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.formatting import HudReading, hud_readings
from rekt_tui.tui.guard_text import EXIT_ONLY_TONE, hud_title, loss_limit_reading
from rekt_tui.tui.widgets.panel import FreshnessAware

if TYPE_CHECKING:
    from rekt_tui.domain.loss_limit import GuardState

CELL_LINES = 2  # the label, then the value
STALE_TONE = "-stale-age"  # the data age, once the account feed is stale
TONE_STYLES = {"-gain": "hud--gain", "-loss": "hud--loss", EXIT_ONLY_TONE: "hud--exit-only", STALE_TONE: "hud--stale"}


def cell_places(width: int, columns: int, gutter: int) -> list[tuple[int, int]]:
    """(x, width) of each of `columns` equal cells across `width`, `gutter` apart: the
    offsets rounded down from exact fractions, as Textual's grid places `1fr` columns."""
    unit = Fraction(max(0, width - gutter * (columns - 1)), columns)
    starts = [floor(column * (unit + gutter)) for column in range(columns)]
    return [(start, floor(column * (unit + gutter) + unit) - start) for column, start in enumerate(starts)]


class CellStyles:
    """The HUD's styles for one repaint: asking for a component style walks the stylesheet."""

    def __init__(self, hud: Hud) -> None:
        self.base = hud.rich_style
        self.lines = tuple(hud.get_component_rich_style(name, partial=True) for name in ("hud--label", "hud--value"))
        self.tones = {tone: hud.get_component_rich_style(name, partial=True) for tone, name in TONE_STYLES.items()}

    def of(self, reading: HudReading, line: int) -> Style:
        """A label in its muted colour on its cell's background; a value bold, in its tone's colour."""
        tone = self.tones[reading.tone] if reading.tone else Style()
        if line:
            return self.base + self.lines[1] + tone
        return self.base + Style(bgcolor=tone.bgcolor) + self.lines[0]


class Hud(FreshnessAware):
    """Account health at a glance. Until an account feed exists every figure says so."""

    COMPONENT_CLASSES = set(TONE_STYLES.values()) | {"hud--label", "hud--value"}

    cluster: reactive[str | None] = reactive(None)
    max_leverage: reactive[Decimal | None] = reactive(None)
    account: reactive[AccountSnapshot | None] = var(None)
    oracle_price: reactive[int | None] = var(None)
    market: reactive[str] = var("")  # whose oracle the bar shows: the dashboard's market
    slot: reactive[int | None] = var(None)  # the chain's, newest of the feeds'
    guard: reactive[GuardState | None] = var(None)  # the loss limit, as the watcher last saw it

    def __init__(self) -> None:
        # What each cell shows, by reading key, in the order the cells are laid out: nothing known yet.
        self._shown = {reading.key: reading for reading in (*hud_readings(None, None), loss_limit_reading(None))}
        super().__init__(id="hud")
        self.border_title = hud_title(False, None)
        self._styles: CellStyles | None = None  # taken afresh at each repaint

    def reading(self, key: str) -> HudReading:
        """What the cell `key` shows now."""
        return self._shown[key]

    # Layout and drawing

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return CELL_LINES * ceil(len(self._shown) / self._columns())

    def render_lines(self, crop: Region) -> list[Strip]:
        self._styles = CellStyles(self)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        styles = self._styles or CellStyles(self)
        top, line = y - y % CELL_LINES, y % CELL_LINES
        segments, at = [], 0
        for key, region in self.cell_regions().items():
            if region.y != top:
                continue
            if region.x > at:
                segments.append(Segment(" " * (region.x - at), styles.base))
            reading = self._shown[key]
            text = reading.value if line else reading.label
            segments.append(Segment(set_cell_size(text, region.width), styles.of(reading, line)))
            at = region.right
        return Strip(segments).crop_extend(0, self.size.width, styles.base)

    def cell_regions(self) -> dict[str, Region]:
        """Where each cell is drawn within the bar's content, by reading key."""
        columns = self._columns()
        places = cell_places(self.size.width, columns, self.styles.grid_gutter_vertical)
        regions = {}
        for index, key in enumerate(self._shown):
            x, width = places[index % columns]
            regions[key] = Region(x, index // columns * CELL_LINES, width, CELL_LINES)
        return regions

    def _columns(self) -> int:
        return max(1, self.styles.grid_size_columns or len(self._shown))

    # What the figures are

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

    def watch_market(self) -> None:
        self._show_readings()

    def watch_slot(self) -> None:
        self._show_readings()

    def watch_age_s(self) -> None:
        self._show_readings()

    def watch_stale(self, stale: bool) -> None:
        super().watch_stale(stale)
        self._show_readings()

    def _show_title(self) -> None:
        self.border_title = hud_title(self.account is not None, self.guard)

    def _readings(self) -> tuple[HudReading, ...]:
        figures = hud_readings(self.cluster, self.max_leverage, self.account, self.oracle_price, self.age_s, self.slot,
                               self.market)  # fmt: skip
        if self.stale:  # the age says how old every account figure is: loud once they are stale
            figures = tuple(replace(f, tone=STALE_TONE) if f.key == "data_age" else f for f in figures)
        return (*figures, loss_limit_reading(self.guard))

    def _show_readings(self) -> None:
        for reading in self._readings():
            if self._shown.get(reading.key) != reading:  # most figures stay put while one moves
                self._shown[reading.key] = reading
                if self.size:
                    self.refresh(self.cell_regions()[reading.key])
                else:
                    self.refresh()


def _exit_only(state: GuardState | None) -> bool:
    return state is not None and state.exit_only
