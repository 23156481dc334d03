"""`rekt-tui withdraw AMOUNT SOL|QUOTE`: part of the collateral back to the session wallet.

The plan's preview is printed first; a refused withdrawal prints every refusal and
exits non-zero before anything is signed; `--yes` withdraws without asking.
"""

import argparse

from rekt_tui.cli.output import ask, note, print_json, print_table
from rekt_tui.domain.collateral import amount_text, leverage_text
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.guards import OrderRefused
from rekt_tui.domain.money import format_usd
from rekt_tui.services.collateral import CollateralService, WithdrawPlan
from rekt_tui.services.landing import Lander


def plan_rows(plan: WithdrawPlan, venue: str) -> list[list[str]]:
    """The withdrawal's preview; `venue` names where the collateral is held ("Drift")."""
    request, preview = plan.request, plan.preview
    return [
        ["withdraw", amount_text(request.amount, request.decimals, request.asset)],
        [f"{venue} holds", amount_text(preview.held, request.decimals, request.asset)],
        ["most withdrawable now", amount_text(plan.largest, request.decimals, request.asset)],
        ["free collateral after", format_usd(preview.free_collateral_after)],
        ["leverage after", leverage_text(preview.leverage_after)],
    ]


async def withdraw(lander: Lander, args: argparse.Namespace) -> int:
    service = CollateralService(lander.link)
    plan = await service.plan_withdraw(args.amount, args.asset)
    if not args.json:
        print_table(["WITHDRAWAL", "VALUE"], plan_rows(plan, lander.link.settings.labels.name))
    if plan.refusals:
        raise OrderRefused(plan.refusals)
    if not args.yes and not ask("Withdraw to the session wallet?"):
        raise RektError("Withdrawal cancelled; nothing was signed.")
    landed = await service.withdraw(plan)
    request = plan.request
    if args.json:
        print_json({"signature": landed.signature, "asset": request.asset, "amount": request.amount,
                    "decimals": request.decimals})  # fmt: skip
    else:
        print(landed.signature)
        note(f"Withdrew {amount_text(request.amount, request.decimals, request.asset)} to the session wallet.")
    return 0
