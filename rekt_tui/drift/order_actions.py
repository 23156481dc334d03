"""Instructions for orders: place every perp order type, cancel, close, and sell SOL.

Like actions.py, builders return instructions and send nothing. Every order carries a
`user_order_id` (1-255, unique among the account's open orders) so a crash between
signing and acknowledgement can be resolved by finding the order on chain. Closes are
reduce-only market orders for the exact size the chain holds, so repeating one can
never open a position the other way.
"""

from collections.abc import Sequence
from typing import Literal

from driftpy.drift_client import DriftClient
from driftpy.addresses import get_user_stats_account_public_key
from driftpy.decode.user import decode_user
from driftpy.types import (
    MakerInfo,
    ModifyOrderParams,
    OrderParams,
    OrderTriggerCondition,
    PositionDirection,
    PostOnlyParams,
    is_variant,
)
from driftpy.types import MarketType as DriftMarketType
from driftpy.types import Order as DriftOrder
from driftpy.types import OrderType as DriftOrderType
from solders.instruction import Instruction
from solders.pubkey import Pubkey

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.money import format_sol
from rekt_tui.domain.orders import OrderRequest
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.drift.actions import SOL_SPOT_MARKET_INDEX, drift_user

MAX_OPEN_ORDERS = 32  # order slots in a Drift User
MAX_USER_ORDER_ID = 255  # user_order_id is a u8; 0 means "none"

_ORDER_TYPES = {
    OrderType.MARKET: DriftOrderType.Market,
    OrderType.LIMIT: DriftOrderType.Limit,
    OrderType.TRIGGER_MARKET: DriftOrderType.TriggerMarket,
    OrderType.TRIGGER_LIMIT: DriftOrderType.TriggerLimit,
}
_TRIGGERS = {"above": OrderTriggerCondition.Above, "below": OrderTriggerCondition.Below}


def _direction(direction: Direction) -> PositionDirection:
    return PositionDirection.Long() if direction is Direction.LONG else PositionDirection.Short()


def _open_orders(client: DriftClient) -> list[DriftOrder]:
    return drift_user(client).get_open_orders()


def _check_user_order_id(client: DriftClient, user_order_id: int) -> None:
    if not 1 <= user_order_id <= MAX_USER_ORDER_ID:
        raise RektError(f"user_order_id must be 1-{MAX_USER_ORDER_ID} (got {user_order_id}).")
    orders = _open_orders(client)
    if any(order.user_order_id == user_order_id for order in orders):
        raise RektError(f"An open order already carries user_order_id {user_order_id}; pick another.")
    if len(orders) >= MAX_OPEN_ORDERS:
        raise RektError(f"The account already has {MAX_OPEN_ORDERS} open orders; cancel some first.")


def place_perp_order(
    client: DriftClient,
    *,
    market_index: int,
    direction: Direction,
    order_type: OrderType,
    base_amount: int,
    user_order_id: int,
    price: int = 0,
    trigger_price: int | None = None,
    trigger_condition: Literal["above", "below"] | None = None,
    reduce_only: bool = False,
    post_only: bool = False,
    max_ts: int | None = None,
    auction_start_price: int | None = None,
    auction_end_price: int | None = None,
    auction_duration: int | None = None,
) -> list[Instruction]:
    """One perp order: market, limit, trigger market or trigger limit. `price` is the
    limit (0 for none); trigger orders need `trigger_price` and `trigger_condition`."""
    if order_type not in _ORDER_TYPES:
        raise RektError(f"{order_type.value} orders are not supported.")
    if client.get_perp_market_account(market_index) is None:
        raise RektError(f"Perp market {market_index} does not exist on this cluster.")
    triggered = order_type in (OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT)
    if triggered and (trigger_price is None or trigger_condition not in _TRIGGERS):
        raise RektError("A stop or take-profit order needs a trigger price and a condition (above or below).")
    _check_user_order_id(client, user_order_id)
    params = OrderParams(
        order_type=_ORDER_TYPES[order_type](),
        market_type=DriftMarketType.Perp(),
        direction=_direction(direction),
        base_asset_amount=base_amount,
        market_index=market_index,
        user_order_id=user_order_id,
        price=price,
        reduce_only=reduce_only,
        post_only=PostOnlyParams.MustPostOnly() if post_only else PostOnlyParams.NONE(),
        max_ts=max_ts,
        trigger_price=trigger_price if triggered else None,
        trigger_condition=_TRIGGERS[trigger_condition]() if triggered and trigger_condition else OrderTriggerCondition.Above(),
        auction_start_price=auction_start_price,
        auction_end_price=auction_end_price,
        auction_duration=auction_duration,
    )
    return [client.get_place_perp_order_ix(params)]


