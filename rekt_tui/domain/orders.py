"""Order entry: what a user types becomes a valid Drift order, or one clear sentence.

Every check the program would make (tick, step, minimum size, trigger side, post-only,
expiry) is made here first, so a bad order is refused before anything is signed and the
user reads the fix instead of a decoded 6042 InvalidOrder.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.markets import (
    PRICE_DECIMALS,
    MarketSpec,
    ceil_to,
    floor_to,
    format_base,
    format_price,
    resolve_market,
)
from rekt_tui.domain.money import parse_amount, to_decimal
from rekt_tui.domain.records import Direction, OrderType

MAX_EXPIRY_S = 30 * 86_400
USER_ORDER_IDS = range(1, 256)  # Drift's user_order_id is a u8; 0 means "none"
MAX_AUCTION_SLOTS = 255  # auction_duration is a u8 on chain


class TriggerCondition(str, Enum):
    """When a trigger order fires: once the oracle is above or below its trigger price."""

    ABOVE = "above"
    BELOW = "below"


class OrderKind(str, Enum):
    """What a user asks for; several kinds share one Drift order type."""

    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop-market"
    STOP_LIMIT = "stop-limit"
    TAKE_PROFIT = "take-profit"
    TAKE_PROFIT_LIMIT = "take-profit-limit"

    @property
    def order_type(self) -> OrderType:
        return _ORDER_TYPES[self]

    @property
    def takes_price(self) -> bool:
        return self.order_type in (OrderType.LIMIT, OrderType.TRIGGER_LIMIT)

    @property
    def takes_trigger(self) -> bool:
        return self.order_type in (OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT)

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


_ORDER_TYPES = {
    OrderKind.MARKET: OrderType.MARKET,
    OrderKind.LIMIT: OrderType.LIMIT,
    OrderKind.STOP_MARKET: OrderType.TRIGGER_MARKET,
    OrderKind.STOP_LIMIT: OrderType.TRIGGER_LIMIT,
    OrderKind.TAKE_PROFIT: OrderType.TRIGGER_MARKET,
    OrderKind.TAKE_PROFIT_LIMIT: OrderType.TRIGGER_LIMIT,
}
# The kind a user probably meant when they gave a price to a kind that takes none.
_PRICED_KIND = {OrderKind.MARKET: OrderKind.LIMIT, OrderKind.STOP_MARKET: OrderKind.STOP_LIMIT,
                OrderKind.TAKE_PROFIT: OrderKind.TAKE_PROFIT_LIMIT}
_SIDES = {"buy": Direction.LONG, "long": Direction.LONG, "sell": Direction.SHORT, "short": Direction.SHORT}


def side_label(direction: Direction) -> str:
    return "buy" if direction is Direction.LONG else "sell"


def parse_kind(text: OrderKind | str) -> OrderKind:
    """Accept the CLI's spellings ("stop-market", "stop_market", any case) or the kind itself."""
    try:
        return OrderKind(text.strip().lower().replace("_", "-"))
    except ValueError:
        known = ", ".join(kind.value for kind in OrderKind)
        raise UsageError(f"Unknown order type {text.strip()!r}; use one of {known}.") from None


def parse_side(text: str) -> Direction:
    try:
        return _SIDES[text.strip().lower()]
    except KeyError:
        raise UsageError(f"Unknown side {text.strip()!r}; use buy or sell (long or short).") from None


def trigger_condition_for(kind: OrderKind, direction: Direction) -> TriggerCondition | None:
    """A stop fires when price moves against the trade's intent, a take-profit when it moves for it.

    A stop that sells (a long's stop-loss) fires below the oracle, one that buys above;
    a take-profit that sells fires above, one that buys below.
    """
    if not kind.takes_trigger:
        return None
    selling = direction is Direction.SHORT
    is_stop = kind in (OrderKind.STOP_MARKET, OrderKind.STOP_LIMIT)
    return TriggerCondition.BELOW if selling == is_stop else TriggerCondition.ABOVE


@dataclass(frozen=True)
class OrderRequest:
    """A checked order, in Drift's precisions, ready for the guards and the gateway."""

    market: MarketSpec
    direction: Direction
    kind: OrderKind
    base_amount: int
    price: int | None
    trigger_price: int | None
    trigger_condition: TriggerCondition | None
    reduce_only: bool
    post_only: bool
    max_ts: int
    user_order_id: int

    @property
    def order_type(self) -> OrderType:
        return self.kind.order_type

    @property
    def at_market_once_triggered(self) -> bool:
        """A stop or take-profit without a limit: triggered, it fills at market, at no worst price."""
        return self.order_type is OrderType.TRIGGER_MARKET


