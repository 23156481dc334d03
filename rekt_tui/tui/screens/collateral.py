"""Collateral of a running session: add some, or withdraw part of it, without a full stop.

The form only gathers what is typed; a debounced worker asks the services what it would
do (what the wallet can deposit, or the withdrawal's preview and refusals) and shows it.
Enter answers with the request, and the app's worker confirms and signs it
(`tui/collateral_actions.py`), so leaving this screen never cancels a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from rekt_tui.domain.collateral import amount_text, leverage_text
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.money import SOL_DECIMALS, USDC_DECIMALS, format_usd, to_decimal
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels
from rekt_tui.tui.debounce import Debouncer
from rekt_tui.tui.widgets.typed_input import FieldInput
from rekt_tui.tui.venue_screens import venue_variant
from rekt_tui.tui.widgets.screen_footer import ScreenFooter

if TYPE_CHECKING:
    from rekt_tui.services.collateral import WithdrawPlan
    from rekt_tui.tui.session_controller import SessionController

DEPOSIT, WITHDRAW = "deposit", "withdraw"


def asset_decimals(asset: str) -> int:
    """SOL's decimals, or the quote's (6 on both venues)."""
    return SOL_DECIMALS if asset == "SOL" else USDC_DECIMALS


@dataclass(frozen=True)
class CollateralRequest:
    mode: str  # DEPOSIT or WITHDRAW
    asset: str
    amount: str  # as typed: the services parse it, and refuse it in one sentence


def withdraw_text(plan: WithdrawPlan, venue: str) -> str:
    """The withdrawal's preview; `venue` names where the collateral is held ("Drift")."""
    request, preview = plan.request, plan.preview
    return "\n".join((
        f"{venue} holds {amount_text(preview.held, request.decimals, request.asset)}; "
        f"at most {amount_text(plan.largest, request.decimals, request.asset)} can come out now.",
        f"Free collateral after {format_usd(preview.free_collateral_after)} · "
        f"leverage after {leverage_text(preview.leverage_after)}",
    ))  # fmt: skip


def venue_bindings(labels: VenueLabels) -> list[Binding]:
    """The key that picks the venue's quote asset."""
    return [Binding("u", f"asset('{labels.quote}')", labels.quote, priority=True)]


class CollateralScreen(ModalScreen[CollateralRequest | None], inherit_bindings=False):
    DEFAULT_CSS = """
    CollateralScreen { align: center middle; }
    """
    AUTO_FOCUS = "#collateral-amount"
    BINDINGS = [
        Binding("escape", "dismiss_none", "Close"),
        Binding("tab", "app.focus_next", "Next field", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False),
        Binding("a", "mode('deposit')", "Add", priority=True),
        Binding("w", "mode('withdraw')", "Withdraw", priority=True),
        *venue_bindings(DRIFT),
        Binding("o", "asset('SOL')", "SOL", priority=True),
        Binding("v", "max", "Max", priority=True),
    ]

    def __init__(self, sessions: SessionController, mode: str = DEPOSIT) -> None:
        """Open it with `collateral_screen`, whose keys name the session's quote asset."""
        super().__init__(id="collateral")
        self._sessions = sessions
        self._labels = sessions.services.settings.labels
        self._mode = mode
        self._debounce = Debouncer(self, self._settled)
        self._largest: int | None = None  # for `v`: the most of the asset the current mode allows

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog") as dialog:
            dialog.border_title = "Collateral"
            quote = self._labels.quote
            dialog.border_subtitle = f"a add · w withdraw · u {quote} · o SOL · v max · enter confirms · escape"
            with Horizontal(classes="order-row"):
                yield Label("Action")
                modes = [("Add", DEPOSIT), ("Withdraw", WITHDRAW)]
                yield Select(modes, value=self._mode, allow_blank=False, id="collateral-mode")
                yield Label("Asset")
                assets = [(quote, quote), ("SOL", "SOL")]
                yield Select(assets, value=quote, allow_blank=False, id="collateral-asset")
            with Horizontal(classes="order-row"):
                yield Label("Amount")
                keys = FieldInput.all_but([*self.BINDINGS, *venue_bindings(self._labels)])
                yield FieldInput(id="collateral-amount", placeholder="25 or v for max", restrict=keys)
            yield Static("", id="collateral-preview", markup=False)
            yield Static("", id="collateral-refusals", markup=False)
        yield ScreenFooter()

    def on_mount(self) -> None:
        self._settled()

    def request(self) -> CollateralRequest:
        return CollateralRequest(
            str(self.query_one("#collateral-mode", Select).value),
            str(self.query_one("#collateral-asset", Select).value),
            self.query_one("#collateral-amount", Input).value,
        )

    @on(Select.Changed)
    def _other_choice(self) -> None:
        """An amount typed for one asset or direction is not meant for another: it goes."""
        self._largest = None
        self.query_one("#collateral-amount", Input).value = ""
        self._changed()

    @on(Input.Changed)
    def _changed(self) -> None:
        self._debounce.poke()

    def _settled(self) -> None:
        self.preview(self.request())

    @work(group="collateral-preview", exclusive=True, exit_on_error=False)
    async def preview(self, request: CollateralRequest) -> None:
        """What the request would do; a request that cannot be done says why, inline."""
        text, refusals, largest = "", "", None
        try:
            if request.mode == DEPOSIT:
                largest = await self._sessions.setup().deposit_room(request.asset)
                room = amount_text(largest, asset_decimals(request.asset), request.asset)
                kept = " after the gas reserve and the fee" if request.asset == "SOL" else ""
                text = f"The session wallet can add {room}{kept}."
            else:
                plan = await self._sessions.collateral().plan_withdraw(request.amount or "all", request.asset)
                largest, text = plan.largest, withdraw_text(plan, self._labels.name)
                refusals = "\n".join(f"✗ {r.sentence}" for r in plan.refusals) if request.amount else ""
        except RektError as error:
            refusals = error.message
        if request != self.request():
            return  # typed on since: the next preview answers
        self._largest = largest
        self.query_one("#collateral-preview", Static).update(text)
        shown = self.query_one("#collateral-refusals", Static)
        shown.update(refusals)
        shown.set_class(bool(refusals), "-refused")

    def action_mode(self, mode: str) -> None:
        self.query_one("#collateral-mode", Select).value = mode

    def action_asset(self, asset: str) -> None:
        self.query_one("#collateral-asset", Select).value = asset

    def action_max(self) -> None:
        request = self.request()
        if self._largest is not None:
            value = to_decimal(self._largest, asset_decimals(request.asset)).normalize()
            self.query_one("#collateral-amount", Input).value = f"{value:f}"

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self.request().amount.strip():
            self.dismiss(self.request())

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def collateral_screen(sessions: SessionController, mode: str = DEPOSIT) -> CollateralScreen:
    """The collateral form for the session's venue: its quote key says USDC on Drift, USDT on Velocity."""
    labels = sessions.services.settings.labels
    return venue_variant(CollateralScreen, venue_bindings, labels)(sessions, mode)
