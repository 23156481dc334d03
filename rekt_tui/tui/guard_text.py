"""The loss limit in the HUD: its cell (used / limit, from the start or the peak) and the
loud exit-only line in the HUD's title. Pure text, unit tested; short enough for a HUD
cell of 12 columns (80-column terminals)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from rekt_tui.tui.formatting import NOT_CONNECTED, HudReading
from rekt_tui.tui.tables import PLACEHOLDER

if TYPE_CHECKING:
    from rekt_tui.domain.loss_limit import GuardState

LIFT_KEY = "L"  # the dashboard's lift binding, named in the exit-only line
EXIT_ONLY_TONE = "-exit-only"
_QUOTE = Decimal(10**6)


def compact_usd(quote: int, *, up: bool) -> str:
    """Dollars in at most 6 cells: cents below $10, whole dollars below $1,000, then k and M.
    `up` rounds away from zero (a loss is never shown smaller than it is), else toward it
    (nor a limit larger)."""
    rounding = ROUND_CEILING if up else ROUND_DOWN
    dollars = Decimal(max(quote, 0)) / _QUOTE
    if dollars < 10:
        return f"${dollars.quantize(Decimal('0.01'), rounding=rounding)}"
    for scale, suffix in ((Decimal(10**6), "M"), (Decimal(1000), "k")):
        if dollars >= scale:
            scaled = dollars / scale
            places = Decimal("0.1") if scaled < 100 else Decimal(1)
            return f"${scaled.quantize(places, rounding=rounding).normalize():f}{suffix}"
    return f"${dollars.quantize(Decimal(1), rounding=rounding)}"


def _pct(value: Decimal, *, up: bool) -> str:
    rounding = ROUND_CEILING if up else ROUND_DOWN
    places = Decimal("0.1") if value < 10 else Decimal(1)
    return f"{value.quantize(places, rounding=rounding).normalize():f}%"


def loss_limit_reading(state: GuardState | None) -> HudReading:
    """The HUD cell: `$3.20/$25` or `1.2%/25%` used of the tightest limit, `EXIT-ONLY` after a breach."""
    if state is None or not state.enabled:
        return HudReading("loss_limit", "Loss limit", PLACEHOLDER if state is None else "off")
    label = f"Loss ({state.basis.value})"
    if state.breach is not None:
        return HudReading("loss_limit", label, "EXIT-ONLY", EXIT_ONLY_TONE)
    use = state.use
    if use is None:
        return HudReading("loss_limit", label, PLACEHOLDER)
    if state.unit.value == "usd":
        value = f"{compact_usd(use.loss, up=True)}/{compact_usd(use.allowed, up=False)}"
    else:
        used = Decimal(use.loss) * 100 / use.base if use.base > 0 else Decimal(0)
        value = f"{_pct(used, up=True)}/{_pct(use.limit, up=False)}"
    return HudReading("loss_limit", label, value, "-loss" if use.loss > 0 else "")


def hud_title(connected: bool, state: GuardState | None) -> str:
    """The HUD's border title; after a breach it says so across the top, with the way out."""
    title = "Account" if connected else f"Account · {NOT_CONNECTED}"
    if state is None or state.breach is None:
        return title
    scope = state.breach.scope
    stop = f" · auto-stop {state.auto_stop_at:%H:%M:%S} UTC" if state.auto_stop_at is not None else ""
    return f"{title} · EXIT-ONLY: {scope} loss limit breached{stop} · {LIFT_KEY} lifts"
