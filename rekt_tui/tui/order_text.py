"""The words of order entry: the preview of a plan, the confirm question, what placing did.

Pure functions of the service's values, shared by order entry, the close, reverse and
modify screens and the dashboard's activity log.
"""

from datetime import datetime, timedelta

from rekt_tui.domain.brackets import bracket_lines
from rekt_tui.domain.guards import format_leverage
from rekt_tui.domain.markets import format_base, format_price
from rekt_tui.domain.money import format_usd
from rekt_tui.domain.orders import OrderKind, format_duration
from rekt_tui.domain.records import OrderStatus
from rekt_tui.services.models import OrderPlan, PlacedOrder
from rekt_tui.tui.formatting import hud_price

NO_ORDER_TO_MODIFY = "Select an open order to modify (5 goes to the open orders)."


def preview_text(plan: OrderPlan, now: datetime | None = None) -> str:
    """The pre-trade preview, one figure a line, in the product's order."""
    preview, request = plan.preview, plan.request
    liquidation = preview.liquidation_price_after
    fee = f"{format_usd(preview.fee)}" if preview.fee >= 0 else f"{format_usd(-preview.fee)} rebate"
    flags = [flag for flag, on in (("reduce-only", request.reduce_only), ("post-only", request.post_only)) if on]
    lines = [
        f"{request.kind.label.capitalize()} {'buy' if request.direction.value == 'long' else 'sell'} "
        f"{format_base(request.base_amount, request.market)} ({request.market.symbol})"
        + (f", {', '.join(flags)}" if flags else ""),
    ]
    if request.trigger_price is not None and request.trigger_condition is not None:
        lines.append(f"Triggers when the oracle is {request.trigger_condition.value} {format_price(request.trigger_price)}")
    if request.at_market_once_triggered:  # its figures are at the trigger; its fill has no bound
        fills = f"Then at market, no worst price: figures at {format_price(preview.entry_price)}   fee {fee}"
    elif plan.book_unread:  # every figure is at the worst price the order accepts
        fills = f"No order book: entry not known, figures at the worst {format_price(preview.worst_price)}   fee {fee}"
    else:
        fills = f"Entry {format_price(preview.entry_price)}   worst {format_price(preview.worst_price)}   fee {fee}"
    lines += [
        fills,
        f"Leverage after {format_leverage(preview.leverage_after)}   "
        f"free collateral after {format_usd(preview.free_collateral_after)}",
        f"Liquidation price after {hud_price(liquidation) if liquidation else 'none'}",  # 4 places, not 6
    ]
    if request.kind is not OrderKind.MARKET:
        lines.append(expiry_text(request.max_ts, now or datetime.now()) if request.max_ts else "No expiry")
    legs = bracket_lines(plan.bracket, _entry_of(plan), at_fill=plan.bracket_at_fill, cover=plan.bracket_cover)
    return "\n".join(lines + legs)


def _entry_of(plan: OrderPlan) -> int:
    """Where the entry means to fill: its limit, its trigger, else the preview's price."""
    request = plan.request
    return request.price or request.trigger_price or plan.preview.entry_price


def expiry_text(max_ts: int, now: datetime) -> str:
    """When a resting order expires: in how long, and at what local time."""
    left = max_ts - int(now.timestamp())
    return f"Expires in {format_duration(left)}, at {(now + timedelta(seconds=left)):%H:%M}"


def order_question(plan: OrderPlan) -> str:
    """What the confirm modal asks before the order is signed."""
    return f"{preview_text(plan)}\n\nSign and send this order?"


def placed_text(placed: PlacedOrder) -> str:
    """What placing did; orders are numbered by their chain order id everywhere."""
    record = placed.record
    number = f" #{record.chain_order_id}" if record.chain_order_id is not None else ""
    # "open" is the order at its landing slot: the fill line that follows (or came first) is newer.
    outcome = "open when it landed" if placed.outcome == OrderStatus.OPEN.value else placed.outcome
    lines = [f"Order{number} placed ({outcome}): {placed.signature}"]
    for leg in placed.bracket:
        leg_number = f" #{leg.record.chain_order_id}" if leg.record.chain_order_id is not None else ""
        lines.append(f"Bracket order{leg_number} placed ({leg.record.status.value}), reduce-only, no expiry")
    if placed.bracket_at_fill:
        lines.append("Its take-profit and stop-loss are placed as it fills (the activity log says when).")
    if placed.bracket_problem:
        lines.append(placed.bracket_problem)
    return "\n".join(lines)
