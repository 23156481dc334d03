"""driftpy's margin math (driftpy 0.8.89, `DriftUser`) for accounts decoded by `light_layout`.

A read-only command computes collateral, margin, PnL, leverage, health and liquidation
prices without loading driftpy. Each step follows driftpy's own, operation for operation,
including its float steps (funding PnL, size discounts and premiums, the open-order margin,
deposit interest): the figures then equal the cockpit's (`snapshots.account_snapshot`),
which a test checks field by field on the localnet. Accounts outside what is mirrored here
(LP shares, high-leverage mode, settlement or prediction markets, spot orders, a P&L
imbalance cap, an oracle source not decoded) raise `LightReadUnsupported`; the caller then takes the
full driftpy path.
"""

import math
import time
from dataclasses import dataclass
from datetime import datetime

from rekt_tui.domain.errors import LightReadUnsupported
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import AccountSnapshot, Order, Position
from rekt_tui.drift.light_layout import PerpMarket, PerpPosition, SpotMarket, SpotPosition, User
from rekt_tui.drift.light_layout import Order as DriftOrder

QUOTE_SPOT_MARKET_INDEX = 0
SOL_SPOT_MARKET_INDEX = 1
PRICE_PRECISION = QUOTE_PRECISION = 10**6
BASE_PRECISION = AMM_RESERVE_PRECISION = 10**9
AMM_TO_QUOTE_PRECISION_RATIO = AMM_RESERVE_PRECISION // QUOTE_PRECISION
FUNDING_RATE_BUFFER = 1_000
MARGIN_PRECISION = SPOT_WEIGHT_PRECISION = 10_000
SPOT_IMF_PRECISION = 10**6
OPEN_ORDER_MARGIN_REQUIREMENT = QUOTE_PRECISION / 100  # a float in driftpy, and so here
FIVE_MINUTE = 300
BEING_LIQUIDATED_OR_BANKRUPT = 1 | 2
INITIAL, MAINTENANCE = "Initial", "Maintenance"
ORDER_TYPES = {
    "Market": OrderType.MARKET, "Limit": OrderType.LIMIT, "TriggerMarket": OrderType.TRIGGER_MARKET,
    "TriggerLimit": OrderType.TRIGGER_LIMIT, "Oracle": OrderType.ORACLE,
}  # fmt: skip
TRIGGER_TYPES = {OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT}

Number = int | float


@dataclass(frozen=True)
class Chain:
    """One read of an account and every market and oracle price it refers to."""

    user: User
    perp_markets: dict[int, PerpMarket]
    spot_markets: dict[int, SpotMarket]
    perp_prices: dict[int, int]
    spot_prices: dict[int, int]


