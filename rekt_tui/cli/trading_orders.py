"""`rekt-tui order | cancel | close | modify`: the preview first, then one confirmation, then the chain.

A refused order prints every refusal with its numbers and exits non-zero before
anything is signed; `--yes` places without asking (scripts), otherwise the preview is
confirmed at the prompt.
"""

import argparse

from rekt_tui.cli.output import ask, note, print_json, print_table
from rekt_tui.cli.trading_views import preview_rows
from rekt_tui.domain.brackets import AT_FILL_NOTE, bracket_lines
from rekt_tui.domain.errors import RektError, UsageError
from rekt_tui.domain.guards import OrderRefused
from rekt_tui.domain.order_grammar import check_modify
from rekt_tui.domain.orders import side_label
from rekt_tui.services.landing import Lander
from rekt_tui.services.models import NOTHING_FILLED, OrderForm
from rekt_tui.services.orders import OrderService
from rekt_tui.services.orphaned_legs import legs_after_close
from rekt_tui.tui.tables import perp_names

CLOSE_SETTLE_S = 5  # past a close's auction: time for its fill to show in the account


async def order(lander: Lander, args: argparse.Namespace) -> int:
    service = OrderService(lander)
    form = OrderForm(
        market=args.market, side=args.side, size=args.size, kind=args.kind, price=args.price, trigger=args.trigger,
        reduce_only=args.reduce_only, post_only=args.post_only, expire_s=args.expire,
        take_profit=args.take_profit, stop_loss=args.stop_loss,
    )  # fmt: skip
    overrides = {"allow_stacking": args.allow_stacking, "allow_far_price": args.allow_far_price}
    plan = await service.plan(form, **overrides)
    rows = preview_rows(plan.request, plan.auction, plan.preview, book_unread=plan.book_unread)
    legs = bracket_lines(plan.bracket, plan.preview.entry_price, at_fill=plan.bracket_at_fill, cover=plan.bracket_cover)
    bracket = [["bracket", line] for line in legs]
    print_table(["PREVIEW", "VALUE"], rows + bracket)
    if plan.refusals:
        raise OrderRefused(plan.refusals)
    if args.yes:
        placed = await service.submit(plan)
    elif ask("Place this order?"):
        placed = await service.place(form, **overrides)  # checked again on fresh data
    else:
        raise RektError("Order not placed; nothing was signed.")
    record = placed.record
    print(placed.signature)
    number = "" if record.chain_order_id is None else f" {record.chain_order_id}"  # a taker filled at once has none
    note(
        f"Order{number} (user order id {record.user_order_id}) {side_label(record.direction)} "
        f"{placed.outcome if placed.outcome == NOTHING_FILLED else 'is ' + placed.outcome}."
    )
    for leg in placed.bracket:
        note(f"Bracket order {leg.record.chain_order_id} (reduce-only, no expiry) is {leg.record.status.value}.")
    if placed.bracket_at_fill:
        note(AT_FILL_NOTE)
    if placed.bracket_problem:
        note(placed.bracket_problem)
        return 1
    return 0


async def modify(lander: Lander, args: argparse.Namespace) -> int:
    """Preview the order as it would become, then replace it in place (asks unless --yes)."""
    service = OrderService(lander)
    changes = {"price": args.price, "size": args.size, "trigger": args.trigger}
    plan = await service.plan_modify(args.order_id, **changes)
    rows = preview_rows(plan.plan.request, None, plan.plan.preview, book_unread=plan.plan.book_unread)
    if not args.json:
        print_table(["PREVIEW", "VALUE"], rows)
    if plan.plan.refusals:
        raise OrderRefused(plan.plan.refusals)
    if args.yes:
        done = await service.modify(plan)
    elif ask(f"Modify order {args.order_id}?"):
        done = await service.modify(await service.plan_modify(args.order_id, **changes))  # checked again on fresh data
    else:
        raise RektError("Order not modified; nothing was signed.")
    request = plan.plan.request
    if args.json:
        print_json({
            "order_id": args.order_id, "new_order_id": done.chain_order_id, "user_order_id": request.user_order_id,
            "market": request.market.symbol, "side": side_label(request.direction), "type": request.kind.value,
            "base_amount": request.base_amount, "price": request.price, "trigger_price": request.trigger_price,
            "signature": done.signature, "preview": dict(rows),
        })  # fmt: skip
        return 0
    print(done.signature)
    number = "—" if done.chain_order_id is None else str(done.chain_order_id)
    note(f"Order {args.order_id} is now order {number} (user order id {request.user_order_id}).")
    return 0


def check_usage(args: argparse.Namespace) -> None:
    """Refuse argument combinations before any connection is opened."""
    if args.command == "cancel" and args.all == (args.order_id is not None):
        raise UsageError("Give one ORDER_ID (from `rekt-tui status`) or --all.")
    if args.command == "close" and args.all == (args.market is not None):
        raise UsageError("Give one MARKET (like SOL-PERP) or --all.")
    if args.command == "modify":
        check_modify(args)


async def cancel(lander: Lander, args: argparse.Namespace) -> int:
    landed = await OrderService(lander).cancel(None if args.all else args.order_id)
    print(landed.signature)
    note("Cancelled every open order." if args.all else f"Cancelled order {args.order_id}.")
    return 0


async def close(lander: Lander, args: argparse.Namespace) -> int:
    later = lander.link.settings.labels.fills_after_landing
    orders = OrderService(lander)
    closed: set[int] = set()  # the markets whose close was sent
    try:
        async for placed in orders.closing(None if args.all else args.market):
            closed.add(placed.record.market_index)
            print(placed.signature)
            number, outcome = placed.record.user_order_id, placed.outcome
            # Drift's market order fills later, over its auction; the relaunch's matched the book as it landed.
            landed = outcome if outcome.startswith("landed") else f"landed ({outcome})"
            note(f"Reduce-only close {number} sent; it fills through its auction." if later
                 else f"Reduce-only close {number} {landed}.")  # fmt: skip
    except RektError:  # a later close failed: the ones sent still get their legs ended, then the failure is said
        if closed:
            await _end_legs(lander, orders, closed)
        raise
    await _end_legs(lander, orders, closed)
    return 0


async def _end_legs(lander: Lander, orders: OrderService, markets: set[int]) -> None:
    """Nothing watches after this command: the closed markets' protection is ended here, once flat."""
    names = perp_names(orders.markets().values())  # spot and perp indexes overlap
    within_s = orders.strategy().auction_duration_s + CLOSE_SETTLE_S
    try:
        sentences = await legs_after_close(lander.link, markets, names, within_s, waiting=note)
    except RektError as error:  # the closes are sent and said: this names what became of their legs
        sentences = [f"Ending the take-profit / stop-loss the close left: {error.message} "
                     "`rekt-tui status` lists what rests and `rekt-tui cancel` ends it."]  # fmt: skip
    for sentence in sentences:
        note(sentence)
