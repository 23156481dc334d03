"""Price levels and how resting liquidity is aggregated into them."""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(slots=True)
class Level:
    """Liquidity at one price: total size and the size each source contributes (1e9)."""

    price: int
    size: int
    sources: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "price": str(self.price),
            "size": str(self.size),
            "sources": {name: str(size) for name, size in self.sources.items()},
        }


def aggregate(levels: Iterable[Level], *, bids: bool) -> list[Level]:
    """Merge levels at equal prices, summing sizes per source; best price first."""
    merged: dict[int, Level] = {}
    for level in levels:
        target = merged.get(level.price)
        if target is None:
            merged[level.price] = Level(level.price, level.size, dict(level.sources))
            continue
        target.size += level.size
        for name, size in level.sources.items():
            target.sources[name] = target.sources.get(name, 0) + size
    return sorted(merged.values(), key=lambda level: -level.price if bids else level.price)
