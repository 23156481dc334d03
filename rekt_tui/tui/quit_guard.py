"""The quit guard: why quitting deserves a question, if it does (README: quitting closes nothing).

Quitting leaves positions open on chain, unwatched, and a stop-and-withdraw unfinished until
the next launch. So the cockpit asks first while a stop runs, or while the session on screen
(judged by its live feed, so a position opened a second ago counts) or any other session (by
the last reconciliation) holds open positions or orders.
"""

from __future__ import annotations

from collections.abc import Sized

from rekt_tui.domain.brackets import held_markets, resting_protection
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.services.models import RecoveryItem
from rekt_tui.tui.messages import LinkedSession
from rekt_tui.tui.screens.confirm import ConfirmScreen

QUIT_TITLE = "Quit with positions or orders open?"
QUIT_QUESTION = (
    "{what}. Quitting does not close anything: positions and orders stay open on chain, unwatched. "
    "The next launch offers to recover. Quit anyway?"
)


def exposure(
    stop_running: bool, live: AccountSnapshot | None, recovery_items: tuple[RecoveryItem, ...],
    linked: LinkedSession | None = None,
) -> str | None:
    """What is exposed, as the start of a sentence, or None when quitting is safe.

    `stop_running` means a stop-and-withdraw runs and has not reached its outcome yet; `linked`
    holds the bracket legs that wait for a resting entry's fill, which only a running cockpit
    or `rekt-tui guard` places.
    """
    if stop_running:
        return "A stop-and-withdraw is still running; it finishes on the next launch"
    if live is not None and (live.positions or live.orders):
        held = f"The session on screen holds {_count(live.positions, 'position')} and {_count(live.orders, 'order')}"
        waiting = linked.waiting_legs if linked is not None else ()
        if _paired_protection(live):
            held += ("; if one of a take-profit and stop-loss pair fills while neither the cockpit nor "
                     "`rekt-tui guard` runs, the other rests until the next launch cancels it")  # fmt: skip
        if waiting:
            held += (f", and {_count(waiting, 'take-profit or stop-loss leg')} waiting for an entry's fill: placed "
                     "only while the cockpit or `rekt-tui guard` runs, so a fill while neither does leaves the "
                     "position without them")  # fmt: skip
        return held
    held = [item for item in recovery_items if item.positions or item.open_orders]
    if held:
        return f"{len(held)} session(s) hold open positions or orders"
    return None


def quit_question(what: str) -> ConfirmScreen:
    """The confirm modal that asks before quitting with `what` exposed."""
    return ConfirmScreen(QUIT_TITLE, QUIT_QUESTION.format(what=what))


def _paired_protection(live: AccountSnapshot) -> bool:
    """Whether a held market has two or more take-profit / stop-loss orders resting: one-cancels-other's work."""
    held = held_markets(live)
    legs = [o.market_index for o in live.orders if resting_protection(o) and o.market_index in held]
    return len(legs) > len(set(legs))


def _count(items: Sized, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
