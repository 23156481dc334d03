"""Brackets: a take-profit and a stop-loss attached to an entry, as reduce-only triggers.

Each leg trades the entry's size the other way, fires on the oracle (a take-profit on the
side of the trade's profit, a stop-loss on the side of its loss) and rests without an
expiry: a protective order that lapsed silently would leave the position bare.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.markets import PRICE_DECIMALS, MarketSpec, format_base, format_price
from rekt_tui.domain.money import format_usd, to_decimal
from rekt_tui.domain.orders import OrderKind, OrderRequest, parse_order, side_label
from rekt_tui.domain.records import LIVE_ORDER_STATUSES, Direction, OrderRecord, OrderStatus, OrderType
from rekt_tui.domain.trading import AccountSnapshot, Order, Position

NO_EXPIRY = 0  # Drift's max_ts of 0: the order rests until it fires or is cancelled


def resting_protection(order: Order) -> bool:
    """A resting reduce-only trigger: a take-profit or stop-loss, not a new trade."""
    return order.reduce_only and order.order_type in (OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT)


def held_markets(snapshot: AccountSnapshot) -> set[int]:
    """The perp markets with a position open."""
    return {p.market_index for p in snapshot.positions if p.base_amount}


def went_flat(before: AccountSnapshot | None, after: AccountSnapshot) -> set[int]:
    """The markets held in `before` and not in `after`."""
    return set() if before is None else held_markets(before) - held_markets(after)


def orphaned_legs(snapshot: AccountSnapshot, market_index: int) -> tuple[Order, ...]:
    """The protection resting in a flat market with no entry resting there.

    The chain has no one-cancels-other: when a take-profit or stop-loss fills (or a liquidation
    ends the position) the other leg rests on, and would act on the next position opened on
    that side. A market with an entry still resting keeps its protection: a bracket waiting
    for that entry's fill may own it."""
    if market_index in held_markets(snapshot):
        return ()
    return protection_without_entry(snapshot.orders, market_index)


def protection_without_entry(orders: Sequence[Order], market_index: int) -> tuple[Order, ...]:
    """A market's resting protection, unless an entry (an order that is not reduce-only) rests there."""
    here = [o for o in orders if o.market_index == market_index]
    if not all(o.reduce_only for o in here):
        return ()
    return tuple(o for o in here if resting_protection(o))


def sibling_left(rows: Sequence[OrderRecord], legs: tuple[Order, ...], snapshot: AccountSnapshot) -> bool:
    """Whether a take-profit / stop-loss placed in the same transaction as one of these resting
    legs has left the chain without being cancelled (its row filled, or still live): at a
    watcher's start, the sign that it fired while nothing watched and left these orphaned. A
    stop placed on a flat market on purpose has no such sibling."""
    live = {(r.user_order_id, r.market_index): r for r in rows if r.status in LIVE_ORDER_STATUSES}
    placed_in = {
        row.transaction_signature for leg in legs
        if (row := live.get((leg.user_order_id, leg.market_index))) is not None and row.transaction_signature
    }  # fmt: skip
    return any(
        r.transaction_signature in placed_in and r.reduce_only and r.trigger_price is not None
        for r in _left_uncancelled(rows, snapshot)
    )  # fmt: skip


def closed_since(rows: Sequence[OrderRecord], legs: tuple[Order, ...], snapshot: AccountSnapshot) -> bool:
    """Whether a reduce-only market order of ours (a close) placed after these resting legs has
    left the chain without being cancelled: at a watcher's start, the sign that the close filled
    while nothing watched and left them behind. A stop placed on a flat market on purpose came
    after any close."""
    keys = {(leg.user_order_id, leg.market_index) for leg in legs}
    placed = [
        r.created_at for r in rows if (r.user_order_id, r.market_index) in keys and r.status in LIVE_ORDER_STATUSES
    ]
    if not placed:
        return False
    return any(
        r.market_index == legs[0].market_index and r.reduce_only and r.order_type is OrderType.MARKET
        and r.created_at > max(placed)
        for r in _left_uncancelled(rows, snapshot)
    )  # fmt: skip


def _left_uncancelled(rows: Sequence[OrderRecord], snapshot: AccountSnapshot) -> list[OrderRecord]:
    """Our order rows that left the chain without a cancel: filled, or still recorded live."""
    on_chain = {(o.user_order_id, o.market_index) for o in snapshot.orders}
    return [
        r for r in rows
        if (r.user_order_id, r.market_index) not in on_chain
        and (r.status is OrderStatus.FILLED or r.status in LIVE_ORDER_STATUSES)
    ]  # fmt: skip


@dataclass(frozen=True)
class Leg:
    name: str  # "take-profit" or "stop-loss"
    request: OrderRequest