def place_order(
    client: DriftClient, request: OrderRequest, *, auction: tuple[int, int, int] | None = None
) -> list[Instruction]:
    """The instructions for a checked `OrderRequest`; `auction` is a market order's
    (start price, end price, duration in slots), as `domain.orders.auction_for` gives it."""
    if request.market.market_type is not MarketType.PERP:
        raise RektError(f"{request.market.symbol} is not a perp market; orders here are for perps.")
    start, end, duration = auction or (None, None, None)
    return place_perp_order(
        client, market_index=request.market.market_index, direction=request.direction,
        order_type=request.order_type, base_amount=request.base_amount, user_order_id=request.user_order_id,
        price=request.price or 0, trigger_price=request.trigger_price,
        trigger_condition=request.trigger_condition.value if request.trigger_condition else None,
        reduce_only=request.reduce_only, post_only=request.post_only, max_ts=request.max_ts,
        auction_start_price=start, auction_end_price=end, auction_duration=duration,
    )  # fmt: skip


def close_position(
    client: DriftClient,
    market_index: int,
    *,
    user_order_id: int,
    max_ts: int | None = None,
    auction_start_price: int | None = None,
    auction_end_price: int | None = None,
    auction_duration: int | None = None,
    base_amount: int | None = None,
) -> list[Instruction]:
    """A reduce-only market order for the position the chain shows (or `base_amount` of it,
    never more than it holds), the other way."""
    position = drift_user(client).get_perp_position(market_index)
    base = position.base_asset_amount if position else 0
    if base == 0:
        raise RektError(f"There is no open position in perp market {market_index} to close.")
    size = abs(base) if base_amount is None else min(base_amount, abs(base))
    return place_perp_order(
        client, market_index=market_index, direction=Direction.SHORT if base > 0 else Direction.LONG,
        order_type=OrderType.MARKET, base_amount=size, user_order_id=user_order_id, reduce_only=True,
        max_ts=max_ts, auction_start_price=auction_start_price, auction_end_price=auction_end_price,
        auction_duration=auction_duration,
    )  # fmt: skip


def cancel_order(client: DriftClient, order_id: int) -> list[Instruction]:
    if not any(order.order_id == order_id for order in _open_orders(client)):
        raise RektError(f"There is no open order {order_id} to cancel.")
    return [client.get_cancel_order_ix(order_id)]


def cancel_all_orders(client: DriftClient, market_index: int | None = None) -> list[Instruction]:
    """Cancel every open order, or every open order in one perp market."""
    orders = _open_orders(client)
    if market_index is not None:
        orders = [o for o in orders if o.market_index == market_index and is_variant(o.market_type, "Perp")]
    if not orders:
        where = "" if market_index is None else f" in perp market {market_index}"
        raise RektError(f"There are no open orders{where} to cancel.")
    if market_index is None:
        return [client.get_cancel_orders_ix()]
    return [client.get_cancel_orders_ix(DriftMarketType.Perp(), market_index)]


