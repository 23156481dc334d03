"""The oracle feed: every slot, each asset's PrelaunchOracle gets a new price.

Prices follow a seeded geometric random walk with a realistic annual volatility scaled to
the nominal slot length, so the same seed, start prices and slot length give the same
path on every machine. A replay file (see `oracle_replay`) can drive some or all assets
instead, and `set_price` moves one at once (the walk then continues from there).

Oracles are written through `ledger.put`, so driftpy sees them over `accountSubscribe`
like any oracle update. Each perp market's AMM is repegged to its oracle in the same
step (the peg follows the oracle; reserves, and so the AMM's inventory skew, stay as
the program left them) together with the oracle fields the program keeps on the market.
Both are patched in place (see `oracle_layout`). USDC is not walked: it stays at its
price unless set.
"""

import math
import random
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from driftpy.addresses import get_perp_market_public_key

from rekt_localnet.errors import LocalnetError
from rekt_localnet.genesis import CONFIDENCE_DIVISOR, oracle_address
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.ledger import Ledger
from rekt_localnet.markets import DEFAULT_PRICES, PERP_MARKETS
from rekt_localnet.oracle_layout import oracle_fields, perp_market_fields
from rekt_localnet.oracle_replay import Replay
from rekt_localnet.programs.drift.twaps import time_weighted

PRICE_PRECISION = 10**6
SECONDS_PER_YEAR = 365 * 24 * 3600
# Annualised volatility of each walked asset (roughly their realised volatility).
ANNUAL_VOLATILITY = {"SOL": 0.75, "BTC": 0.60, "ETH": 0.70}
# TWAP windows Drift keeps on a market: the funding period and five minutes.
TWAP_SECONDS = 3600
TWAP5MIN_SECONDS = 300


class OraclePriceError(LocalnetError):
    """An oracle price or market name that cannot be used."""


def asset_for(market: object) -> str:
    """The oracle asset behind a market name ("SOL-PERP", "sol", "USDC") or perp index."""
    if isinstance(market, int) and not isinstance(market, bool):
        for spec in PERP_MARKETS:
            if spec.market_index == market:
                return spec.asset
        raise OraclePriceError(f"there is no perp market {market}; use 0 to {len(PERP_MARKETS) - 1}.")
    if isinstance(market, str):
        name = market.strip().upper()
        for spec in PERP_MARKETS:
            if name in (spec.symbol, spec.asset):
                return spec.asset
        if name in DEFAULT_PRICES:
            return name
    known = ", ".join([spec.symbol for spec in PERP_MARKETS] + sorted(DEFAULT_PRICES))
    raise OraclePriceError(f"unknown market {market!r}; use one of {known} or a perp market index.")


def parse_price(text: object) -> int:
    """A positive decimal price ("151.25") as an exact integer in 1e6."""
    if not isinstance(text, str):
        raise OraclePriceError(f"price {text!r} must be a decimal string such as \"151.25\".")
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise OraclePriceError(f"price {text!r} is not a decimal number.") from None
    if not value.is_finite() or value <= 0:
        raise OraclePriceError(f"price {text!r} must be a positive number.")
    scaled = value * PRICE_PRECISION
    if scaled != scaled.to_integral_value():
        raise OraclePriceError(f"price {text!r} has more than 6 decimals.")
    return int(scaled)


class OracleFeed:
    """Moves oracle prices; `tick` is one step of the slot loop (before the keeper)."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        seed: int,
        slot_ms: int,
        walk: bool = True,
        replay: Replay | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ledger = ledger
        self._clock = clock
        self._replay = replay
        self._start_slot: int | None = None
        replayed = replay.assets if replay is not None else frozenset()
        walked = [asset for asset in ANNUAL_VOLATILITY if walk and asset not in replayed]
        self._rngs = {asset: random.Random(f"rekt-tui oracle walk {seed} {asset}") for asset in walked}
        years_per_slot = slot_ms / 1000 / SECONDS_PER_YEAR
        self._sigma = {asset: ANNUAL_VOLATILITY[asset] * math.sqrt(years_per_slot) for asset in walked}

    def price(self, asset: str) -> int:
        """The asset's current oracle price in 1e6, as the ledger holds it."""
        return oracle_fields().price.read(self._ledger.get(oracle_address(asset)).data)

    def tick(self, slot: int) -> None:
        """Move every driven asset one slot."""
        if self._start_slot is None:
            self._start_slot = slot
        if self._replay is not None:
            for asset, price in self._replay.prices_at(slot - self._start_slot).items():
                self._write(asset, price, slot)
        for asset, rng in self._rngs.items():
            current = self.price(asset)
            step = math.exp(self._sigma[asset] * rng.gauss(0.0, 1.0))
            self._write(asset, max(1, round(current * step)), slot)

    def set_price(self, market: object, price: int) -> str:
        """Set one asset's price now; returns the asset. The walk continues from it."""
        asset = asset_for(market)
        if price <= 0:
            raise OraclePriceError(f"price {price} must be positive.")
        self._write(asset, price, self._ledger.slot)
        return asset

    def _write(self, asset: str, price: int, slot: int) -> None:
        key = oracle_address(asset)
        current = self._ledger.get(key)
        fields = oracle_fields()
        data = bytearray(current.data)
        for field, value in (
            (fields.price, price),
            (fields.max_price, price),
            (fields.confidence, price // CONFIDENCE_DIVISOR),
            (fields.last_update_slot, slot),
            (fields.amm_last_update_slot, slot),
        ):
            field.write(data, value)
        self._ledger.put(key, replace(current, data=bytes(data)))
        for spec in PERP_MARKETS:
            if spec.asset == asset:
                self._repeg(spec.market_index, price)

    def _repeg(self, market_index: int, price: int) -> None:
        key = get_perp_market_public_key(DRIFT_PROGRAM_ID, market_index)
        account = self._ledger.get(key)
        fields = perp_market_fields()
        data = bytearray(account.data)
        now = int(self._clock())
        last_ts = fields.last_oracle_price_twap_ts.read(data)
        twap = time_weighted(fields.last_oracle_price_twap.read(data), price, last_ts, now, TWAP_SECONDS)
        twap5min = time_weighted(fields.last_oracle_price_twap5min.read(data), price, last_ts, now, TWAP5MIN_SECONDS)
        for field, value in (
            (fields.peg_multiplier, price),
            (fields.last_oracle_price, price),
            (fields.last_oracle_conf, price // CONFIDENCE_DIVISOR),
            (fields.last_oracle_delay, 0),
            (fields.last_oracle_price_twap, twap),
            (fields.last_oracle_price_twap5min, twap5min),
            (fields.last_oracle_price_twap_ts, now),
        ):
            field.write(data, value)
        self._ledger.put(key, replace(account, data=bytes(data)))
