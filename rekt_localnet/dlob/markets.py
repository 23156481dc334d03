"""The markets the DLOB API answers for, found by name or by type and index.

Names and error texts follow the DLOB server: perp markets by symbol (SOL-PERP), spot
markets by token symbol (SOL, USDC), case-insensitive.
"""

from dataclasses import dataclass

from solders.pubkey import Pubkey
from driftpy.addresses import get_perp_market_public_key, get_spot_market_public_key

from rekt_localnet.genesis import oracle_address
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.markets import PERP_MARKETS, SPOT_MARKETS

PERP = "perp"
SPOT = "spot"


class MarketQueryError(ValueError):
    """A request named no market, or one that does not exist (answered with HTTP 400)."""


@dataclass(frozen=True, slots=True)
class DlobMarket:
    name: str
    market_type: str
    index: int
    address: Pubkey
    oracle: Pubkey
    tick_size: int
    step_size: int

    @property
    def key(self) -> tuple[str, int]:
        return self.market_type, self.index

    @property
    def channel_suffix(self) -> str:
        return f"{self.market_type}_{self.index}"


MARKETS = tuple(
    DlobMarket(
        spec.symbol, PERP, spec.market_index, get_perp_market_public_key(DRIFT_PROGRAM_ID, spec.market_index),
        oracle_address(spec.asset), spec.order_tick_size, spec.order_step_size,
    )
    for spec in PERP_MARKETS
) + tuple(
    DlobMarket(
        spec.symbol, SPOT, spec.market_index, get_spot_market_public_key(DRIFT_PROGRAM_ID, spec.market_index),
        oracle_address(spec.asset), spec.order_tick_size, spec.order_step_size,
    )
    for spec in SPOT_MARKETS
)
BY_KEY = {market.key: market for market in MARKETS}
BY_NAME = {market.name: market for market in MARKETS}


def by_name(name: str, market_type: str | None = None) -> DlobMarket:
    market = BY_NAME.get(name.strip().upper())
    if market is None or (market_type is not None and market.market_type != market_type.lower()):
        raise MarketQueryError(f"Bad Request: unrecognized marketName {name!r}")
    return market


def from_query(query) -> DlobMarket:
    """The market a request names with `marketName`, or `marketIndex` and `marketType`."""
    name = query.get("marketName")
    if name:
        return by_name(name)
    index, market_type = query.get("marketIndex"), query.get("marketType")
    if index is None or market_type is None:
        raise MarketQueryError("Bad Request: (marketName) or (marketIndex and marketType) must be supplied")
    if market_type.lower() not in (PERP, SPOT):
        raise MarketQueryError('Bad Request: marketType must be either "spot" or "perp"')
    try:
        return BY_KEY[(market_type.lower(), int(index))]
    except (ValueError, KeyError):
        raise MarketQueryError(f"Bad Request: invalid marketIndex {index!r} for marketType {market_type}") from None
