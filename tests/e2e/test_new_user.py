"""A new user's first session, start to finish, through the installed `rekt-tui` in a terminal."""

import pytest

from tests.e2e.tmux import (
    VENUES,
    assert_archived_with_nothing_on_chain,
    assert_drift_account_empty,
    buy,
    close_progress,
    start_trading,
    stop_question,
)


@pytest.mark.slow
@pytest.mark.parametrize("venue", VENUES)
def test_new_user_trades_then_stops_and_withdraws(cockpit):
    tmux = cockpit.tmux
    pubkey = start_trading(cockpit)
    buy(cockpit, "0.1")
    # README: quitting closes nothing, so with a position open the cockpit asks first.
    cockpit.quit_is_refused("The session on screen holds 1 position and 0 orders")
    tmux.wait_for("Positions", "SOL-PERP")

    tmux.send("C-x")
    tmux.wait_for(*stop_question(pubkey))
    tmux.send("y")
    summary = tmux.wait_for("✓ Archive session", cockpit.shows("{venue} $0.00"), timeout=60)
    for step in ("✓ Close positions", "✓ Settle PnL", "✓ Withdraw collateral"):
        assert step in summary, summary

    assert_archived_with_nothing_on_chain(cockpit, pubkey)
    close_progress(cockpit)
    tmux.wait_for("No open positions.")
    cockpit.quit()
    assert_drift_account_empty(cockpit, pubkey)
