"""Spot orders on SOL/USDC: placing them and filling them against resting maker orders.

There is no spot AMM: a spot taker fills only against makers' limit orders (Drift's
`Match` fulfillment), at the maker's price, within the taker's limit or auction price.
A fill moves balances inside Drift (SOL one way, USDC the other, fees on the USDC
side); the vaults do not move, since no token leaves the exchange. Each match is
logged as the program logs it: an OrderActionRecord of market type Spot. Selling SOL one
does not hold opens a SOL borrow, as on Drift, within initial margin.
"""

from typing import Any

from solders.pubkey import Pubkey

from .constants import EXCHANGE_FILL_PAUSED, QUOTE_SPOT_MARKET_INDEX, SPOT_OP_FILL
from .errors import fail
from .events import EXPLAIN_MATCH, FillSide, emit_fill
from .margin import require_initial_margin
from .matching import Fill, fee_rates, maker_offers, record_fill, save_fill
from .orders import OrderRequest, check_exchange, count_open_order, set_auction, write_order
from .positions import advance_order, free_order_slot, is_long, is_open, name_of, order_index, remove_order
from .pricing import crosses, limit_price
from .spot import change_balance, is_borrow, position_for, token_amount
from .view import DriftView

SPOT_ORDER_TYPES = ("Market", "Limit")


def _validate(view: DriftView, market: Any, request: OrderRequest) -> None:
    if request.market_index == QUOTE_SPOT_MARKET_INDEX or not market.orders_enabled:
        raise fail("SpotOrdersDisabled", f"spot market {request.market_index} takes no orders")
    if request.order_type not in SPOT_ORDER_TYPES:
        raise fail("InvalidOrder", f"{request.order_type} orders are not supported on spot markets here")
    size = request.base_asset_amount
    if size < market.min_order_size or size % market.order_step_size:
        raise fail("InvalidOrder", f"size {size} is below {market.min_order_size} or off the step")
    if request.order_type == "Limit" and request.price == 0:
        raise fail("InvalidOrder", "a limit order needs a price")
    if request.price % market.order_tick_size:
        raise fail("InvalidOrder", f"price {request.price} is off the tick {market.order_tick_size}")
    if request.post_only != "None" and request.order_type == "Market":
        raise fail("InvalidOrderPostOnly", "a market order cannot be post-only")
    if request.max_ts and request.max_ts < view.ctx.clock.unix_timestamp:
        raise fail("InvalidOrderMaxTs", f"max_ts {request.max_ts} is in the past")


def place_spot_order(view: DriftView, user_key: Pubkey, request: OrderRequest) -> int:
    check_exchange(view)
    user = view.get(user_key, "User")
    market = view.spot_market(request.market_index)
    _validate(view, market, request)
    position = position_for(user, request.market_index)
    if request.reduce_only:
        tokens = token_amount(position, market)
        if tokens == 0 or (tokens > 0) == is_long(request.direction):
            raise fail("ReduceOnlyOrderIncreasedRisk", "a reduce-only order must face an open balance")
    index = free_order_slot(user)
    write_order(view, user, index, request, "Spot", request.price, is_borrow(position))
    order = user.orders[index]
    if request.order_type == "Market":
        oracle = view.oracle_price(market.oracle)
        set_auction(view, order, request, oracle, view.state().default_spot_auction_duration)
    count_open_order(position, request)
    if not request.reduce_only:
        require_initial_margin(view, user, f"spot order {order.order_id}")
    return index


def spot_fills_paused(view: DriftView, market: Any) -> bool:
    return bool(view.state().exchange_status & EXCHANGE_FILL_PAUSED or market.paused_operations & SPOT_OP_FILL)


def _move(view: DriftView, user: Any, market: Any, quote_market: Any, base: int, quote: int) -> Any:
    """Change a user's base and quote balances; returns the base position."""
    position = position_for(user, market.market_index)
    change_balance(position, market, base)
    change_balance(position_for(user, QUOTE_SPOT_MARKET_INDEX), quote_market, quote)
    return position


def _side(key: Pubkey, order: Any, long: bool, size: int, quote: int) -> FillSide:
    """One side of a spot match as its record states it: the order once this fill counts."""
    filled = min(order.base_asset_amount, order.base_asset_amount_filled + size)
    return FillSide(key, order.order_id, long, order.base_asset_amount, filled,
                    order.quote_asset_amount_filled + quote, 0, 0)  # fmt: skip