def parse_order(
    market: str,
    side: str,
    size: str,
    *,
    kind: OrderKind | str = OrderKind.MARKET,
    price: str | None = None,
    trigger: str | None = None,
    reduce_only: bool = False,
    post_only: bool = False,
    expire_s: int | None = None,
    default_expiry_s: int,
    now: int,
    oracle_price: int,
    markets: Mapping[str, MarketSpec],
    live_user_order_ids: set[int],
) -> OrderRequest:
    """Check typed order fields against the market's rules; raise `UsageError` on the first fault.

    `oracle_price` is the resolved market's oracle (1e6), used to refuse triggers that
    would fire at once. Every order gets `max_ts`, so nothing rests forever unnoticed.
    """
    spec = resolve_market(market, markets)
    direction = parse_side(side)
    kind = parse_kind(kind)
    limit_price = parse_price(price, kind, spec)
    trigger_price = parse_trigger(trigger, kind, direction, oracle_price)
    base_amount = parse_size(size, spec, limit_price or trigger_price or oracle_price)
    if post_only and kind is not OrderKind.LIMIT:
        raise UsageError(f"Post-only applies to limit orders only; drop it for this {kind.label} order.")
    return OrderRequest(
        market=spec,
        direction=direction,
        kind=kind,
        base_amount=base_amount,
        price=limit_price,
        trigger_price=trigger_price,
        trigger_condition=trigger_condition_for(kind, direction),
        reduce_only=reduce_only,
        post_only=post_only,
        max_ts=now + _expiry(expire_s, default_expiry_s),
        user_order_id=free_user_order_id(live_user_order_ids),
    )


