"""`rekt-tui order | cancel | close`: the preview first, then one confirmation, then the chain.

A refused order prints every refusal with its numbers and exits non-zero before
anything is signed; `--yes` places without asking (scripts), otherwise the preview is
confirmed at the prompt.
"""

import argparse

from rekt_tui.cli.output import ask, note, print_table
from rekt_tui.cli.trading_views import preview_rows
from rekt_tui.domain.errors import RektError, UsageError
from rekt_tui.domain.guards import OrderRefused
from rekt_tui.domain.orders import side_label
from rekt_tui.services.landing import Lander
from rekt_tui.services.models import OrderForm
from rekt_tui.services.orders import OrderService

async def order(lander: Lander, args: argparse.Namespace) -> int:
    service = OrderService(lander)
    form = OrderForm(
        market=args.market, side=args.side, size=args.size, kind=args.kind, price=args.price, trigger=args.trigger,
        reduce_only=args.reduce_only, post_only=args.post_only, expire_s=args.expire,
    )  # fmt: skip
    overrides = {"allow_stacking": args.allow_stacking, "allow_far_price": args.allow_far_price}
    plan = await service.plan(form, **overrides)
    print_table(["PREVIEW", "VALUE"], preview_rows(plan.request, plan.auction, plan.preview))
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
    note(
        f"Order {record.chain_order_id if record.chain_order_id is not None else '—'} "
        f"(user order id {record.user_order_id}) {side_label(record.direction)} is {record.status.value}."
    )
    return 0


def check_usage(args: argparse.Namespace) -> None:
    """Refuse argument combinations before any connection is opened."""
    if args.command == "cancel" and args.all == (args.order_id is not None):
        raise UsageError("Give one ORDER_ID (from `rekt-tui status`) or --all.")
    if args.command == "close" and args.all == (args.market is not None):
        raise UsageError("Give one MARKET (like SOL-PERP) or --all.")


async def cancel(lander: Lander, args: argparse.Namespace) -> int:
    landed = await OrderService(lander).cancel(None if args.all else args.order_id)
    print(landed.signature)
    note("Cancelled every open order." if args.all else f"Cancelled order {args.order_id}.")
    return 0


async def close(lander: Lander, args: argparse.Namespace) -> int:
    for placed in await OrderService(lander).close(None if args.all else args.market):
        print(placed.signature)
        note(f"Reduce-only close {placed.record.user_order_id} sent; it fills through its auction.")
    return 0
