"""Messages that carry data from workers up to the app, and intents from widgets up.

Workers never touch widgets: they post one of these and the app pushes the data down.
Fast data (account snapshots, feed ages) defines `can_replace`: each is a whole
state, so a newer one waiting in the queue makes an older one worthless and Textual
drops it instead of letting a burst pile up.
"""

from dataclasses import dataclass

from textual.message import Message

from rekt_tui.domain.brackets import WaitingLeg
from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.records import TransactionRecord
from rekt_tui.domain.session import SessionRecord
from rekt_tui.domain.status import ShellStatus
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels


class ShellStatusLoaded(Message):
    """The services answered `shell_status()`: cluster, keystore, registry and sessions.
    `changes` says what another process changed, when that is why it was read."""

    def __init__(self, status: ShellStatus, changes: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.status = status
        self.changes = changes


@dataclass(frozen=True)
class LinkedSession:
    """What the session panel shows about the followed wallet, beyond its account figures."""

    session: SessionRecord
    lamports: int | None
    market_names: dict[int, str]  # perp market index -> symbol, to name open orders
    recent: tuple[TransactionRecord, ...] = ()  # newest first
    explorer_tx_url: str = ""  # the cluster's explorer page of a transaction, with {signature}
    usdc: int | None = None  # the quote (1e6) in the wallet itself, outside the venue
    waiting_legs: tuple[WaitingLeg, ...] = ()  # bracket legs waiting for a resting entry's fill
    labels: VenueLabels = DRIFT  # how the panel names the venue's account and quote


class SessionLinked(Message):
    """The dashboard now follows this session's chain link (sent again as its SOL balance changes)."""

    def __init__(self, linked: LinkedSession) -> None:
        super().__init__()
        self.linked = linked


class AccountUpdated(Message):
    """A new snapshot of the followed venue account."""

    def __init__(self, snapshot: AccountSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AccountUpdated)


class FeedStateChanged(Message):
    """A feed connected, went stale or is reconnecting; rare, so never coalesced (each is logged)."""

    def __init__(self, event: FeedEvent) -> None:
        super().__init__()
        self.event = event


class FeedAged(Message):
    """How old a feed's data is now, sampled by its worker so ages grow while a feed is silent."""

    def __init__(self, feed: str, age_s: float, state: FeedState) -> None:
        super().__init__()
        self.feed = feed
        self.age_s = age_s
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedAged) and message.feed == self.feed


class DataFreshness(Message):
    """The dashboard's data turned stale or fresh again: order entry is blocked while stale."""

    def __init__(self, stale: bool) -> None:
        super().__init__()
        self.stale = stale


class MarketSelected(Message):
    """Intent: show this market's book (and its oracle in the HUD)."""

    def __init__(self, market: str) -> None:
        super().__init__()
        self.market = market


class WorkerFailed(Message):
    """A screen's worker raised: the app's one error handler turns it into a notification.

    (Textual's `Worker.StateChanged` does not bubble, so screens pass their failures up.)
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error
