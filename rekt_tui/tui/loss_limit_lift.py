"""Lifting a breached loss limit from the cockpit: the same rule as `rekt-tui guard --lift`.

Only while the followed session is exit-only: the trader reads the breach and types the
word (`LIFT_WORD`) in the one confirm modal; then the registry clears the breach and the
activity log says so. Any other time the key answers with one sentence and changes
nothing. The watcher reads the lifted ledger on its next tick and the HUD follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rekt_tui.domain.errors import RektError
from rekt_tui.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from rekt_tui.services.container import Services
    from rekt_tui.tui.screens.dashboard import DashboardScreen

NOT_EXIT_ONLY = "The loss limit is not breached, so there is nothing to lift; the session is not exit-only."
LIFT_GROUP = "lift-loss-limit"


def lift_loss_limit(dashboard: DashboardScreen, services: Services) -> None:
    """Ask, then lift: only when the HUD shows the followed session exit-only."""
    state = dashboard.guard
    if state is None or state.breach is None or state.session is None:
        dashboard.record(NOT_EXIT_ONLY, "warning")
        dashboard.notify(NOT_EXIT_ONLY, title="Lift loss limit", severity="warning", markup=False)
        return
    pubkey = state.session
    dashboard.run_worker(_ask(dashboard, services, pubkey), group=LIFT_GROUP, exclusive=True, exit_on_error=False)


async def _ask(dashboard: DashboardScreen, services: Services, pubkey: str) -> None:
    from rekt_tui.services.watcher import LIFT_WORD, breached_ledger, lift_question

    try:
        ledger = await breached_ledger(services.registry, pubkey)  # a `guard` may have lifted it already
    except RektError as error:
        dashboard.record(error.message, "warning")
        return

    def answered(confirmed: bool | None) -> None:
        if confirmed:
            dashboard.run_worker(_lift(dashboard, services, pubkey), group=LIFT_GROUP, exit_on_error=False)
        else:
            dashboard.record("Lift cancelled; the session stays exit-only.", "warning")

    question = ConfirmScreen("Lift the loss limit", lift_question(ledger), typed=LIFT_WORD)
    dashboard.app.push_screen(question, answered)


async def _lift(dashboard: DashboardScreen, services: Services, pubkey: str) -> None:
    from rekt_tui.services.watcher import lift_loss_limit as lift

    sentence = await lift(services.registry, pubkey)
    dashboard.record(sentence)
    dashboard.notify(sentence, title="Loss limit lifted", markup=False)
