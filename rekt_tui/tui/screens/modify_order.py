"""Modifying an open order: its price, size or trigger, previewed as the order it becomes.

Installed once (`modify-order`) and opened on the order under the open-orders cursor, or on
the order a `:modify` line names. Each settled change plans the modification on the
screen's own worker; `enter` hands the fields to the app, whose worker plans again on
current data and asks the confirm modal before anything is signed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.markets import PRICE_DECIMALS
from rekt_tui.domain.money import to_decimal
from rekt_tui.domain.records import OrderType
from rekt_tui.domain.trading import Order
from rekt_tui.services.models import ModifyPlan
from rekt_tui.tui.debounce import Debouncer
from rekt_tui.tui.order_text import NO_ORDER_TO_MODIFY, preview_text
from rekt_tui.tui.widgets.typed_input import FieldInput
from rekt_tui.tui.tables import order_cells
from rekt_tui.tui.widgets.screen_footer import ScreenFooter

if TYPE_CHECKING:
    from rekt_tui.tui.session_controller import SessionController

FIELDS = ("price", "size", "trigger")


@dataclass(frozen=True)
class ModifyFields:
    """An order's new terms as typed; None: keep that term."""

    order_id: int
    price: str | None
    size: str | None
    trigger: str | None


def plain(amount: int, decimals: int) -> str:
    """An amount the way a user would type it: `141.5`, not `141.500000`."""
    return f"{to_decimal(amount, decimals).normalize():f}" if amount else ""


