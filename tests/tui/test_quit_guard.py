"""The quit guard's rule (README: quitting closes nothing, so the cockpit asks first)."""

from dataclasses import replace

from rekt_tui.domain.brackets import waiting_legs
from rekt_tui.domain.records import Direction
from rekt_tui.services.models import RecoveryItem, SuggestedAction
from rekt_tui.tui.quit_guard import exposure
from tests.tui import live_data


def held_elsewhere(positions: int = 0, open_orders: int = 0) -> RecoveryItem:
    return RecoveryItem(
        session=live_data.session(), sol_lamports=0, collateral=0, open_orders=open_orders, positions=positions,
        unsettled_pnl=0, borrowed=False, since=live_data.AT, action=SuggestedAction.RESUME,
    )  # fmt: skip


def test_nothing_exposed_quits_without_a_question():
    flat = replace(live_data.account(), positions=(), orders=())
    assert exposure(False, None, ()) is None
    assert exposure(False, flat, (held_elsewhere(),)) is None  # money left, but no exposure


def test_a_running_stop_comes_first():
    assert exposure(True, live_data.account(), ()) == (
        "A stop-and-withdraw is still running; it finishes on the next launch"
    )


def test_the_session_on_screen_counts_positions_and_orders():
    one_position = replace(live_data.account(), positions=live_data.account().positions[:1], orders=())
    assert exposure(False, one_position, ()) == "The session on screen holds 1 position and 0 orders"
    only_orders = replace(live_data.account(), positions=())
    assert exposure(False, only_orders, ()) == "The session on screen holds 0 positions and 2 orders"


def test_other_sessions_count_by_the_last_reconciliation():
    items = (held_elsewhere(positions=1), held_elsewhere(open_orders=3), held_elsewhere())
    assert exposure(False, None, items) == "2 session(s) hold open positions or orders"


def test_legs_waiting_for_an_entrys_fill_are_said_to_need_a_running_cockpit():
    waiting = waiting_legs(7, 0, Direction.LONG, take_profit=160 * live_data.USDC, stop_loss=140 * live_data.USDC)
    linked = replace(live_data.linked(), waiting_legs=waiting)
    assert exposure(False, live_data.account(), (), linked) == (
        "The session on screen holds 2 positions and 2 orders, and 2 take-profit or stop-loss legs waiting for "
        "an entry's fill: placed only while the cockpit or `rekt-tui guard` runs, so a fill while neither does "
        "leaves the position without them"
    )
    assert exposure(False, live_data.account(), (), live_data.linked()).endswith("2 orders")  # none waiting


def test_a_take_profit_and_stop_loss_pair_is_said_to_need_a_running_cockpit():
    account = live_data.account()
    [sol] = [p for p in account.positions if p.symbol == "SOL-PERP"]
    legs = tuple(replace(account.orders[1], order_id=n, market_index=sol.market_index) for n in (8, 9))
    paired = replace(account, orders=legs)
    assert exposure(False, paired, ()) == (
        "The session on screen holds 2 positions and 2 orders; if one of a take-profit and stop-loss pair "
        "fills while neither the cockpit nor `rekt-tui guard` runs, the other rests until the next launch cancels it"
    )
    one_leg = replace(account, orders=legs[:1])
    assert exposure(False, one_leg, ()) == "The session on screen holds 2 positions and 1 order"
