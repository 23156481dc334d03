"""The progress screen's rows: a step's outcome replaces its running line; the run ends in a summary or a parked reason."""

from rekt_tui.domain.records import TeardownStepStatus
from rekt_tui.domain.teardown import TeardownStep
from rekt_tui.services.models import TeardownEvent
from rekt_tui.tui.screens.teardown import PARKED_HINT, run_outcome, step_rows

RUNNING, DONE, PARKED = TeardownStepStatus.RUNNING, TeardownStepStatus.DONE, TeardownStepStatus.PARKED


def test_a_step_outcome_replaces_its_running_row():
    events = (
        TeardownEvent(TeardownStep.PAUSE_TRADING, RUNNING, None, "Pausing new orders."),
        TeardownEvent(TeardownStep.PAUSE_TRADING, DONE, None, "New orders are refused."),
        TeardownEvent(TeardownStep.CLOSE_POSITIONS, RUNNING, None, "Closing."),
        TeardownEvent(TeardownStep.CLOSE_POSITIONS, DONE, "sig1", "Closed 3."),
        TeardownEvent(TeardownStep.CLOSE_POSITIONS, RUNNING, None, "Waiting for fills."),
    )
    rows = step_rows(events)
    assert [(r.label, r.state, r.signature) for r in rows] == [
        ("Pause new orders", DONE, None), ("Close positions", DONE, "sig1"), ("Close positions", RUNNING, None)
    ]
    assert run_outcome(events) is None


def test_outcome_is_the_summary_or_the_parked_reason():
    summary = TeardownEvent(TeardownStep.ARCHIVE, DONE, None, "Session wallet 9.9 SOL • Drift $0.00")
    assert run_outcome((summary,)) == summary.message
    parked = TeardownEvent(TeardownStep.WITHDRAW, PARKED, None, "MarketWithdrawPaused (6149)")
    assert run_outcome((parked,)) == PARKED_HINT
    assert step_rows((parked,))[0].message == "MarketWithdrawPaused (6149)"
    assert run_outcome(()) is None