class ModifyOrderScreen(ModalScreen[None], inherit_bindings=False):
    DEFAULT_CSS = """
    ModifyOrderScreen { align: center middle; }
    #modify-dialog { width: 90; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
                     border: round $primary; border-subtitle-color: $text-muted; background: $panel; }
    #modify-dialog .order-row { height: auto; }
    #modify-dialog Label { padding: 1 1 0 1; }
    #modify-price, #modify-size, #modify-trigger { width: 16; }
    #modify-preview { margin-top: 1; }
    #modify-refusals.-refused { margin-top: 1; color: $text-error; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="modify.close"),
        Binding("ctrl+s", "modify", "Modify order", id="modify.send", priority=True),
        Binding("tab", "app.focus_next", "Next field", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False),
    ]

    def __init__(
        self, sessions: SessionController, selected: Callable[[], Order | None], names: Callable[[], dict[int, str]],
        submit: Callable[[ModifyFields], None], clock: Callable[[], datetime] = datetime.now,
    ) -> None:  # fmt: skip
        """`selected` gives the order under the open-orders cursor; `submit` starts the app's worker."""
        super().__init__(id="modify-order")
        self._sessions = sessions
        self._selected = selected
        self._names = names
        self._submit = submit
        self._clock = clock  # the expiry's local time is read on it
        # Set by a `:modify` line before it opens the screen: the order, and its new terms as typed.
        self.target: tuple[Order, dict[str, str | None]] | None = None
        self.order: Order | None = None
        self._plan: tuple[ModifyFields, ModifyPlan] | None = None
        self._debounce = Debouncer(self, self._settled)

    def compose(self) -> ComposeResult:
        with Vertical(id="modify-dialog") as dialog:
            dialog.border_title = "Modify order"
            dialog.border_subtitle = "tab fields · enter or ctrl+s modifies (after confirming) · escape"
            yield Static(id="modify-order-line", markup=False)
            with Horizontal(classes="order-row"):
                for name, hint in (("price", "limit price"), ("size", "size"), ("trigger", "trigger price")):
                    yield Label(name.capitalize(), id=f"modify-{name}-label")
                    yield FieldInput(id=f"modify-{name}", placeholder=hint, restrict=r"[-$0-9.]*")
            yield Static(id="modify-preview", markup=False)
            yield Static(id="modify-refusals", markup=False)
        yield ScreenFooter()

    def on_screen_resume(self) -> None:
        """Open on the order a `:modify` line named, else the one under the cursor."""
        order, typed = self.target or (self._selected(), {})
        self.target, self.order, self._plan = None, order, None
        if order is None:
            self.dismiss()
            self.app.notify(NO_ORDER_TO_MODIFY, severity="warning")
            return
        self.query_one("#modify-dialog").border_title = f"Modify order #{order.order_id}"
        market, kind, side, size, price, *_ = order_cells(order, self._names())
        self.query_one("#modify-order-line", Static).update(f"{market} {kind} {side} {size} at {price}")
        decimals = self._base_decimals(order)
        values = {"price": plain(order.price, PRICE_DECIMALS), "size": plain(order.base_amount - order.filled, decimals),
                  "trigger": plain(order.trigger_price or 0, PRICE_DECIMALS)}  # fmt: skip
        shown = {"price": order.order_type in (OrderType.LIMIT, OrderType.TRIGGER_LIMIT), "size": True,
                 "trigger": order.order_type in (OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT)}  # fmt: skip
        for name in FIELDS:
            field = self.query_one(f"#modify-{name}", Input)
            field.value = typed.get(name) or values[name]
            field.display = self.query_one(f"#modify-{name}-label").display = shown[name]
        first = next(name for name in ("price", "trigger", "size") if shown[name])
        self.query_one(f"#modify-{first}").focus()
        self._show("Change a field to see the order it becomes.", "")

    def _base_decimals(self, order: Order) -> int:
        """The order's market's base decimals (Drift's perps use 9 when no session says otherwise)."""
        try:
            specs = self._sessions.orders().markets().values()
        except RektError:
            return 9
        return next((s.base_decimals for s in specs if s.market_index == order.market_index), 9)

    def fields(self) -> ModifyFields:
        assert self.order is not None
        typed = {name: self.query_one(f"#modify-{name}", Input) for name in FIELDS}
        # A hidden field is empty unless a `:modify` line typed into it: then the plan refuses it in words.
        value = {name: field.value if field.value.strip() else None for name, field in typed.items()}
        return ModifyFields(self.order.order_id, value["price"], value["size"], value["trigger"])

    @on(Input.Changed)
    def _changed(self) -> None:
        self._debounce.poke()

    def _settled(self) -> None:
        if self.order is not None and self.is_current:
            self.preview(self.fields())

    @work(group="modify-plan", exclusive=True, exit_on_error=False)
    async def preview(self, fields: ModifyFields) -> None:
        try:
            plan = await self._sessions.orders().plan_modify(
                fields.order_id, price=fields.price, size=fields.size, trigger=fields.trigger
            )
        except RektError as error:
            self.show_plan(fields, None, error.message)
            return
        self.show_plan(fields, plan, "")

    def show_plan(self, fields: ModifyFields, plan: ModifyPlan | None, problem: str) -> None:
        """Show the answer for `fields`; one for values since changed is dropped."""
        if self.order is None or fields != self.fields():
            return  # the fields changed since: a newer preview follows
        self._plan = None if plan is None else (fields, plan)
        refusals = "\n".join(f"✗ {r.sentence}" for r in plan.plan.refusals) if plan else ""
        self._show(modify_text(plan, self._clock()) if plan else "", problem or refusals)

    def _show(self, preview: str, refusals: str) -> None:
        self.query_one("#modify-preview", Static).update(preview)
        shown = self.query_one("#modify-refusals", Static)
        shown.update(refusals)
        shown.set_class(bool(refusals), "-refused")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._ready() if action == "modify" else True

    def _ready(self) -> bool:
        return (self._plan is not None and not self._plan[1].plan.refusals and self.order is not None
                and self._plan[0] == self.fields())  # fmt: skip

    @on(Input.Submitted)
    def action_modify(self) -> None:
        if self._ready():
            assert self._plan is not None
            fields = self._plan[0]
            self.dismiss()
            self._submit(fields)

    def action_close(self) -> None:
        self.dismiss()


def modify_text(plan: ModifyPlan, now: datetime | None = None) -> str:
    """The order as it would become, and the preview of it."""
    old = plan.order
    return f"Replaces order #{old.order_id} (same user order id {old.user_order_id}):\n{preview_text(plan.plan, now)}"


def modify_question(plan: ModifyPlan) -> str:
    return f"{modify_text(plan)}\n\nSign and send this modification?"
