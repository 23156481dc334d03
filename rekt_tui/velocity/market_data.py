"""The relaunch's public market data: the DLOB and data API as for Drift, markets from our codec.

The order-book server and the data API keep Drift's paths (VELOCITY.md), so their reads and
parsers are shared with the Drift adapter's `DriftMarketData`; only the chain read differs:
PerpMarket accounts of the new layout, decoded by our codec, never driftpy.
"""

from __future__ import annotations

from solders.pubkey import Pubkey

from rekt_tui.domain.market_context import ChainMarket
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.drift.market_api import DriftMarketData
from rekt_tui.velocity import layouts
from rekt_tui.velocity.codec.program import VelocityProgram
from rekt_tui.velocity.domain_values import PERP_OPERATIONS, paused, snake

# The relaunch's PerpMarket carries no funding period in the pinned IDL: hourly, as Drift's (an assumption).
FUNDING_PERIOD_S = 3600


class VelocityMarketData(DriftMarketData):
    """`DriftMarketData` whose chain read decodes the relaunch's layouts."""

    def __init__(self, config: VenueConfig, data_api_url: str) -> None:
        super().__init__(config, data_api_url)
        self._program = VelocityProgram.pinned(Pubkey.from_string(config.program_id))

    async def _chain_markets(self) -> list[ChainMarket]:
        program = self._program
        (state_data,), _ = await self._accounts([program.pdas.state()])
        state = layouts.state(program, state_data)
        found, slot = await self._accounts([program.pdas.perp_market(i) for i in range(state.number_of_markets)])
        raws = [program.accounts.decode("PerpMarket", data) for data in found]
        perps = [layouts.perp_market(program, data) for data in found]
        oracles, _ = await self._accounts([m.oracle for m in perps])
        markets = []
        for market, raw, oracle in zip(perps, raws, oracles):
            price = layouts.oracle_price(program, oracle, "") or 0
            long, short = raw["base_asset_amount_long"], raw["base_asset_amount_short"]
            rate, ts = raw["last_funding_rate"], raw["last_funding_rate_ts"]
            assert isinstance(long, int) and isinstance(short, int) and isinstance(rate, int) and isinstance(ts, int)
            markets.append(
                ChainMarket(
                    market_index=market.market_index, symbol=market.symbol, slot=slot, oracle_price=price,
                    reserve_price=market.last_fill_price or None, base_long=long, base_short=-short,
                    last_funding_rate=rate, last_funding_oracle_twap=price, last_funding_rate_ts=ts,
                    funding_period=FUNDING_PERIOD_S, status=snake(market.status),
                    paused_operations=paused(market.paused_operations, PERP_OPERATIONS),
                )
            )  # fmt: skip
        return sorted(markets, key=lambda m: m.market_index)


def open_velocity_market_data(config: VenueConfig, data_api_url: str) -> VelocityMarketData:
    return VelocityMarketData(config, data_api_url)
