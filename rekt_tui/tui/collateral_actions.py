"""Adding or withdrawing collateral from the dashboard: ask, preview, confirm, sign.

The form (`screens/collateral.py`) answers with what was typed; the signing runs as a
worker of the app, so it outlives the form, and asks the one confirm modal first with
the numbers of the plan it will sign. Refusals arrive as the worker's error: one sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rekt_tui.domain.collateral import amount_text
from rekt_tui.domain.guards import OrderRefused
from rekt_tui.tui.order_actions import Confirm, Post, confirm
from rekt_tui.tui.session_messages import Sent
from rekt_tui.tui.workers import group_running

if TYPE_CHECKING:
    from textual.app import App

    from rekt_tui.tui.screens.collateral import CollateralRequest
    from rekt_tui.tui.session_controller import SessionController

COLLATERAL_GROUP = "collateral-change"


async def change_collateral(sessions: SessionController, request: CollateralRequest, ask: Confirm, post: Post) -> None:
    from rekt_tui.tui.screens.collateral import DEPOSIT, withdraw_text  # the form's module: loaded with the form

    if request.mode == DEPOSIT:
        setup = sessions.setup()
        venue = setup.labels.name
        if not await ask("Add collateral", f"Deposit {request.amount.strip()} {request.asset} into {venue}?"):
            return
        landed = await setup.deposit(request.amount, request.asset)
        post(Sent((f"Deposited {request.amount.strip()} {request.asset} into {venue} ({landed.signature})",)))
        return
    service = sessions.collateral()
    plan = await service.plan_withdraw(request.amount, request.asset)
    if plan.refusals:
        raise OrderRefused(plan.refusals)
    what = amount_text(plan.request.amount, plan.request.decimals, plan.request.asset)
    preview = withdraw_text(plan, sessions.services.settings.labels.name)
    if not await ask("Withdraw collateral", f"Withdraw {what} to the session wallet?\n\n{preview}"):
        return
    landed = await service.withdraw(plan)
    post(Sent((f"Withdrew {what} to the session wallet ({landed.signature})",)))


def open_collateral(app: App[None], sessions: SessionController, post: Post) -> None:
    """The form, then (on an answer) the worker that confirms and signs; one change at a time."""
    if group_running(app, COLLATERAL_GROUP):
        app.notify("The previous collateral change is still on its way.", severity="warning")
        return

    def answered(request: CollateralRequest | None) -> None:
        if request is not None:
            app.run_worker(change_collateral(sessions, request, confirm(app), post), group=COLLATERAL_GROUP,
                           exit_on_error=False)  # fmt: skip

    from rekt_tui.tui.screens.collateral import collateral_screen  # built on first use, not for the first frame

    app.push_screen(collateral_screen(sessions), answered)
