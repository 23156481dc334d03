"""Strategy presets: how hard a session may lean and how its market orders auction."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class StrategyPreset:
    name: str
    max_leverage: Decimal
    slippage_bps: int
    auction_duration_s: int


DEFAULT_STRATEGY = "balanced"

DEFAULT_PRESETS: dict[str, StrategyPreset] = {
    preset.name: preset
    for preset in (
        StrategyPreset("aggressive", Decimal(10), 75, 3),
        StrategyPreset("balanced", Decimal(5), 50, 5),
        StrategyPreset("high_conviction", Decimal(3), 30, 8),
    )
}
