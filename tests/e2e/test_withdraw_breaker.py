"""The relaunch's withdrawal circuit breaker (6128) holds a stop: the cockpit parks it as it does a
paused withdrawal, `stop` says so in one sentence and exits as for one, `recover` lists the
session, and once the breaker lets withdrawals through the recovery banner's `r` finishes the job.
Drift's localnet has no breaker, so this runs on the relaunch only."""


import pytest

from tests.e2e.tmux import (
    Cockpit,
    assert_archived_with_nothing_on_chain,
    assert_drift_account_empty,
    close_progress,
    start_trading,
    stop_question,
)
from tests.services.teardown_breaker import breaker_params, quote_market_query

BREAKER_SENTENCE = (
    "Withdrawals from spot market 0 are held by the exchange's withdrawal circuit breaker (DailyWithdrawLimit); "
    "the funds are safe in the account and the teardown resumes when the breaker lets them through."
)
EXIT_NEEDS_RECOVERY = 1


@pytest.fixture
def venue() -> str:
    return "velocity"


def switch_breaker(cockpit: Cockpit, *, on: bool) -> None:
    cockpit.rpc("rekt_setAccount", *breaker_params(cockpit.rpc("getAccountInfo", *quote_market_query()), on=on))


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_stop_held_by_the_withdraw_breaker_parks_and_the_banner_finishes_it(cockpit):
    tmux = cockpit.tmux
    pubkey = start_trading(cockpit)
    switch_breaker(cockpit, on=True)
    tmux.send("C-x")
    tmux.wait_for(*stop_question(pubkey))
    tmux.send("y")
    # As after a paused withdrawal: the parked run raises the recovery banner, the money still in the account,
    # saying why the stop parked (not that it was interrupted).
    tmux.wait_for(
        "Recovery needed", cockpit.shows("{venue} $100.00 • 0 positions • 0 orders"),
        "The last stop parked: Withdrawals from spot market 0", timeout=60,
    )  # fmt: skip

    # From a shell beside the cockpit: the same park, its one sentence, a paused withdrawal's exit status.
    stopped = cockpit.cli("stop", "--session", pubkey, "--yes")
    assert stopped.returncode == EXIT_NEEDS_RECOVERY, stopped.stderr
    assert f"withdraw: parked — {BREAKER_SENTENCE}" in stopped.stdout.splitlines(), stopped.stdout
    assert "Traceback" not in stopped.stderr
    (item,) = cockpit.cli_json("recover", ok_codes=(EXIT_NEEDS_RECOVERY,))
    assert item["needs_recovery"] is True and item["holds"]["collateral_quote"] == 100 * 10**6, item
    assert cockpit.only_session()["status"] == "active"

    switch_breaker(cockpit, on=False)
    tmux.send("r")
    tmux.wait_for(*stop_question(pubkey))
    tmux.send("y")
    summary = tmux.wait_for("✓ Archive session", cockpit.shows("{venue} $0.00"), timeout=60)
    assert "✓ Withdraw collateral" in summary and "✗" not in summary, summary
    close_progress(cockpit)
    tmux.wait_gone("Recovery needed")
    cockpit.quit()
    assert_archived_with_nothing_on_chain(cockpit, pubkey)
    assert_drift_account_empty(cockpit, pubkey)
