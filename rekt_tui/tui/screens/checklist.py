"""The start-trading checklist: every line as the chain shows it, each with its key.

The lines come from `SessionService.checklist()`, read by the screen's `SetupFacts` every
few seconds and after every step, so a line reads ✓ only when the chain backs it. Steps
go up to the app, whose workers outlive this screen; the screen follows its running step.
A key applies only while its line is open and no other step is confirming (a deposit also
once the account exists: more collateral is welcome any time); the line being performed
says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from rekt_tui.domain.checklist import Checklist, ChecklistAction, ChecklistItem, ItemState, start_trading_title
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels
from rekt_tui.tui.session_messages import SessionDataLoaded, StepRequested
from rekt_tui.tui.venue_screens import venue_variant
from rekt_tui.tui.widgets.screen_footer import ScreenFooter
from rekt_tui.tui.widgets.setup_facts import SetupFacts
from rekt_tui.tui.widgets.typed_input import TypedInput

if TYPE_CHECKING:
    from rekt_tui.tui.session_controller import SessionController

DEFAULT_DEPOSIT = "100"
# The key that performs each line's action, shown on the line itself.
STEP_KEYS = {
    ChecklistAction.FUND_WALLET: "a",
    ChecklistAction.INITIALIZE_ACCOUNT: "i",
    ChecklistAction.VERIFY_REFERRER: "v",
    ChecklistAction.DEPOSIT: "d",
    ChecklistAction.CHOOSE_STRATEGY: "t",
    ChecklistAction.CONFIRM_START: "g",
}
# Airdrops fund the wallet line on localnet: SOL for rent and gas, the quote to deposit.
AIRDROP_STEPS = ("fund_sol", "fund_usdc")


def venue_bindings(labels: VenueLabels) -> list[Binding]:
    """The keys whose description names the venue or its quote."""
    return [
        Binding("u", "step('fund_usdc')", f"Airdrop 1,000 {labels.quote}", id="checklist.airdrop_usdc"),
        Binding("i", "step('initialize_account')", f"Initialize {labels.account}", id="checklist.initialize"),
        Binding("g", "step('confirm_start')", start_trading_title(labels), id="checklist.start"),
    ]


class ChecklistScreen(Screen[None], inherit_bindings=False):
    AUTO_FOCUS = "#checklist-lines"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="checklist.back"),
        Binding("tab", "app.focus_next", "Next field", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False),
        Binding("a", "step('fund_sol')", "Airdrop 1 SOL", id="checklist.airdrop_sol"),
        *venue_bindings(DRIFT)[:2],
        Binding("v", "step('verify_referrer')", "Verify referrer", id="checklist.verify_referrer"),
        Binding("d", "step('deposit')", "Deposit collateral", id="checklist.deposit"),
        Binding("t", "step('choose_strategy')", "Choose strategy", id="checklist.choose_strategy"),
        venue_bindings(DRIFT)[2],
    ]

    checklist: reactive[Checklist | None] = reactive(None)
    busy_step: reactive[str | None] = reactive(None)

    def __init__(
        self, *, localnet: bool, strategies: tuple[str, ...], strategy: str | None,
        sessions: SessionController | None = None, labels: VenueLabels = DRIFT,
    ) -> None:  # fmt: skip
        """`sessions` reads the checklist; without one the screen shows only what it is given.
        Open it with `checklist_screen`, whose keys name the venue of `labels`."""
        super().__init__(id="checklist")
        self._sessions = sessions
        self.assets = (labels.quote, "SOL")
        self.localnet = localnet
        self.strategies = strategies
        self.strategy = strategy

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="checklist-lines", can_focus=True) as lines:
            lines.border_title = "Start-trading checklist"
            yield Static("Reading the chain…", id="checklist-reading")
        with Horizontal(id="checklist-inputs"):
            yield Label("Deposit")
            yield TypedInput(DEFAULT_DEPOSIT, id="deposit-amount")  # what is typed, refused in words if it is no amount
            options = [(asset, asset) for asset in self.assets]
            yield Select(options, value=self.assets[0], allow_blank=False, id="deposit-asset")
            yield Label("Strategy")
            chosen = self.strategy if self.strategy in self.strategies else "balanced"
            yield Select([(name, name) for name in self.strategies], value=chosen, allow_blank=False, id="strategy")
        yield SetupFacts(self._sessions)
        yield ScreenFooter()

    def on_setup_facts_busy_changed(self, message: SetupFacts.BusyChanged) -> None:
        self.busy_step = message.step  # a step started elsewhere (setup's airdrop) shows here too

    def on_session_data_loaded(self, message: SessionDataLoaded) -> None:
        self.checklist = message.checklist

    def watch_checklist(self) -> None:
        self._show()

    def watch_busy_step(self) -> None:
        self._show()

    def _show(self) -> None:
        """One heading and one detail line per item, created on the first reading and updated after."""
        if not self.is_mounted or self.checklist is None:
            return
        lines = self.query_one("#checklist-lines")
        self.query_one("#checklist-reading").display = False
        for item in self.checklist.items:
            heading, detail = item_lines(item, self.busy_step, localnet=self.localnet)
            shown = lines.query(f"#line-{item.id}")
            if shown:
                shown.first(Static).update(heading)
                lines.query_one(f"#detail-{item.id}", Static).update(detail)
            else:
                lines.mount(Static(heading, id=f"line-{item.id}"))
                lines.mount(Static(detail, id=f"detail-{item.id}", classes="-detail"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "step":
            return True
        step = str(parameters[0])
        if self.busy_step is not None or self.checklist is None:
            return False
        if step in AIRDROP_STEPS:
            return self.localnet
        if step == ChecklistAction.DEPOSIT.value and _done(self.checklist, "drift_account"):
            return True
        return any(item.action is not None and item.action.value == step for item in self.checklist.items)

    @on(Input.Submitted, "#deposit-amount")
    def _deposit_typed(self) -> None:
        """Enter on the amount deposits it, as `d` does, when the deposit line is open."""
        if self.check_action("step", (ChecklistAction.DEPOSIT.value,)):
            self.action_step(ChecklistAction.DEPOSIT.value)

    def action_step(self, step: str) -> None:
        self.post_message(StepRequested(
            step,
            amount=self.query_one("#deposit-amount", Input).value,
            asset=str(self.query_one("#deposit-asset", Select).value),
            strategy=str(self.query_one("#strategy", Select).value),
        ))  # fmt: skip


def checklist_screen(labels: VenueLabels, **kwargs: Any) -> ChecklistScreen:
    """The checklist for a venue: its keys and deposit assets say the venue's account and quote."""
    return venue_variant(ChecklistScreen, venue_bindings, labels)(labels=labels, **kwargs)


