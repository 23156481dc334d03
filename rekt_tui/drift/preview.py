"""The pre-trade preview: what an order does to the account if it fills, from driftpy's math.

The proposed fill is applied to a copy of the session's User account exactly as Drift
books a fill (each fill's quote rounded against the taker, its fee rounded up, charged
to the position's quote), and driftpy's DriftUser is asked about that copy. This is
deliberate: `DriftUser.get_perp_liq_price(market, delta)` keeps today's free collateral
and so ignores the margin the new position itself needs; asking about the account after
the fill gives the liquidation price, leverage and free collateral the chain will show.
An order that waits for the market to come to it (what a limit leaves on the book, a trigger)
is asked about with its market's oracle at its own price (`valuation_price`), as it fills.
"""

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from driftpy.drift_client import DriftClient
from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.accounts.types import DataAndSlot
from driftpy.constants.numeric_constants import BASE_PRECISION
from driftpy.drift_user import DriftUser
from driftpy.math.margin import MarginCategory
from driftpy.math.perp_position import calculate_position_funding_pnl, is_available
from driftpy.types import MarketType, OraclePriceData, PerpPosition, UserAccount
from solders.pubkey import Pubkey

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.guards import Preview
from rekt_tui.domain.order_fills import expected_fills, valuation_price, worst_price
from rekt_tui.domain.orders import OrderRequest
from rekt_tui.domain.records import Direction, OrderType
from rekt_tui.domain.trading import Order
from rekt_tui.drift.actions import drift_user
from rekt_tui.drift.session_user import SessionUser

MAX_PERP_POSITIONS = 8  # perp position slots in a Drift User


