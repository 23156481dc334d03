"""Order book snapshots per market, computed at most once per slot and market.

A snapshot is keyed by the ledger slot and the market's version in the order index: a
request, a websocket fan-out or the auction-params walk in the same slot reuse it. It
holds the maker levels (`sources.dlob`), the same merged with the AMM's levels
(`sources.vamm`, perp only), the individual orders for L3, and the oracle data.
"""

import time
from dataclasses import dataclass

from solders.pubkey import Pubkey

from rekt_localnet.dlob.amm import vamm_levels
from rekt_localnet.dlob.levels import Level, aggregate
from rekt_localnet.dlob.markets import PERP, DlobMarket
from rekt_localnet.dlob.orders import OrderIndex, RestingOrder
from rekt_localnet.encoding import decode_account
from rekt_localnet.ledger import Ledger


@dataclass(frozen=True, slots=True)
class OracleData:
    price: int
    slot: int
    confidence: int
    twap: int
    max_price: int

    def to_json(self) -> dict:
        return {
            "price": str(self.price),
            "slot": str(self.slot),
            "confidence": str(self.confidence),
            "hasSufficientNumberOfDataPoints": True,
            "twap": str(self.twap),
            "twapConfidence": str(self.confidence),
            "maxPrice": str(self.max_price),
        }


@dataclass(frozen=True, slots=True)
class L3Order:
    price: int
    size: int
    maker: Pubkey
    order_id: int

    def to_json(self) -> dict:
        return {"price": str(self.price), "size": str(self.size), "maker": str(self.maker), "orderId": self.order_id}


@dataclass(frozen=True, slots=True)
class Snapshot:
    market: DlobMarket
    slot: int
    market_slot: int
    oracle: OracleData
    maker_bids: list[Level]
    maker_asks: list[Level]
    bids: list[Level]  # makers and AMM
    asks: list[Level]
    l3_bids: list[L3Order]
    l3_asks: list[L3Order]

    def levels(self, *, bids: bool, include_vamm: bool) -> list[Level]:
        if include_vamm:
            return self.bids if bids else self.asks
        return self.maker_bids if bids else self.maker_asks


def _l3(orders: list[RestingOrder], oracle_price: int, *, bids: bool) -> list[L3Order]:
    """Orders in priority order: best price, then time (slot), then order id."""
    priced = [(order.price_at(oracle_price), order) for order in orders if order.is_bid == bids]
    priced.sort(key=lambda item: (-item[0] if bids else item[0], item[1].slot, item[1].order_id))
    return [L3Order(price, order.size, order.maker, order.order_id) for price, order in priced if price > 0]


class BookCache:
    """Snapshots of every market, rebuilt only when the slot or the market changed."""

    def __init__(self, ledger: Ledger, index: OrderIndex, clock=time.time) -> None:
        self._ledger = ledger
        self._index = index
        self._clock = clock
        self._cache: dict[tuple[str, int], tuple[tuple[int, int], Snapshot]] = {}
        self.builds = 0

    def snapshot(self, market: DlobMarket) -> Snapshot:
        stamp = (self._ledger.slot, self._index.version(market.key))
        cached = self._cache.get(market.key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        snapshot = self._build(market)
        self._cache[market.key] = (stamp, snapshot)
        self.builds += 1
        return snapshot

    def _build(self, market: DlobMarket) -> Snapshot:
        slot, now = self._ledger.slot, int(self._clock())
        account = decode_account(self._ledger.get(market.address).data)
        oracle = self._oracle(market, account)
        live = [
            order
            for order in self._index.orders(market.key)
            if slot >= order.resting_from_slot and (order.max_ts == 0 or order.max_ts >= now)
        ]
        l3_bids, l3_asks = _l3(live, oracle.price, bids=True), _l3(live, oracle.price, bids=False)
        maker_bids = aggregate((Level(o.price, o.size, {"dlob": o.size}) for o in l3_bids), bids=True)
        maker_asks = aggregate((Level(o.price, o.size, {"dlob": o.size}) for o in l3_asks), bids=False)
        if market.market_type == PERP:
            vamm_bids, vamm_asks = vamm_levels(account.amm)
            bids = aggregate([*maker_bids, *vamm_bids], bids=True)
            asks = aggregate([*maker_asks, *vamm_asks], bids=False)
        else:
            bids, asks = maker_bids, maker_asks
        return Snapshot(
            market, slot, self._index.market_slots[market.key], oracle,
            maker_bids, maker_asks, bids, asks, l3_bids, l3_asks,
        )

    def _oracle(self, market: DlobMarket, account) -> OracleData:
        oracle = decode_account(self._ledger.get(market.oracle).data)
        history = account.amm.historical_oracle_data if market.market_type == PERP else account.historical_oracle_data
        return OracleData(
            price=oracle.price,
            slot=oracle.amm_last_update_slot,
            confidence=oracle.confidence,
            twap=history.last_oracle_price_twap,
            max_price=oracle.max_price,
        )
