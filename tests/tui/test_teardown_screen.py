"""The progress screen's rows: a step's outcome replaces its running line; the run ends in a
summary (with what came out, what is left and the session's result) or a parked reason."""

from rekt_tui.domain.records import TeardownStepStatus
from rekt_tui.domain.teardown import TeardownStep
from rekt_tui.services.models import TeardownEvent
from rekt_tui.tui.screens.teardown import ARCHIVED_OUTCOME, FAILED_OUTCOME, PARKED_HINT, TeardownScreen, run_outcome, step_rows
from tests.tui.conftest import add_wallet, make_app, text_of

USDC = 10**6

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


def test_outcome_says_the_run_is_over_or_why_it_parked():
    summary = TeardownEvent(TeardownStep.ARCHIVE, DONE, None, "Session wallet 9.9 SOL • Drift $0.00")
    assert run_outcome((summary,)) == ARCHIVED_OUTCOME  # the archive row already shows the balances
    assert step_rows((summary,))[0].message == summary.message
    nothing = TeardownEvent(None, DONE, None, "Nothing to stop: the session holds no orders or positions.")
    assert run_outcome((nothing,)) == nothing.message
    parked = TeardownEvent(TeardownStep.WITHDRAW, PARKED, None, "MarketWithdrawPaused (6149)")
    assert run_outcome((parked,)) == PARKED_HINT
    assert step_rows((parked,))[0].message == "MarketWithdrawPaused (6149)"
    assert run_outcome(()) is None
    failed = TeardownEvent(TeardownStep.CANCEL_ORDERS, TeardownStepStatus.FAILED, None, "Trading is refused.")
    assert run_outcome((failed,)) == FAILED_OUTCOME  # over, not "Working…"


async def test_the_archived_session_shows_the_result_the_run_read(services, tmp_path):
    """Once archived the screen says it is reading, then shows the lines the run posts
    (`services.history.archive_result`, checked figure by figure on a localnet in
    tests/history), also when opened again after the run."""
    session = await add_wallet(services, tmp_path, 7, "summary")
    app = make_app(services)
    lines = ("Withdrawn from Drift: 0.1000 SOL · $103.25 USDC", "Gas: 0.002000000 SOL")
    async with app.run_test(size=(120, 40)) as pilot:
        archived = TeardownEvent(TeardownStep.ARCHIVE, DONE, None, "Session wallet 1.5000 SOL • Drift $0.00")
        app.way_out.session = session.pubkey
        app.way_out.progressed(archived)
        app.way_out.show()
        await pilot.pause()
        assert "Reading the session's result from the chain" in text_of(app.screen.query_one("#teardown-summary"))
        assert app.screen.query_one("#teardown-dialog").border_subtitle == "escape closes"  # nothing runs on
        app.way_out.summarised(session.pubkey, lines)  # what the run calls once it has read them
        await pilot.pause(0.1)
        assert text_of(app.screen.query_one("#teardown-summary")).splitlines() == list(lines)
        await pilot.press("escape")
        app.way_out.show()
        await pilot.pause()
        assert text_of(app.screen.query_one("#teardown-summary")).splitlines() == list(lines)


async def test_no_summary_while_the_run_goes_on(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        running = TeardownEvent(TeardownStep.WITHDRAW, RUNNING, None, "Withdrawing.")
        await app.push_screen(TeardownScreen("7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU", (running,)))
        await pilot.pause(0.1)
        assert not app.screen.query("#teardown-summary")
        assert app.screen.query_one("#teardown-dialog").border_subtitle == "escape closes; the run continues"


async def test_on_a_small_terminal_the_result_scrolls_into_view(services, tmp_path):
    """80×24 cannot hold every step and the result: the dialog scrolls, and the result's last
    line (the gas) is brought into view when it arrives."""
    session = await add_wallet(services, tmp_path, 8, "small")
    app = make_app(services)
    steps = [TeardownEvent(step, DONE, f"sig{n}", f"{step.value} done, with a sentence long enough to wrap once.")
             for n, step in enumerate(TeardownStep)]  # fmt: skip
    lines = ("Withdrawn from Drift: 0.9900 SOL · $1.02 USDC", "Spot trades on Drift: sold 0.01 SOL for $1.459133 USDC",
             "Left in the session wallet: 2.9540 SOL · $1.02 USDC", "Realized PnL -$0.41 · fees $0.03 · net -$0.44",
             "Gas: 0.035988400 SOL (40,000 lamports fees, 35,948,400 rent)")  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        app.way_out.session = session.pubkey
        for event in steps:
            app.way_out.progressed(event)
        app.way_out.show()
        await pilot.pause()
        app.way_out.summarised(session.pubkey, lines)
        await pilot.pause(0.2)
        dialog = app.screen.query_one("#teardown-dialog")
        assert dialog.max_scroll_y > 0 and dialog.scroll_y == dialog.max_scroll_y
        gas = app.screen.query_one("#teardown-summary")
        assert gas.region.bottom <= dialog.region.bottom  # the summary's last line is on screen
        await pilot.press("up", "up")
        assert dialog.scroll_y < dialog.max_scroll_y  # the steps above are reachable with the arrows