def parse_size(text: str, spec: MarketSpec, reference_price: int) -> int:
    """Base units ("1.5"), or a USD notional ("$250") at the order's own price (its limit,
    else its trigger, else the oracle), rounded down to the market's step."""
    if text.strip().startswith("$"):
        notional = parse_amount(text.strip()[1:], PRICE_DECIMALS, what="Notional")
        if reference_price <= 0:
            raise UsageError(f"No price is known for {spec.symbol} to size {text.strip()} of notional; give a base size.")
        amount = floor_to(notional * 10**spec.base_decimals // reference_price, spec.step_size)
        if amount < spec.min_order_size:
            minimum = format_base(spec.min_order_size, spec)
            raise UsageError(f"{text.strip()} buys less than {spec.symbol}'s minimum of {minimum}; size it larger.")
        return parse_size(f"{to_decimal(amount, spec.base_decimals)}", spec, reference_price)
    amount = parse_amount(text, spec.base_decimals, what="Size")
    shown = format_base(amount, spec)
    if amount % spec.step_size:
        nearest = [n for n in (floor_to(amount, spec.step_size), ceil_to(amount, spec.step_size)) if n > 0]
        options = " or ".join(format_base(n, spec) for n in nearest)
        step = format_base(spec.step_size, spec)
        raise UsageError(f"Size {shown} is not a multiple of {spec.symbol}'s {step} step; use {options}.")
    if amount < spec.min_order_size:
        minimum = format_base(spec.min_order_size, spec)
        raise UsageError(f"Size {shown} is below {spec.symbol}'s minimum of {minimum}; use at least {minimum}.")
    if spec.max_order_size is not None and amount > spec.max_order_size:
        maximum = format_base(spec.max_order_size, spec)
        raise UsageError(f"Size {shown} is above {spec.symbol}'s maximum of {maximum}; use at most {maximum}.")
    return amount


def parse_price(text: str | None, kind: OrderKind, spec: MarketSpec) -> int | None:
    if not kind.takes_price:
        if text is not None:
            raise UsageError(
                f"A {kind.label} order takes no price; drop the price or use a {_PRICED_KIND[kind].label} order."
            )
        return None
    if text is None:
        raise UsageError(f"A {kind.label} order needs a price; give the limit price.")
    price = parse_amount(text, PRICE_DECIMALS, what="Price")
    if price % spec.tick_size:
        nearest = [n for n in (floor_to(price, spec.tick_size), ceil_to(price, spec.tick_size)) if n > 0]
        options = " or ".join(format_price(n) for n in nearest)
        raise UsageError(
            f"Price {format_price(price)} is not on {spec.symbol}'s {format_price(spec.tick_size)} tick; use {options}."
        )
    return price


def parse_trigger(text: str | None, kind: OrderKind, direction: Direction, oracle_price: int) -> int | None:
    if not kind.takes_trigger:
        if text is not None:
            raise UsageError(
                f"A {kind.label} order takes no trigger; drop the trigger or use a stop or take-profit order."
            )
        return None
    if text is None:
        raise UsageError(f"A {kind.label} order needs a trigger price; give the price that fires it.")
    trigger = parse_amount(text, PRICE_DECIMALS, what="Trigger price")
    below = trigger_condition_for(kind, direction) is TriggerCondition.BELOW
    if trigger >= oracle_price if below else trigger <= oracle_price:
        needed = "below" if below else "above"
        raise UsageError(
            f"A {kind.label} {side_label(direction)} fires when the oracle moves {needed} its trigger, so the trigger "
            f"{format_price(trigger)} must be {needed} the oracle price {format_price(oracle_price)}."
        )
    return trigger


def _expiry(expire_s: int | None, default_expiry_s: int) -> int:
    if expire_s is None:
        return default_expiry_s
    if expire_s <= 0:
        raise UsageError(f"Expiry must be a positive number of seconds (got {expire_s}).")
    if expire_s > MAX_EXPIRY_S:
        raise UsageError(f"Expiry {expire_s} s is beyond 30 days ({MAX_EXPIRY_S} s); choose a shorter one.")
    return expire_s


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def parse_duration(text: str) -> int | None:
    """An expiry as typed: "90s", "30m", "4h", "2d" or plain seconds; empty means the default."""
    cleaned = text.strip().lower()
    if not cleaned:
        return None
    number, unit = (cleaned[:-1], cleaned[-1]) if cleaned[-1] in _DURATION_UNITS else (cleaned, "s")
    if not number.isdigit():
        raise UsageError(f"Expiry {text.strip()!r} is not a duration; write it like 90s, 30m, 4h or 2d.")
    return _expiry(int(number) * _DURATION_UNITS[unit], 0)


def format_duration(seconds: int) -> str:
    """A duration the way a trader reads it: "2d 4h", "1h 30m", "45m", "20s" (a minute or
    more is rounded up to the minute, so 29:59 still left of a 30m expiry reads "30m")."""
    seconds = max(seconds, 0)
    if seconds >= 60:
        seconds = -(-seconds // 60) * 60
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")] if seconds >= 60 else [(secs, "s")]
    shown = [f"{value}{unit}" for value, unit in parts if value][:2]
    return " ".join(shown) or "0s"


def free_user_order_id(live: set[int]) -> int:
    """The lowest user_order_id no live order holds: Drift reuses them once an order ends."""
    for candidate in USER_ORDER_IDS:
        if candidate not in live:
            return candidate
    raise UsageError("All 255 order ids are held by live orders; cancel some orders before placing another.")


def auction_for(
    direction: Direction,
    oracle_price: int,
    slippage_bps: int,
    duration_s: int,
    slot_ms: int = 400,
    *,
    tick_size: int = 1,
) -> tuple[int, int, int]:
    """A market order's auction: from the oracle to the worst price the slippage allows.

    Both ends are rounded to the tick toward the trader (down for a buy, up for a sell),
    so the auction never reaches past the strategy's slippage. Returns
    (start_price, end_price, duration_slots).
    """
    if oracle_price <= 0 or not 0 <= slippage_bps < 10_000 or duration_s < 0 or slot_ms <= 0 or tick_size <= 0:
        raise ValueError("auction needs a positive oracle, slippage in [0, 10000) bps and a non-negative duration")
    if direction is Direction.LONG:
        start = floor_to(oracle_price, tick_size)
        end = floor_to(oracle_price * (10_000 + slippage_bps) // 10_000, tick_size)
    else:
        start = ceil_to(oracle_price, tick_size)
        end = ceil_to(-(-oracle_price * (10_000 - slippage_bps) // 10_000), tick_size)
    slots = min(MAX_AUCTION_SLOTS, -(-duration_s * 1000 // slot_ms))
    return start, end, slots
