"""Snapshots of the recovery banner and of a teardown mid-way, from fixed data.

Each screen is shown on a bare stage with the app's stylesheet, so the picture is the
screen's own and does not change when the dashboard behind it does.
"""

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from textual.app import App

from rekt_tui.domain.records import TeardownStepStatus
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.teardown import TeardownStep
from rekt_tui.services.models import RecoveryItem, SuggestedAction, TeardownEvent
from rekt_tui.tui.app import RektApp
from rekt_tui.tui.screens.recovery import RecoveryScreen, advice
from rekt_tui.tui.screens.teardown import TeardownScreen

AT = datetime(2026, 4, 2, 9, 30, tzinfo=timezone.utc)
PUBKEY = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"
SIGNATURE = "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW"


class Stage(App[None], inherit_bindings=False):
    CSS_PATH = Path(RektApp.CSS_PATH)

    def __init__(self, screen) -> None:
        super().__init__()
        self.animation_level = "none"  # a still spinner
        self._shown = screen

    def on_mount(self) -> None:
        self.push_screen(self._shown)


def session(label: str, pubkey: str) -> SessionRecord:
    return SessionRecord(pubkey, "localnet", label, SessionStatus.ACTIVE, "localnet-file", AT, AT)


def item(label: str, pubkey: str, action: SuggestedAction, **holds) -> RecoveryItem:
    figures = {"sol_lamports": 9_950_000_000, "collateral": 0, "open_orders": 0, "positions": 0, "unsettled_pnl": 0,
               "borrowed": False, **holds}  # fmt: skip
    return RecoveryItem(session=session(label, pubkey), since=AT, action=action, **figures)


def test_recovery_banner(snap_compare):
    items = (
        item("scalps", PUBKEY, SuggestedAction.RECOVER, collateral=912_340_000, positions=2, open_orders=1),
        item("swing", "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM", SuggestedAction.RESUME, collateral=50_000_000,
             positions=1, key_problem="The keyring is locked; unlock it and relaunch."),  # fmt: skip
        item("old", "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T", SuggestedAction.MARK_RESOLVED),
    )
    assert snap_compare(Stage(RecoveryScreen(items)), terminal_size=(80, 24))


def test_teardown_mid_way(snap_compare):
    events = (
        TeardownEvent(TeardownStep.PAUSE_TRADING, TeardownStepStatus.RUNNING, None, "Pausing new orders."),
        TeardownEvent(TeardownStep.PAUSE_TRADING, TeardownStepStatus.DONE, None, "New orders are refused."),
        TeardownEvent(TeardownStep.CANCEL_ORDERS, TeardownStepStatus.DONE, SIGNATURE, "Cancelled 2 open order(s)."),
        TeardownEvent(TeardownStep.CLOSE_POSITIONS, TeardownStepStatus.RUNNING, None, "Closing positions."),
    )
    assert snap_compare(Stage(TeardownScreen(PUBKEY, events)), terminal_size=(80, 24))


def test_the_advice_names_what_the_session_holds():
    idle = item("idle", PUBKEY, SuggestedAction.RESUME, collateral=100_000_000)
    assert advice(idle).startswith("Money in the account, no positions or orders: resume (u)")
    exposed = item("open", PUBKEY, SuggestedAction.RESUME, collateral=100_000_000, positions=1)
    assert advice(exposed).startswith("Open exposure: resume (u)")
    interrupted = item("stop", PUBKEY, SuggestedAction.RECOVER, collateral=100_000_000)
    assert advice(interrupted) == "A stop was interrupted: recover (r) finishes it."
    parked = replace(interrupted, parked="Withdrawals from spot market 0 are held by the breaker.")
    assert advice(parked) == (
        "The last stop parked: Withdrawals from spot market 0 are held by the breaker. Recover (r) tries again."
    )
