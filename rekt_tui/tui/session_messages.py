"""Messages of session setup, the checklist and order entry.

Intents that sign (…Requested, …Chosen) go up from the screens to the app, whose workers
(`tui.setup_actions`, `tui.order_actions`) post what happened. Reads that only show
something (a preview, the checklist, the balance) are the screens' own: their workers post
the answer (`OrderPlanned`, `SessionDataLoaded`) to the screen that asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from rekt_tui.domain.checklist import Checklist
from rekt_tui.domain.session import SessionRecord
from rekt_tui.services.models import Funding, OrderForm, OrderPlan, PlacedOrder

if TYPE_CHECKING:
    from rekt_tui.tui.screens.order_entry import OrderEntryScreen


class SessionChosen(Message):
    """Work with this session wallet from now on; `pubkey` None creates a new one."""

    def __init__(self, pubkey: str | None) -> None:
        super().__init__()
        self.pubkey = pubkey


class SessionOpened(Message):
    """The chosen session is linked to the chain and ready to sign, unless `refusal` says why
    the cluster's program will not be signed for (paused, or another layout)."""

    def __init__(self, session: SessionRecord, refusal: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.refusal = refusal


class SessionDataLoaded(Message):
    """The session's funding and checklist as the chain shows them now."""

    def __init__(self, session: SessionRecord, funding: Funding, checklist: Checklist) -> None:
        super().__init__()
        self.session = session
        self.funding = funding
        self.checklist = checklist


class StepRequested(Message):
    """Perform one setup step (a `ChecklistAction` value or an airdrop) with the screen's inputs."""

    def __init__(self, step: str, amount: str = "", asset: str = "", strategy: str = "") -> None:
        super().__init__()
        self.step = step
        self.amount = amount
        self.asset = asset
        self.strategy = strategy


class StepStateChanged(Message):
    """A step started (`done` False) or ended (`done` True, with what happened; empty when refused)."""

    def __init__(self, step: str, done: bool, outcome: str = "") -> None:
        super().__init__()
        self.step = step
        self.done = done
        self.outcome = outcome


class OrderPlanned(Message):
    """A plan of `form` (preview and refusals), or the sentence why it cannot be planned."""

    def __init__(self, form: OrderForm, plan: OrderPlan | None, problem: str = "") -> None:
        super().__init__()
        self.form = form
        self.plan = plan
        self.problem = problem


class OrderPlaceRequested(Message):
    """The user asked to place `form`; it is planned again and confirmed before anything is signed.

    `entry` is the order entry screen that asked: a refusal found when planning again goes back there.
    """

    def __init__(self, form: OrderForm, entry: OrderEntryScreen) -> None:
        super().__init__()
        self.form = form
        self.entry = entry


class OrderPlaced(Message):
    def __init__(self, placed: PlacedOrder) -> None:
        super().__init__()
        self.placed = placed


class Sent(Message):
    """A close or cancel landed: one activity line per transaction, and the session panel reads again."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        super().__init__()
        self.lines = lines