def fill_spot_order(view: DriftView, taker_key: Pubkey, order_index: int) -> list[Fill]:
    """Fill the taker's spot order against crossing maker orders among the accounts."""
    taker = view.get(taker_key, "User")
    order = taker.orders[order_index]
    market = view.spot_market_to_update(order.market_index)
    quote_market = view.spot_market_to_update(QUOTE_SPOT_MARKET_INDEX)
    if spot_fills_paused(view, market):
        raise fail("MarketFillOrderPaused", f"fills in spot market {order.market_index} are paused")
    oracle = view.oracle_price(market.oracle)
    clock = view.ctx.clock
    long_taker = is_long(order.direction)
    limit = limit_price(order, oracle, clock.slot)
    taker_fee, maker_rebate, denominator = fee_rates(view, perp=False)
    order_id = order.order_id
    fills = []
    for price, _, maker_key, maker_index in maker_offers(view, taker_key, order, oracle):
        current = taker.orders[order_index]
        if not (is_open(current) and current.order_id == order_id) or not crosses(long_taker, limit, price):
            break
        maker = view.get(maker_key, "User")
        maker_order = maker.orders[maker_index]
        size = min(
            order.base_asset_amount - order.base_asset_amount_filled,
            maker_order.base_asset_amount - maker_order.base_asset_amount_filled,
        )
        signed = size if long_taker else -size
        quote = size * price // 10**market.decimals
        fee = -(-quote * taker_fee // denominator)
        rebate = quote * maker_rebate // denominator
        taker_quote = -quote - fee if long_taker else quote - fee
        maker_quote = quote + rebate if long_taker else -quote + rebate
        taker_position = _move(view, taker, market, quote_market, signed, taker_quote)
        maker_position = _move(view, maker, market, quote_market, -signed, maker_quote)
        maker_order_id = maker_order.order_id
        maker_side = _side(maker_key, maker_order, not long_taker, size, quote)
        taker_side = _side(taker_key, taker.orders[order_index], long_taker, size, quote)
        advance_order(maker, maker_index, maker_position, -signed, quote)
        advance_order(taker, order_index, taker_position, signed, quote)
        emit_fill(
            view, market, base=size, quote=quote, taker=taker_side, maker=maker_side, taker_fee=fee,
            maker_fee=-rebate, oracle=oracle, explanation=EXPLAIN_MATCH, spot=True,
        )
        fill = Fill(
            market.market_index, price, size, str(taker_key), order_id, str(maker_key), maker_order_id,
            "long" if long_taker else "short", clock.slot, clock.unix_timestamp, "spot",
        )
        fills.append(fill)
        record_fill(view, fill)
    return fills


def _spot_request(params: Any) -> OrderRequest:
    if name_of(params.market_type) != "Spot":
        raise fail("InvalidOrderMarketType", "this instruction takes spot orders")
    return OrderRequest.from_params(params)


def place_spot_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    place_spot_order(view, accounts.user, _spot_request(args.params))
    view.save(accounts.user)


def place_and_take_spot_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    """Place a spot order and match it at once against the makers passed; what does not
    fill is cancelled for a market order and rests for a limit order."""
    request = _spot_request(args.params)
    if request.order_type == "Market" and request.auction_duration is None:
        request.auction_duration = 0
    index = place_spot_order(view, accounts.user, request)
    user = view.get(accounts.user, "User")
    order = user.orders[index]
    fills = fill_spot_order(view, accounts.user, index)
    current = user.orders[index]
    if is_open(current) and current.order_id == order.order_id:
        if request.order_type == "Market" or order.immediate_or_cancel:
            remove_order(user, index)
    save_fill(view, accounts.user, fills, view.keys("SpotMarket"))


def fill_spot_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    """A filler matches a user's spot order with makers; expired orders are cancelled."""
    check_exchange(view)
    user = view.get(accounts.user, "User")
    if args.order_id is None:
        raise fail("OrderDoesNotExist", "fill_spot_order needs an order id")
    index = order_index(user, args.order_id)
    order = user.orders[index]
    if order.max_ts and view.ctx.clock.unix_timestamp > order.max_ts:
        remove_order(user, index)
        view.ctx.log(f"order {order.order_id} expired")
        view.save(accounts.user)
        return
    save_fill(view, accounts.user, fill_spot_order(view, accounts.user, index), view.keys("SpotMarket"))
