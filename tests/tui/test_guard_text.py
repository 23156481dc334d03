"""The loss limit's HUD text: used / limit in the rule's unit, never smaller than the loss
nor larger than the limit, short enough for a 12-column cell, and EXIT-ONLY after a breach."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rich.cells import cell_len

from rekt_tui.domain.loss_limit import Breach, GuardState, LimitUse, LossBasis, LossUnit
from rekt_tui.tui.guard_text import compact_usd, hud_title, loss_limit_reading

USD = 10**6
BREACH = Breach("day", datetime(2026, 12, 1, 9, 30, tzinfo=UTC), "Equity $90.00 is $10.00 below $100.00")


def watching(unit: LossUnit, basis: LossBasis, loss: int, allowed: int, limit: str, reference: int = 100 * USD):
    use = LimitUse("session", Decimal(limit), reference, loss, allowed, base=reference)
    return GuardState(True, unit, basis, equity=reference - loss, reference=reference, use=use)


@pytest.mark.parametrize(("quote", "up", "text"), [
    (3_201_000, True, "$3.21"), (3_201_000, False, "$3.20"), (25 * USD, False, "$25"),
    (999_400_000, True, "$1000"), (1_234_560_000, False, "$1.2k"), (1_234_560_000, True, "$1.3k"),
    (250_000 * USD, False, "$250k"), (3_500_000 * USD, False, "$3.5M"), (-5, True, "$0.00"),
])  # fmt: skip
def test_compact_usd_rounds_losses_up_and_limits_down(quote, up, text):
    assert compact_usd(quote, up=up) == text


def test_usd_and_pct_readings_fit_a_cell():
    usd = loss_limit_reading(watching(LossUnit.USD, LossBasis.PEAK, 3_201_000, 25 * USD, "25"))
    assert (usd.label, usd.value, usd.tone) == ("Loss (peak)", "$3.21/$25", "-loss")
    pct = loss_limit_reading(watching(LossUnit.PCT, LossBasis.START, 1_230_000, 25 * USD, "25"))
    assert (pct.label, pct.value) == ("Loss (start)", "1.3%/25%")
    worst = loss_limit_reading(watching(LossUnit.USD, LossBasis.START, 999_999 * USD, 999_999 * USD, "999999",
                                        reference=10**6 * USD))  # fmt: skip
    for reading in (usd, pct, worst):
        assert max(cell_len(reading.label), cell_len(reading.value)) <= 12, reading


def test_off_unknown_and_exit_only():
    assert loss_limit_reading(None).value == "—"
    assert loss_limit_reading(GuardState(False)).value == "off"
    assert loss_limit_reading(GuardState(True, LossUnit.USD, LossBasis.PEAK)).value == "—"
    exit_only = GuardState(True, LossUnit.USD, LossBasis.PEAK, equity=90 * USD, reference=100 * USD, breach=BREACH)
    reading = loss_limit_reading(exit_only)
    assert (reading.value, reading.tone) == ("EXIT-ONLY", "-exit-only")
    assert hud_title(True, exit_only) == "Account · EXIT-ONLY: day loss limit breached · L lifts"
    stopping = GuardState(True, breach=BREACH, auto_stop_at=datetime(2026, 12, 1, 9, 31, tzinfo=UTC))
    assert "auto-stop 09:31:00 UTC" in hud_title(True, stopping)
    assert hud_title(False, None) == "Account · not connected" and hud_title(True, GuardState(True)) == "Account"
