"""Snapshots of the modify screen and of order entry with a bracket, at the smallest and a
large terminal: the fields, the preview of the order as it becomes, the bracket's lines."""

from dataclasses import replace

import pytest
from textual.widgets import Input

from rekt_tui.domain.brackets import bracket_legs
from rekt_tui.domain.guards import Preview
from rekt_tui.domain.orders import OrderKind, OrderRequest
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import Order
from rekt_tui.services.models import ModifyPlan, OrderPlan
from rekt_tui.tui.screens.modify_order import ModifyFields, ModifyOrderScreen
from rekt_tui.tui.debounce import DEBOUNCE_S
from rekt_tui.tui.screens.order_entry import OrderEntryScreen
from tests.tui.conftest import FIXED_NOW, make_app
from tests.tui.screen_data import SOL_PERP

USDC = 10**6
SOL = 10**9
SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
PREVIEW = Preview(
    entry_price=141 * USDC, worst_price=141 * USDC, fee=-14_100, margin_required=20_000_000,
    free_collateral_after=79_900_000, leverage_after=14_100, liquidation_price_after=None,
)  # fmt: skip
RESTING = Order(12, 2, MarketType.PERP, 0, OrderType.LIMIT, Direction.LONG, SOL, 0, 140 * USDC, None, False, False,
                int(FIXED_NOW.timestamp()) + 3000, 1)  # fmt: skip


def modify_plan() -> ModifyPlan:
    request = OrderRequest(
        SOL_PERP, Direction.LONG, OrderKind.LIMIT, SOL, price=141 * USDC, trigger_price=None, trigger_condition=None,
        reduce_only=False, post_only=False, max_ts=RESTING.max_ts or 0, user_order_id=2,
    )  # fmt: skip
    return ModifyPlan(RESTING, OrderPlan(request, None, PREVIEW, ()))


def no_blink(screen) -> None:
    for field in screen.query(Input):
        field.cursor_blink = False  # a blinking cursor would make the picture depend on the moment


@SIZES
def test_modify_screen_prefilled_with_the_order_and_its_preview(snap_compare, services, size):
    async def show(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        screen = ModifyOrderScreen(pilot.app.sessions, lambda: RESTING, lambda: {0: "SOL-PERP"}, lambda _: None,
                                   clock=lambda: FIXED_NOW)
        await pilot.app.push_screen(screen)
        screen.query_one("#modify-price", Input).value = "141"
        await pilot.pause(DEBOUNCE_S * 2)
        await pilot.app.workers.wait_for_complete()
        screen.show_plan(ModifyFields(12, "141", "1", None), modify_plan(), "")
        no_blink(screen)
        await pilot.pause()

    assert snap_compare(make_app(services), terminal_size=size, run_before=show)


@SIZES
def test_order_entry_with_a_bracket(snap_compare, services, size):
    async def show(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        screen = OrderEntryScreen("buy", ("BTC-PERP", "ETH-PERP", "SOL-PERP"), clock=lambda: FIXED_NOW)
        await pilot.app.push_screen(screen)
        await pilot.press(*"1", "g", *"160", "l", *"140")
        await pilot.pause(DEBOUNCE_S * 2)
        await pilot.app.workers.wait_for_complete()
        entry = OrderRequest(
            SOL_PERP, Direction.LONG, OrderKind.MARKET, SOL, price=None, trigger_price=None, trigger_condition=None,
            reduce_only=False, post_only=False, max_ts=int(FIXED_NOW.timestamp()) + 60, user_order_id=1,
        )  # fmt: skip
        legs = bracket_legs(entry, take_profit="160", stop_loss="140", entry_price=150 * USDC,
                            oracle_price=150 * USDC, markets={"SOL-PERP": SOL_PERP}, taken=set(),
                            now=int(FIXED_NOW.timestamp()))  # fmt: skip
        preview = replace(PREVIEW, entry_price=150 * USDC, worst_price=150_750_000, fee=75_000)
        screen.show_plan(screen.form(), OrderPlan(entry, (150 * USDC, 150_750_000, 13), preview, (), legs), "")
        no_blink(screen)
        await pilot.pause()

    assert snap_compare(make_app(services), terminal_size=size, run_before=show)