def item_lines(item: ChecklistItem, busy_step: str | None, *, localnet: bool) -> tuple[Content, Content]:
    """The item's heading (mark, label, key or progress) and its detail sentence."""
    if item.state is ItemState.DONE:
        mark, style, key = "✓", "$text-success", ""
    elif item.state is ItemState.TODO:
        # Off localnet the wallet is funded by a transfer, not a key.
        keyed = localnet or item.action is not ChecklistAction.FUND_WALLET
        mark, style, key = "○", "$text-warning", f"  [{STEP_KEYS[item.action]}]" if keyed else ""
    else:
        mark, style, key = "·", "$text-muted", ""
    confirming = item.action is not None and busy_step in (item.action.value, *_fund_steps(item))
    status = "  ⋯ confirming on chain" if confirming else key
    heading = Content.assemble((f"{mark} {item.label}", f"bold {style}"), (status, "bold $accent"))
    return heading, Content.styled(item.detail, "$text-muted")


def _fund_steps(item: ChecklistItem) -> tuple[str, ...]:
    return AIRDROP_STEPS if item.action is ChecklistAction.FUND_WALLET else ()


def _done(checklist: Checklist, item_id: str) -> bool:
    return any(item.id == item_id and item.state is ItemState.DONE for item in checklist.items)