async def sell_sol_for_usdc(
    client: DriftClient, base_amount: int, *, user_order_id: int, min_price: int = 0, makers: Sequence[Pubkey] = ()
) -> list[Instruction]:
    """Sell deposited SOL for USDC on the SOL/USDC spot market, filled in the same
    instruction (place-and-take) against `makers` (their User accounts, best first, as the
    DLOB's topMakers lists them): Drift matches a taker only with makers the instruction
    names. Reduce-only: it shrinks the SOL deposit (so the proceeds repay a USDC borrow)
    but never borrows SOL. `min_price` is the worst price accepted (1e6 per SOL); what
    does not fill at once is cancelled."""
    held = drift_user(client).get_token_amount(SOL_SPOT_MARKET_INDEX)
    if held < base_amount:
        raise RektError(
            f"Drift holds {format_sol(held)} for this session, less than the {format_sol(base_amount)} to sell."
        )
    _check_user_order_id(client, user_order_id)
    params = OrderParams(
        order_type=DriftOrderType.Market(),
        market_type=DriftMarketType.Spot(),
        direction=PositionDirection.Short(),
        base_asset_amount=base_amount,
        market_index=SOL_SPOT_MARKET_INDEX,
        user_order_id=user_order_id,
        price=min_price,
        reduce_only=True,
    )
    return [client.get_place_and_take_spot_order_ix(params, maker_info=await _maker_infos(client, makers))]


async def _maker_infos(client: DriftClient, makers: Sequence[Pubkey]) -> list[MakerInfo]:
    """The makers' current User accounts (and UserStats addresses); a maker whose account
    has gone since the book was read is left out."""
    if not makers:
        return []
    found = (await client.connection.get_multiple_accounts(list(makers))).value
    infos = []
    for key, account in zip(makers, found):
        if account is not None:
            user = decode_user(bytes(account.data))
            infos.append(MakerInfo(key, get_user_stats_account_public_key(client.program_id, user.authority), user))
    return infos


def place_orders(
    client: DriftClient, requests: Sequence[OrderRequest], *, auction: tuple[int, int, int] | None = None
) -> list[Instruction]:
    """Several perp orders in one instruction (an entry and its bracket): all rest, or none.
    `auction` belongs to the first, a market entry."""
    if len(_open_orders(client)) + len(requests) > MAX_OPEN_ORDERS:
        raise RektError(
            f"These {len(requests)} orders would pass the account's {MAX_OPEN_ORDERS} open orders; cancel some first."
        )
    if len({r.user_order_id for r in requests}) != len(requests):
        raise RektError("Orders placed together need distinct user order ids.")
    for request in requests:
        if request.market.market_type is not MarketType.PERP:
            raise RektError(f"{request.market.symbol} is not a perp market; orders here are for perps.")
        if client.get_perp_market_account(request.market.market_index) is None:
            raise RektError(f"Perp market {request.market.market_index} does not exist on this cluster.")
        _check_user_order_id(client, request.user_order_id)
    params = [_params(request, auction if number == 0 else None) for number, request in enumerate(requests)]
    return [client.get_place_orders_ix(params)]


def _params(request: OrderRequest, auction: tuple[int, int, int] | None) -> OrderParams:
    start, end, duration = auction or (None, None, None)
    triggered = request.trigger_price is not None
    return OrderParams(
        order_type=_ORDER_TYPES[request.order_type](), market_type=DriftMarketType.Perp(),
        direction=_direction(request.direction), base_asset_amount=request.base_amount,
        market_index=request.market.market_index, user_order_id=request.user_order_id, price=request.price or 0,
        reduce_only=request.reduce_only,
        post_only=PostOnlyParams.MustPostOnly() if request.post_only else PostOnlyParams.NONE(),
        max_ts=request.max_ts or None, trigger_price=request.trigger_price if triggered else None,
        trigger_condition=_TRIGGERS[request.trigger_condition.value]() if request.trigger_condition
        else OrderTriggerCondition.Above(),
        auction_start_price=start, auction_end_price=end, auction_duration=duration,
    )  # fmt: skip


def modify_order(client: DriftClient, order_id: int, request: OrderRequest) -> list[Instruction]:
    """Replace open order `order_id` by `request` (same user order id, a new chain order id)."""
    if not any(order.order_id == order_id for order in _open_orders(client)):
        raise RektError(f"There is no open order {order_id} to modify.")
    params = ModifyOrderParams(
        base_asset_amount=request.base_amount, price=request.price, trigger_price=request.trigger_price,
        trigger_condition=_TRIGGERS[request.trigger_condition.value]() if request.trigger_condition else None,
    )  # fmt: skip
    return [client.get_modify_order_ix(order_id, params)]