def _fee(client: DriftClient, user: DriftUser, quotes: list[int], *, maker: bool) -> int:
    """Drift's fee per fill: the taker fee rounded up less the referee discount, or the
    maker rebate rounded down (returned negative)."""
    stats = client.get_user_stats().get_account()
    # driftpy 0.8.89 cannot default `now` (math/trade.py calls datetime.time.time()): pass it.
    state = client.get_state_account()
    assert state is not None, "the State account is not subscribed"
    tier = user.get_user_fee_tier(MarketType.Perp(), int(time.time())) if stats else state.perp_fee_structure.fee_tiers[0]
    if maker:
        return -sum(q * tier.maker_rebate_numerator // tier.maker_rebate_denominator for q in quotes)
    referred = stats is not None and stats.referrer != Pubkey.default()
    total = 0
    for quote in quotes:
        fee = -(-quote * tier.fee_numerator // tier.fee_denominator)
        total += fee - (fee * tier.referee_fee_numerator // tier.referee_fee_denominator if referred else 0)
    return total


class PricedClient:
    """`client` as the margin math reads it, with one oracle at another price: every perp and
    spot market it prices (SOL-PERP and SOL collateral read one) moves with it."""

    def __init__(self, client: DriftClient, oracle: Pubkey, price: int) -> None:
        self._client, self._oracle, self._price = client, oracle, price

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_oracle_price_data_for_perp_market(self, market_index: int) -> OraclePriceData | None:
        market = self._client.get_perp_market_account(market_index)
        moved = market is not None and market.amm.oracle == self._oracle
        return self._priced(self._client.get_oracle_price_data_for_perp_market(market_index), moved)

    def get_oracle_price_data_for_spot_market(self, market_index: int) -> OraclePriceData | None:
        market = self._client.get_spot_market_account(market_index)
        moved = market is not None and market.oracle == self._oracle
        return self._priced(self._client.get_oracle_price_data_for_spot_market(market_index), moved)

    def _priced(self, data: OraclePriceData | None, moved: bool) -> OraclePriceData | None:
        return replace(data, price=self._price) if moved and data is not None else data


def _after_fill(
    client: DriftClient, user: DriftUser, market_index: int, delta_base: int, delta_quote: int, released: int = 0,
    valued_at: int | None = None,
) -> DriftUser:
    """A DriftUser over a copy of the account with the fill booked into `market_index`, less
    `released`: the reserved size (signed) of an open order the new one replaces; with the
    market's oracle at `valued_at` when given (`valuation_price`)."""
    account = user.get_user_account()
    positions = list(account.perp_positions)
    held = [i for i, p in enumerate(positions) if p.market_index == market_index and not is_available(p)]
    index = held[0] if held else next((i for i, p in enumerate(positions) if is_available(p)), None)
    if index is None and len(positions) < MAX_PERP_POSITIONS:
        # driftpy's fast `decode_user` (the gateway's decoder) leaves empty slots out.
        # Twelve zeroed figures, then the named fields (mypy cannot count a starred list).
        positions.append(PerpPosition(*[0] * 12, market_index=market_index, open_orders=0, per_lp_base=0))  # type: ignore[misc]
        index = len(positions) - 1
    if index is None:
        raise RektError("Every perp position slot of this account is in use; close a position first.")
    market = client.get_perp_market_account(market_index)
    if market is None:
        raise RektError(f"Perp market {market_index} does not exist on this cluster.")
    position = positions[index] if held else replace(positions[index], market_index=market_index)
    funding = int(calculate_position_funding_pnl(market, position))
    base = position.base_asset_amount + delta_base
    rate = market.amm.cumulative_funding_rate_long if base > 0 else market.amm.cumulative_funding_rate_short
    positions[index] = replace(
        position, base_asset_amount=base, quote_asset_amount=position.quote_asset_amount + funding + delta_quote,
        last_cumulative_funding_rate=rate, open_bids=position.open_bids - max(released, 0),
        open_asks=position.open_asks - min(released, 0), open_orders=position.open_orders - (1 if released else 0),
    )  # fmt: skip
    priced: Any = client if valued_at is None else PricedClient(client, market.amm.oracle, valued_at)
    return projected_user(priced, user, replace(account, perp_positions=positions))


def projected_user(client: DriftClient, user: DriftUser, account: UserAccount) -> DriftUser:
    """A DriftUser over `account` (a changed copy of `user`'s), for driftpy's margin math."""
    loaded = user.get_user_account_and_slot()
    assert loaded is not None, "drift_user() returns only a loaded account"
    projected = SessionUser(client, user.user_public_key, AccountSubscriptionConfig("cached"))
    projected.account_subscriber.update_data(DataAndSlot(loaded.slot, account))
    return projected


def preview_perp_order(
    client: DriftClient,
    *,
    market_index: int,
    direction: Direction,
    order_type: OrderType,
    base_amount: int,
    price: int = 0,
    trigger_price: int | None = None,
    auction_end_price: int | None = None,
    post_only: bool = False,
    reduce_only: bool = False,
    book: Sequence[tuple[int, int]] = (),
    released: int = 0,
) -> Preview:
    """The account after `base_amount` fills. `book` is the side the order takes from
    (asks for a buy, bids for a sell), best first, as (price 1e6, size 1e9) levels; with
    no book the whole order is assumed to fill at its worst price. `released`: the reserved
    size (signed) of the open order this one replaces, which stops counting."""
    user = drift_user(client)
    worst = worst_price(order_type, price=price, trigger_price=trigger_price, auction_end_price=auction_end_price)
    taken, rest = expected_fills(base_amount, direction, worst, () if post_only else book)
    fills = taken + rest
    valued_at = valuation_price(order_type, price=price, trigger_price=trigger_price, rests=bool(rest))
    sign = 1 if direction is Direction.LONG else -1
    quotes = [size * fill_price // BASE_PRECISION for fill_price, size in fills]
    # Only a post-only order is sure to be the maker. Another limit order's remainder rests,
    # but of two resting orders Drift makes the post-only one the maker, and makers quote
    # post-only: when the market moves through a resting order, that order is the taker.
    fee = _fee(client, user, quotes, maker=post_only)
    # A buyer's quote is rounded up and a seller's down, as Drift books each fill.
    cash = sum(-sign * size * fill_price // BASE_PRECISION for fill_price, size in fills)
    after = _after_fill(client, user, market_index, sign * base_amount, cash - fee, released, valued_at)
    raw_liquidation = after.get_perp_liq_price(market_index)
    liquidation = -1 if raw_liquidation is None else int(raw_liquidation)
    # Some of driftpy's paths (funding PnL) divide with `/`: its figures are integral floats.
    margin = int(after.get_margin_requirement(MarginCategory.INITIAL, strict=True))
    return Preview(
        entry_price=sum(quotes) * BASE_PRECISION // base_amount,
        worst_price=worst,
        fee=fee,
        margin_required=margin,
        # Not `get_free_collateral()`: it clamps at zero, and a shortfall is what the guard must see.
        free_collateral_after=int(after.get_total_collateral(MarginCategory.INITIAL, True)) - margin,
        # A reduce-only order's leverage is the positions' alone: the account's other open
        # orders (a stop beside the position it closes) are not this order's doing.
        leverage_after=int(after.get_leverage(include_open_orders=not reduce_only)),
        liquidation_price_after=liquidation if liquidation > 0 else None,
    )


def preview_order(
    client: DriftClient, request: OrderRequest, *, auction_end_price: int | None = None,
    book: Sequence[tuple[int, int]] = (), replacing: Order | None = None,
) -> Preview:  # fmt: skip
    """The preview of a checked `OrderRequest` (its market order's auction end, if any), in
    place of the open order `replacing` when it modifies one."""
    return preview_perp_order(
        client, market_index=request.market.market_index, direction=request.direction,
        order_type=request.order_type, base_amount=request.base_amount, price=request.price or 0,
        trigger_price=request.trigger_price, auction_end_price=auction_end_price, post_only=request.post_only,
        reduce_only=request.reduce_only, book=book, released=replacing.reserved_base if replacing else 0,
    )  # fmt: skip

