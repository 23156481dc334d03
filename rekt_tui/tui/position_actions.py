"""The app's side of closing positions and cancelling orders from the dashboard.

`x` closes the position under the positions cursor, `d` cancels the order under the
open-orders cursor and `D` cancels them all. Each asks first through the confirm modal:
a close shows the preview of the very reduce-only order it sends, so the user sees the
price and what is left before anything is signed. These only lower risk, so unlike new
orders they stay available on stale data and before trading has been started.

A mixin of `RektApp`, like `SessionActions`, whose session link it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from rekt_tui.domain.markets import format_base
from rekt_tui.domain.trading import Order, Position
from rekt_tui.tui.formatting import order_cells
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.order_entry import preview_text

if TYPE_CHECKING:
    from rekt_tui.tui.app import RektApp

    _Base = RektApp
else:
    _Base = object

CHANGE_GROUP = "position-change"
# The app bindings this mixin decides on.
POSITION_BINDING_ACTIONS = frozenset({"close_position", "cancel_order", "cancel_all_orders"})


def close_question(position: Position, preview: str) -> str:
    return f"Close the {position.symbol} {position.direction.value} with a reduce-only market order?\n\n{preview}"


def cancel_question(order: Order | None, count: int, market_names: dict[int, str]) -> str:
    if order is None:
        return f"Cancel all {count} open order{'s' if count != 1 else ''}?"
    market, kind, side, size, price, *_ = order_cells(order, market_names)
    return f"Cancel order #{order.order_id}: {market} {kind} {side} {size} at {price}?"


class PositionActions(_Base):
    """Mixin for `RektApp`: close and cancel, each confirmed, each a worker of the app."""

    def position_action_applies(self, action: str) -> bool:
        """Only on the dashboard itself, with a session linked, one change at a time, and something to act on."""
        dashboard = self.get_default_screen()
        if self.screen is not dashboard or self._lander is None or self._changing() or self.teardown_running:
            return False
        if action == "close_position":
            return dashboard.selected_position() is not None
        if action == "cancel_order":
            return dashboard.selected_order() is not None
        return dashboard.account is not None and bool(dashboard.account.orders)

    def _changing(self) -> bool:
        return any(worker.group == CHANGE_GROUP and worker.is_running for worker in self.workers)

    def action_close_position(self) -> None:
        if (position := self.get_default_screen().selected_position()) is not None:
            self.close_position(position)

    def action_cancel_order(self) -> None:
        if (order := self.get_default_screen().selected_order()) is not None:
            self.cancel_orders(order)

    def action_cancel_all_orders(self) -> None:
        self.cancel_orders(None)

    @work(group=CHANGE_GROUP, exit_on_error=False)
    async def close_position(self, position: Position) -> None:
        orders = self.loaded_chain.OrderService(self._lander)
        plan = await orders.preview_close(position.symbol)
        question = close_question(position, preview_text(plan))
        if not await self.push_screen_wait(ConfirmScreen("Close position", question)):
            return
        for placed in await orders.close(position.symbol):
            size = format_base(placed.record.base_amount, plan.request.market)
            self.record(f"Closing {position.symbol}: reduce-only market order for {size} ({placed.signature})")
        self.refresh_linked()

    @work(group=CHANGE_GROUP, exit_on_error=False)
    async def cancel_orders(self, order: Order | None) -> None:
        dashboard = self.get_default_screen()
        count = len(dashboard.account.orders) if dashboard.account else 0
        names = dashboard.linked.market_names if dashboard.linked else {}
        if not await self.push_screen_wait(ConfirmScreen("Cancel", cancel_question(order, count, names))):
            return
        landed = await self.loaded_chain.OrderService(self._lander).cancel(None if order is None else order.order_id)
        what = "every open order" if order is None else f"order #{order.order_id}"
        self.record(f"Cancelled {what} ({landed.signature})")
        self.refresh_linked()
