"""Which of the app's actions apply right now: the rules behind `RektApp.check_action`.

A pure function of a snapshot of the cockpit's state, so the rules read in one place and
the help screen, the footer and the palette (which all ask `check_action`) agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.screen import Screen

from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.dashboard import DashboardScreen
from rekt_tui.tui.screens.recovery import RecoveryScreen
from rekt_tui.tui.screen_names import MODIFY_ORDER, ORDER_ENTRY, is_screen
from rekt_tui.tui.stop_and_withdraw import stoppable_session
from rekt_tui.tui.workers import group_running

if TYPE_CHECKING:
    from rekt_tui.tui.app import RektApp

SHELL_STATUS_GROUP = "shell-status"  # the app's worker that reads the shell status
SESSION_ACTIONS = frozenset({"session_setup", "checklist", "buy", "sell"})
POSITION_ACTIONS = frozenset({"close_position", "cancel_order", "cancel_all_orders"})


@dataclass(frozen=True)
class CockpitState:
    screen: Screen  # the screen on top
    dashboard: DashboardScreen
    linked: bool  # a session is linked to the chain, ready to sign
    session: SessionRecord | None
    stale: bool  # some live feed is stale
    status_loading: bool
    stopping: bool  # a stop-and-withdraw runs
    changing: bool  # a close or cancel runs

    @classmethod
    def of(cls, app: RektApp) -> CockpitState:
        dashboard = app.dashboard
        return cls(
            app.screen, dashboard, app.sessions.linked, dashboard.session, dashboard.feeds.stale,
            group_running(app, SHELL_STATUS_GROUP), app.way_out.running, app.orders.changing,
        )  # fmt: skip


def action_applies(action: str, state: CockpitState, parameters: tuple[object, ...] = ()) -> bool | None:
    """True: the action applies; False: it is hidden; None: shown dimmed, as buy and sell
    are while the data is stale (their keys then say why, see `OrderActions.explain_dimmed`)."""
    if action == "push_screen" and parameters == (MODIFY_ORDER,):  # the open orders' `e`: an order to modify
        return _position_action_applies("cancel_order", state)
    if action == "reload_status":
        return not state.status_loading
    if action in SESSION_ACTIONS:
        return _session_action_applies(action, state)
    if action in POSITION_ACTIONS:
        return _position_action_applies(action, state)
    if action == "stop_and_withdraw":
        # Not over the recovery banner: there, recover is the same action for the chosen session.
        if isinstance(state.screen, RecoveryScreen):
            return False
        return state.stopping or stoppable_session(state.dashboard.status) is not None
    return True


def _session_action_applies(action: str, state: CockpitState) -> bool | None:
    """Setup is always there; the checklist needs a session; orders need trading started
    and fresh data. None of them opens over a question already asked (confirm, order
    entry) or over the recovery banner, which blocks everything until it is dealt with."""
    if isinstance(state.screen, (ConfirmScreen, RecoveryScreen)) or is_screen(state.screen, ORDER_ENTRY):
        return False
    if action == "session_setup":
        return True
    if state.stopping:  # nothing new while money is on its way out
        return False
    if action == "checklist":
        return state.linked
    session = state.session
    started = session is not None and session.status is SessionStatus.ACTIVE and session.trading_started_at
    if not (state.linked and started):
        return False
    return None if state.stale else True


def _position_action_applies(action: str, state: CockpitState) -> bool:
    """Only on the dashboard itself, with a session linked, one change at a time, and something to act on."""
    dashboard = state.dashboard
    if state.screen is not dashboard or not state.linked or state.changing or state.stopping:
        return False
    if action == "close_position":
        return dashboard.selected_position() is not None
    if action == "cancel_order":
        return dashboard.selected_order() is not None
    return dashboard.account is not None and bool(dashboard.account.orders)