def token_amount(position: SpotPosition, market: SpotMarket) -> int:
    """Signed token amount (negative: a borrow), as driftpy's `get_token_amount` rounds it."""
    decrease = 10 ** (19 - market.decimals)
    if position.balance_type == "Deposit":
        return int((position.scaled_balance * market.cumulative_deposit_interest) / decrease)
    return -abs(-(-(position.scaled_balance * market.cumulative_borrow_interest) // decrease))


def _size_discount_asset_weight(size: Number, imf_factor: int, asset_weight: Number) -> Number:
    if imf_factor == 0:
        return asset_weight
    size_sqrt = math.ceil((abs(size) * 10) ** 0.5) + 1
    imf_num = SPOT_IMF_PRECISION + (SPOT_IMF_PRECISION / 10)
    discounted = math.ceil(imf_num * SPOT_WEIGHT_PRECISION / (SPOT_IMF_PRECISION + size_sqrt * imf_factor / 100_000))
    return min(asset_weight, discounted)


def _size_premium_liability_weight(size: Number, imf_factor: int, weight: int, precision: int) -> Number:
    if imf_factor == 0:
        return weight
    size_sqrt = (abs(size) * 10 + 1) ** 0.5
    numerator = weight - (weight // 5)
    denominator = (100_000 * SPOT_IMF_PRECISION) // precision
    return max(weight, numerator + ((size_sqrt * imf_factor) // denominator))


def _amm_size(amount: int, market: SpotMarket) -> Number:
    precision = 10**market.decimals
    if precision > AMM_RESERVE_PRECISION:
        return amount / (precision / AMM_RESERVE_PRECISION)
    return amount * AMM_RESERVE_PRECISION / precision


def _initial_asset_weight(market: SpotMarket, oracle_price: int) -> int:
    start = market.scale_initial_asset_weight_start
    if start == 0:
        return market.initial_asset_weight
    deposits = int((market.deposit_balance * market.cumulative_deposit_interest) / 10 ** (19 - market.decimals))
    value = deposits * oracle_price // 10**market.decimals
    return market.initial_asset_weight if value < start else market.initial_asset_weight * start // value


def _asset_weight(amount: int, oracle_price: int, market: SpotMarket, category: str) -> Number:
    size = _amm_size(amount, market)
    base = _initial_asset_weight(market, oracle_price) if category == INITIAL else market.maintenance_asset_weight
    return _size_discount_asset_weight(size, market.imf_factor, base)


def _liability_weight(amount: int, market: SpotMarket, category: str) -> Number:
    weight = market.initial_liability_weight if category == INITIAL else market.maintenance_liability_weight
    return _size_premium_liability_weight(_amm_size(amount, market), market.imf_factor, weight, SPOT_WEIGHT_PRECISION)


def _market_margin_ratio(market: PerpMarket, size: int, category: str, custom: int) -> Number:
    default = market.margin_ratio_initial if category == INITIAL else market.margin_ratio_maintenance
    ratio = max(default, _size_premium_liability_weight(size, market.imf_factor, default, MARGIN_PRECISION))
    return max(ratio, custom) if category == INITIAL else ratio


def _live_twap5min(market: SpotMarket, price: int, now: int) -> int:
    twap = market.last_oracle_price_twap5min
    since_last = max(1, now - market.last_oracle_price_twap_ts)
    since_start = max(0, FIVE_MINUTE - since_last)
    clamp = twap // 3
    clamped = min(twap + clamp, max(price, twap - clamp))
    return (twap * since_start + clamped * since_last) // (since_start + since_last)


def _strict_value(amount: int, decimals: int, price: int, twap: int | None) -> int:
    if amount == 0:
        return 0
    chosen = price if not twap else (min(twap, price) if amount > 0 else max(twap, price))
    return amount * chosen // 10**decimals


class LightUser:
    """driftpy's `DriftUser` figures for one `Chain` read (method names are driftpy's)."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.user = chain.user
        if self.user.margin_mode != "Default":
            raise LightReadUnsupported("high-leverage mode")
        for p in self.active_perp_positions():
            market = chain.perp_markets[p.market_index]
            if p.lp_shares or market.status == "Settlement" or market.contract_type == "Prediction":
                raise LightReadUnsupported(f"perp market {p.market_index}")
            if market.unrealized_pnl_max_imbalance > 0:
                raise LightReadUnsupported("unrealized P&L imbalance cap")
        for s in self.active_spot_positions():
            if s.open_orders or s.open_bids or s.open_asks:
                raise LightReadUnsupported("spot orders")

    def active_perp_positions(self) -> list[PerpPosition]:
        return [
            p for p in self.user.perp_positions
            if p.base_asset_amount != 0 or p.quote_asset_amount != 0 or p.open_orders != 0 or p.lp_shares != 0
        ]  # fmt: skip

    def active_spot_positions(self) -> list[SpotPosition]:
        return [s for s in self.user.spot_positions if s.scaled_balance != 0 or s.open_orders != 0]

    def spot_position(self, market_index: int) -> SpotPosition | None:
        return next((s for s in self.active_spot_positions() if s.market_index == market_index), None)

    def get_token_amount(self, market_index: int) -> int:
        position = self.spot_position(market_index)
        return 0 if position is None else token_amount(position, self.chain.spot_markets[market_index])

    # Perps

    def _quote(self) -> tuple[SpotMarket, int]:
        return self.chain.spot_markets[QUOTE_SPOT_MARKET_INDEX], self.chain.spot_prices[QUOTE_SPOT_MARKET_INDEX]

    def get_unrealized_pnl(self, market_index: int | None = None, weight: str | None = None) -> Number:
        """With funding, like driftpy's `get_unrealized_pnl(True, ...)`."""
        quote_market, quote_price = self._quote()
        total: Number = 0
        for p in self.user.perp_positions:
            if market_index is not None and p.market_index != market_index:
                continue
            if p.base_asset_amount == 0 and p.quote_asset_amount == 0:
                continue  # an empty slot: driftpy adds its zero
            market = self.chain.perp_markets[p.market_index]
            pnl = (self._position_pnl(market, p) * quote_price) // PRICE_PRECISION
            if weight and pnl > 0:
                pnl = pnl * self._unrealized_asset_weight(market, pnl, weight) // SPOT_WEIGHT_PRECISION
            total += pnl
        return total

    def _position_pnl(self, market: PerpMarket, p: PerpPosition) -> Number:
        if p.base_asset_amount == 0:
            return p.quote_asset_amount
        value = (abs(p.base_asset_amount) * self.chain.perp_prices[market.market_index]) // AMM_RESERVE_PRECISION
        pnl = value * (-1 if p.base_asset_amount < 0 else 1) + p.quote_asset_amount
        rate = market.cumulative_funding_rate_long if p.base_asset_amount > 0 else market.cumulative_funding_rate_short
        funding = (rate - p.last_cumulative_funding_rate) * p.base_asset_amount / AMM_RESERVE_PRECISION / FUNDING_RATE_BUFFER
        return pnl + funding * -1

    @staticmethod
    def _unrealized_asset_weight(market: PerpMarket, pnl: Number, category: str) -> Number:
        if category == MAINTENANCE:
            return market.unrealized_pnl_maintenance_asset_weight
        weight = market.unrealized_pnl_initial_asset_weight
        return _size_discount_asset_weight(pnl, market.unrealized_pnl_imf_factor, weight)

    def _perp_liability(self, p: PerpPosition, category: str | None, strict: bool = False) -> Number:
        """`calculate_weighted_perp_position_liability` with open orders (buffer 0)."""
        market = self.chain.perp_markets[p.market_index]
        price = self.chain.perp_prices[p.market_index]
        bids, asks = p.base_asset_amount + p.open_bids, p.base_asset_amount + p.open_asks
        bids_value, asks_value = abs(bids) * price // BASE_PRECISION, abs(asks) * price // BASE_PRECISION
        base, liability = (asks, asks_value) if asks_value >= bids_value else (bids, bids_value)
        if category is None:
            return liability
        ratio = _market_margin_ratio(market, abs(base), category, self.user.max_margin_ratio)
        quote_market, quote_price = self._quote()
        if strict:
            quote_price = max(quote_price, quote_market.last_oracle_price_twap5min)
        return liability * quote_price // PRICE_PRECISION * ratio // MARGIN_PRECISION + (
            p.open_orders * OPEN_ORDER_MARGIN_REQUIREMENT
        )

    def total_perp_liability(self, category: str | None, strict: bool = False) -> Number:
        return sum((self._perp_liability(p, category, strict) for p in self.active_perp_positions()), 0)

    # Spot

    def spot_values(self, category: str | None, strict: bool = False) -> tuple[Number, Number]:
        """`get_spot_market_asset_and_liability_value` with open orders (none on spot here)."""
        now = int(time.time())
        net_quote: Number = 0
        assets: Number = 0
        liabilities: Number = 0
        for s in self.active_spot_positions():
            market = self.chain.spot_markets[s.market_index]
            price = self.chain.spot_prices[s.market_index]
            twap = _live_twap5min(market, price, now) if strict else None
            amount = token_amount(s, market)
            if s.market_index == QUOTE_SPOT_MARKET_INDEX:
                if s.balance_type == "Borrow":
                    net_quote -= abs(self._liability_value(amount, price, twap, market, category))
                else:
                    net_quote += self._asset_value(amount, price, twap, market, category)
                continue
            if amount > 0:
                assets += self._asset_value(amount, price, twap, market, category)
            if amount < 0:
                liabilities += abs(self._liability_value(amount, price, twap, market, category))
            liabilities += s.open_orders * OPEN_ORDER_MARGIN_REQUIREMENT
        if net_quote > 0:
            assets += net_quote
        else:
            liabilities += abs(net_quote)
        return assets, liabilities

    def _asset_value(
        self, amount: int, price: int, twap: int | None, market: SpotMarket, category: str | None
    ) -> Number:
        value = _strict_value(amount, market.decimals, price, twap)
        if category is None:
            return value
        weight = _asset_weight(amount, price, market, category)
        if category == INITIAL and market.market_index != QUOTE_SPOT_MARKET_INDEX:
            weight = min(weight, max(0, SPOT_WEIGHT_PRECISION - self.user.max_margin_ratio))
        return value * weight // SPOT_WEIGHT_PRECISION

    def _liability_value(
        self, amount: int, price: int, twap: int | None, market: SpotMarket, category: str | None
    ) -> Number:
        value = _strict_value(amount, market.decimals, price, twap)
        if category is None:
            return value
        weight = _liability_weight(amount, market, category)
        if category == INITIAL and market.market_index != QUOTE_SPOT_MARKET_INDEX:
            weight = max(weight, SPOT_WEIGHT_PRECISION + self.user.max_margin_ratio)
        return value * weight // SPOT_WEIGHT_PRECISION

    # The figures

    def total_collateral(self, category: str = INITIAL, strict: bool = False) -> Number:
        return self.spot_values(category, strict)[0] + self.get_unrealized_pnl(weight=category)

    def margin_requirement(self, category: str, strict: bool = False) -> Number:
        return self.total_perp_liability(category, strict) + self.spot_values(category, strict)[1]

    def free_collateral(self) -> Number:
        return max(0, self.total_collateral(INITIAL, True) - self.margin_requirement(INITIAL, True))

    def net_usd_value(self) -> Number:
        assets, liabilities = self.spot_values(None)
        return assets - liabilities + self.get_unrealized_pnl()

    def leverage(self) -> Number:
        perp_liability = self.total_perp_liability(None)
        assets, liabilities = self.spot_values(None)
        net = assets + self.get_unrealized_pnl() - liabilities
        return 0 if net == 0 else ((perp_liability + liabilities) * 10_000) // net

    def health(self) -> int:
        if self.user.status & BEING_LIQUIDATED_OR_BANKRUPT:
            return 0
        collateral, requirement = self.total_collateral(MAINTENANCE), self.margin_requirement(MAINTENANCE)
        if requirement == 0 and collateral >= 0:
            return 100
        if collateral <= 0:
            return 0
        return round(min(100, max(0, (1 - requirement / collateral) * 100)))

    def liquidation_price(self, market_index: int) -> Number:
        """driftpy's `get_perp_liq_price` (maintenance, no size change); -1 for none."""
        free = max(0, self.total_collateral(MAINTENANCE) - self.margin_requirement(MAINTENANCE))
        market = self.chain.perp_markets[market_index]
        base = next(p for p in self.active_perp_positions() if p.market_index == market_index).base_asset_amount
        if base == 0:
            return -1
        ratio = _market_margin_ratio(market, abs(base), MAINTENANCE, self.user.max_margin_ratio)
        ratio_quote = (ratio * QUOTE_PRECISION) // MARGIN_PRECISION
        if base > 0:
            delta = (QUOTE_PRECISION - ratio_quote) * base // BASE_PRECISION
        else:
            delta = (-QUOTE_PRECISION - ratio_quote) * abs(base) // BASE_PRECISION
        if not delta:
            return -1
        sister = next((m for m in self.chain.spot_markets.values() if m.oracle == market.oracle), None)
        held = None if sister is None else self.spot_position(sister.market_index)
        if sister is not None and held is not None:
            delta += self._spot_free_collateral_delta(sister, token_amount(held, sister))
        if delta == 0:
            return -1
        price = self.chain.perp_prices[market_index] - (free * QUOTE_PRECISION) // delta
        return -1 if price < 0 else price

    def _spot_free_collateral_delta(self, market: SpotMarket, amount: int) -> Number:
        precision = 10**market.decimals
        if amount > 0:
            weight = _asset_weight(amount, self.chain.spot_prices[market.market_index], market, MAINTENANCE)
            return ((QUOTE_PRECISION * weight) // SPOT_WEIGHT_PRECISION) * amount // precision
        weight = _liability_weight(abs(amount), market, MAINTENANCE)
        return ((-QUOTE_PRECISION * weight) // SPOT_WEIGHT_PRECISION) * abs(amount) // precision


def snapshot(chain: Chain, slot: int, received_at: datetime) -> AccountSnapshot:
    """The account as `snapshots.account_snapshot` makes it from driftpy's figures."""
    user = LightUser(chain)
    return AccountSnapshot(
        slot=slot,
        received_at=received_at,
        total_collateral=int(user.total_collateral()),
        equity=int(user.net_usd_value()),
        unrealized_pnl=int(user.get_unrealized_pnl()),
        free_collateral=int(user.free_collateral()),
        initial_margin=int(user.margin_requirement(INITIAL)),
        maintenance_margin=int(user.margin_requirement(MAINTENANCE)),
        leverage=int(user.leverage()),
        health=user.health(),
        usdc_amount=user.get_token_amount(QUOTE_SPOT_MARKET_INDEX),
        sol_amount=user.get_token_amount(SOL_SPOT_MARKET_INDEX),
        positions=tuple(_position(user, p) for p in chain.user.perp_positions if p.base_asset_amount != 0),
        orders=tuple(_order(o) for o in chain.user.orders if o.status == "Open"),
        net_deposits=chain.user.total_deposits - chain.user.total_withdraws,
    )


def _position(user: LightUser, p: PerpPosition) -> Position:
    base, index = p.base_asset_amount, p.market_index
    liquidation = user.liquidation_price(index)
    return Position(
        market_index=index,
        symbol=user.chain.perp_markets[index].name,
        base_amount=base,
        quote_entry_amount=p.quote_entry_amount,
        entry_price=abs(p.quote_entry_amount) * PRICE_PRECISION * AMM_TO_QUOTE_PRECISION_RATIO // abs(base),
        oracle_price=user.chain.perp_prices[index],
        unrealized_pnl=int(user.get_unrealized_pnl(index)),
        liquidation_price=None if liquidation < 0 else int(liquidation),
        break_even_price=abs(p.quote_break_even_amount) * PRICE_PRECISION * AMM_TO_QUOTE_PRECISION_RATIO // abs(base),
        quote_amount=p.quote_asset_amount,
        quote_break_even_amount=p.quote_break_even_amount,
    )


def _order(o: DriftOrder) -> Order:
    order_type = ORDER_TYPES[o.order_type]
    return Order(
        order_id=o.order_id, user_order_id=o.user_order_id,
        market_type=MarketType.PERP if o.market_type == "Perp" else MarketType.SPOT, market_index=o.market_index,
        order_type=order_type, direction=Direction.LONG if o.direction == "Long" else Direction.SHORT,
        base_amount=o.base_asset_amount, filled=o.base_asset_amount_filled, price=o.price,
        trigger_price=o.trigger_price if order_type in TRIGGER_TYPES else None, reduce_only=o.reduce_only,
        post_only=o.post_only, max_ts=o.max_ts or None, slot=o.slot,
    )  # fmt: skip