def bracket_legs(
    entry: OrderRequest, *, take_profit: str | None, stop_loss: str | None, entry_price: int,
    oracle_price: int, markets: Mapping[str, MarketSpec], taken: set[int], now: int,
) -> tuple[Leg, ...]:  # fmt: skip
    """The reduce-only legs protecting `entry` (expected to fill at `entry_price`); `taken`
    holds the user order ids in use, the entry's included."""
    if entry.reduce_only and (take_profit or stop_loss):
        raise UsageError(
            "A bracket protects an entry that opens risk; drop reduce-only or the take-profit and stop-loss."
        )
    held = set(taken) | {entry.user_order_id}
    legs = []
    exit_side = side_label(Direction.SHORT if entry.direction is Direction.LONG else Direction.LONG)
    for name, kind, text in (("take-profit", OrderKind.TAKE_PROFIT, take_profit),
                             ("stop-loss", OrderKind.STOP_MARKET, stop_loss)):  # fmt: skip
        if text is None or not text.strip():
            continue
        request = parse_order(
            entry.market.symbol, exit_side, f"{to_decimal(entry.base_amount, entry.market.base_decimals)}",
            kind=kind, trigger=text, reduce_only=True, default_expiry_s=1, now=now, oracle_price=oracle_price,
            markets=markets, live_user_order_ids=held,
        )  # fmt: skip
        _check_side(name, request, entry, entry_price)
        held.add(request.user_order_id)
        legs.append(Leg(name, replace(request, max_ts=NO_EXPIRY)))
    return tuple(legs)


def _check_side(name: str, leg: OrderRequest, entry: OrderRequest, entry_price: int) -> None:
    """A take-profit above a buy's entry (below a sell's), a stop-loss the other side."""
    assert leg.trigger_price is not None
    long = entry.direction is Direction.LONG
    wants_above = long == (name == "take-profit")
    if leg.trigger_price > entry_price if wants_above else leg.trigger_price < entry_price:
        return
    where = "above" if wants_above else "below"
    raise UsageError(
        f"The {name} {format_price(leg.trigger_price)} of a {side_label(entry.direction)} must be {where} "
        f"its entry {format_price(entry_price)}."
    )


def leg_pnl(leg: OrderRequest, entry_price: int, base: int | None = None) -> int:
    """Quote (1e6) the leg realizes when it fills at its trigger, against `entry_price`, for
    `base` (what it closes: the leg's own size unless the position trims it)."""
    assert leg.trigger_price is not None
    move = entry_price - leg.trigger_price if leg.direction is Direction.LONG else leg.trigger_price - entry_price
    scale: int = 10**leg.market.base_decimals
    return move * (leg.base_amount if base is None else base) // scale


@dataclass(frozen=True)
class Cover:
    """What a bracket's legs close when they fire, and the price their PnL counts from."""

    base: int  # base precision
    basis: int  # 1e6: the entry's price, or the break-even of the position they protect at once
    position: int = 0  # base of the position now: positive lies the entry's way, negative against it


def sized_to_cover(legs: tuple[Leg, ...], cover: Cover) -> tuple[Leg, ...]:
    """Legs placed after an entry that turns a position around trade what it leaves, not its
    whole size: reduce-only would cap them there anyway, and the order shown says what it closes."""
    if cover.position >= 0 or not 0 < cover.base:
        return legs
    return tuple(replace(leg, request=replace(leg.request, base_amount=cover.base)) for leg in legs)


def bracket_cover(entry: OrderRequest, position: Position | None, entry_price: int) -> Cover:
    """What `entry`'s legs cover, given the position on its market now.

    A position the entry's way faces the reduce-only legs, so they are placed at once
    (services/orders.py) and protect it, at its break-even, until the entry fills. Otherwise
    they face what the entry leaves once it has closed any position against it.
    """
    if position is None or position.base_amount == 0:
        return Cover(entry.base_amount, entry_price)
    held = position.size if position.direction is entry.direction else -position.size
    if held > 0:
        return Cover(min(entry.base_amount, held), position.break_even_price or position.entry_price, held)
    return Cover(max(entry.base_amount + held, 0), entry_price, held)


