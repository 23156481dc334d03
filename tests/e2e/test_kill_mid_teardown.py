"""SIGKILL during stop-and-withdraw: the next launch blocks on the recovery banner and finishes the job."""

import os
import re
import signal

import pytest

from tests.e2e.tmux import (
    SPINNER,
    VENUES,
    assert_archived_with_nothing_on_chain,
    assert_drift_account_empty,
    buy,
    close_progress,
    start_trading,
    stop_question,
)

# Slots each client transaction's confirmation is held back (0.4 s a slot): a step that
# signs stays "running" for seconds, a window wide enough to kill the TUI inside it.
CONFIRMATION_DELAY_SLOTS = 20


@pytest.mark.slow
# Two launches and a teardown slowed on purpose: about 35 s here. 180 s lets a CI runner
# be five times slower; the default 120 s would allow only three.
@pytest.mark.timeout(180)
@pytest.mark.parametrize("venue", VENUES)
def test_kill_mid_teardown_then_recover_on_next_launch(cockpit):
    tmux = cockpit.tmux
    pubkey = start_trading(cockpit)
    buy(cockpit, "0.1")

    cockpit.rpc("rekt_delayConfirmations", CONFIRMATION_DELAY_SLOTS)
    tmux.send("C-x")
    tmux.wait_for(*stop_question(pubkey))
    tmux.send("y")
    # Kill once the position is closed and settling PnL (never zero after a round trip's
    # fees) awaits its confirmation: the collateral is still inside the venue.
    tmux.wait_for("✓ Close positions", re.compile(f"{SPINNER} Settle PnL"), timeout=45)
    os.kill(cockpit.tui_pid(), signal.SIGKILL)
    ended = tmux.wait_until(tmux.exit_status, "the killed TUI to end")
    assert ended == f"signal {int(signal.SIGKILL)}"
    # The teardown never reached its archive step.
    assert cockpit.only_session()["status"] == "active"

    cockpit.rpc("rekt_clearTransactionFaults")
    cockpit.launch()
    short = f"{pubkey[:4]}…{pubkey[-4:]}"
    # The banner shows the money left in the venue and how to get it out.
    banner = tmux.wait_for(
        "Recovery needed",
        short,
        re.compile(rf"{cockpit.name} \$\d+\.\d\d • 0 positions • 0 orders"),
        "A stop was interrupted: recover (r) finishes it.",
        timeout=60,
    )
    assert not cockpit.shows("{venue} $0.00").search(banner), banner
    tmux.send("r")
    tmux.wait_for(*stop_question(pubkey))
    tmux.send("y")
    summary = tmux.wait_for("✓ Archive session", cockpit.shows("{venue} $0.00"), timeout=60)
    assert "✗" not in summary, summary

    close_progress(cockpit)
    tmux.wait_gone("Recovery needed")
    tmux.wait_for("Positions")
    assert_archived_with_nothing_on_chain(cockpit, pubkey)
    cockpit.quit()
    assert_drift_account_empty(cockpit, pubkey)
