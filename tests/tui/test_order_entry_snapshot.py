"""Snapshots of order entry for each order type, at the smallest and a large terminal: the
fields each type takes, and a preview (triggers, expiry) beside a guard refusal."""

from dataclasses import replace

import pytest
from textual.widgets import Input, Select

from rekt_tui.domain.orders import OrderKind, trigger_condition_for
from rekt_tui.tui.debounce import DEBOUNCE_S
from rekt_tui.tui.screens.order_entry import OrderEntryScreen
from tests.tui.conftest import FIXED_NOW, make_app
from tests.tui.screen_data import refused_plan

USDC = 10**6


def plan_for(kind: OrderKind):
    """The fixed refused plan, as an order of `kind` typed with the prices below."""
    plan = refused_plan()
    request = replace(
        plan.request, kind=kind, price=149 * USDC if kind.takes_price else None,
        trigger_price=155 * USDC if kind.takes_trigger else None,
        trigger_condition=trigger_condition_for(kind, plan.request.direction),
        max_ts=int(FIXED_NOW.timestamp()) + 5400,
    )  # fmt: skip
    return replace(plan, request=request, auction=plan.auction if kind is OrderKind.MARKET else None)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
@pytest.mark.parametrize("kind", list(OrderKind), ids=[kind.value for kind in OrderKind])
def test_order_entry_of_each_type_with_a_guard_refusal(snap_compare, services, kind, size):
    async def show_refusal(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        screen = OrderEntryScreen("buy", ("BTC-PERP", "ETH-PERP", "SOL-PERP"), clock=lambda: FIXED_NOW)
        await pilot.app.push_screen(screen)
        screen.query_one("#order-kind", Select).value = kind.value
        await pilot.press(*"1000")
        screen.query_one("#order-price").value = "149" if kind.takes_price else ""
        screen.query_one("#order-trigger").value = "155" if kind.takes_trigger else ""
        # The app answers the typed form first (no session here); the fixed plan replaces that answer.
        await pilot.pause(DEBOUNCE_S * 2)
        await pilot.app.workers.wait_for_complete()
        screen.show_plan(screen.form(), plan_for(kind), "")
        for field in screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture depend on the moment
        await pilot.pause()

    assert snap_compare(make_app(services), terminal_size=size, run_before=show_refusal)


@pytest.mark.parametrize("kind", [OrderKind.MARKET, OrderKind.TAKE_PROFIT_LIMIT], ids=["fewest", "most fields"])
async def test_at_80x24_order_entry_leaves_the_whole_hud_in_sight(services, kind):
    """Health, data age and the loss limit stay on screen while an order is typed: a short
    terminal gets the form's fields without borders, at the bottom."""
    async with make_app(services).run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        hud = pilot.app.screen.query_one("#hud").region
        screen = OrderEntryScreen("buy", ("BTC-PERP", "ETH-PERP", "SOL-PERP"), clock=lambda: FIXED_NOW)
        await pilot.app.push_screen(screen)
        screen.query_one("#order-kind", Select).value = kind.value
        await pilot.press(*"1000")
        await pilot.pause(DEBOUNCE_S * 2)
        screen.show_plan(screen.form(), plan_for(kind), "")
        await pilot.pause()
        assert screen.query_one("#order-dialog").region.y >= hud.bottom
        assert all(field.compact for field in screen.query("Input, Select, Checkbox"))