def bracket_lines(
    legs: tuple[Leg, ...], entry_price: int, *, at_fill: bool = False, cover: Cover | None = None
) -> list[str]:
    """One preview line a leg (where it fires, how far from the entry, what it makes or loses),
    then one line for what the legs share, so a bracket fits a 24-row terminal's order entry;
    `at_fill` for a resting entry's legs, which are placed as it fills (sized to each fill).
    With `cover`, PnL counts what the legs really close, from the price they close against."""
    if not legs:
        return []
    first = legs[0].request  # each leg trades the entry's size, the other way
    cover = cover or Cover(first.base_amount, entry_price)
    origin = "break-even" if cover.position > 0 else "entry"
    lines = []
    for leg in legs:
        trigger = leg.request.trigger_price or 0
        distance = (Decimal(trigger - cover.basis) * 100 / cover.basis).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        pnl = leg_pnl(leg.request, cover.basis, cover.base)
        shown = f"+{format_usd(pnl)}" if pnl > 0 else format_usd(pnl)
        lines.append(f"{leg.name.capitalize()} {format_price(trigger)} ({distance:+f}% from {origin}), PnL {shown}")
    whose = "Both legs" if len(legs) > 1 else f"The {legs[0].name}"
    lines.append(f"{whose}: reduce-only, no expiry" + _coverage(first, cover, at_fill))
    return lines


def _coverage(leg: OrderRequest, cover: Cover, at_fill: bool) -> str:
    """When the legs are placed and what they cover, where that is not simply the entry's fill."""
    market = leg.market
    size = leg.base_amount
    held = format_base(abs(cover.position), market)
    entry_way = "short" if leg.direction is Direction.LONG else "long"  # the legs trade against the entry
    if cover.position > 0:
        total = format_base(cover.position + size, market)
        return (f", placed now to protect the current {entry_way} of {held} (break-even {format_price(cover.basis)}), "
                f"not this entry's fill; {format_base(size, market)} of {total} covered once it fills")  # fmt: skip
    when = ", placed as the entry fills" if at_fill else ""
    if cover.position == 0:  # nothing held: the legs cover the entry's fill
        return when
    against = "long" if entry_way == "short" else "short"
    if cover.base == 0:
        return f"{when}, yet nothing to cover: the entry only shrinks the {against} of {held}"
    return f"{when}, for the {format_base(cover.base, market)} left once the {against} of {held} is closed"


AT_FILL_NOTE = (
    "Its take-profit and stop-loss are placed as it fills, sized to each fill, by a running cockpit or "
    "`rekt-tui guard` on this session; if neither runs, the cockpit places them when it next opens the session."
)


def fill_legs(
    market: MarketSpec, entry_direction: Direction, size: int, *, take_profit: int | None, stop_loss: int | None,
    entry_price: int, oracle_price: int, markets: Mapping[str, MarketSpec], taken: set[int], now: int,
) -> tuple[Leg, ...]:  # fmt: skip
    """The legs of a bracket that waited for its entry's fill, sized to `size` (base precision)
    of that fill; the triggers are the ones checked when the entry was placed."""
    side = side_label(entry_direction)
    entry = parse_order(
        market.symbol, side, f"{to_decimal(size, market.base_decimals)}", kind=OrderKind.MARKET, default_expiry_s=1,
        now=now, oracle_price=oracle_price, markets=markets, live_user_order_ids=set(taken),
    )  # fmt: skip
    return bracket_legs(
        entry, take_profit=_typed(take_profit), stop_loss=_typed(stop_loss), entry_price=entry_price,
        oracle_price=oracle_price, markets=markets, taken=taken, now=now,
    )  # fmt: skip


def _typed(trigger: int | None) -> str | None:
    """A stored trigger price (1e6) as the text `bracket_legs` parses."""
    return None if trigger is None else f"{to_decimal(trigger, PRICE_DECIMALS)}"


@dataclass(frozen=True)
class WaitingLeg:
    """A leg of a bracket that waits for its resting entry's fill, as the open orders show it."""

    entry_user_order_id: int
    market_index: int
    name: str  # "take-profit" or "stop-loss"
    direction: Direction  # the leg's own side: the entry's other way
    trigger_price: int  # 1e6


def waiting_legs(
    entry_user_order_id: int, market_index: int, entry_direction: Direction, *, take_profit: int | None,
    stop_loss: int | None,
) -> tuple[WaitingLeg, ...]:  # fmt: skip
    exit_direction = Direction.SHORT if entry_direction is Direction.LONG else Direction.LONG
    named = (("take-profit", take_profit), ("stop-loss", stop_loss))
    return tuple(WaitingLeg(entry_user_order_id, market_index, name, exit_direction, trigger)
                 for name, trigger in named if trigger is not None)  # fmt: skip


def waiting_leg_cells(leg: WaitingLeg, symbol: str) -> tuple[str, ...]:
    """The open orders' row of a waiting leg (their columns): `↳ TP`, placed at the entry's fill."""
    short = "TP" if leg.name == "take-profit" else "SL"
    side = "buy" if leg.direction is Direction.LONG else "sell"
    return (symbol, f"↳ {short}", side, "at fill", f"mkt / {format_price(leg.trigger_price)}", "yes", "never")
