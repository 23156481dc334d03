"""`rekt-tui localnet --venue velocity` and the profile's venue on the detached start path."""

import base64

import pytest

from rekt_tui.velocity.codec.program import VelocityProgram
from tests.cli.test_localnet_cli import localnet_cli, rpc

pytestmark = pytest.mark.slow
__all__ = ["localnet_cli"]  # fixture
STATE = str(VelocityProgram.pinned().pdas.state())


def test_the_profiles_venue_starts_the_relaunch_and_a_ledger_keeps_its_venue(localnet_cli):
    localnet_cli.env["REKT_CLUSTERS__LOCALNET__VENUE"] = "velocity"
    started = localnet_cli("localnet", "start")
    assert started.code == 0, started.err
    info = rpc(localnet_cli.port, "getAccountInfo", [STATE, {"encoding": "base64"}])["value"]
    assert info["owner"] == "vELoC1audYbSYVRXn1vPaV8Axoa9oU6BYmNGZZBDZ1P"
    assert len(base64.b64decode(info["data"][0])) == 1752
    assert localnet_cli("localnet", "stop").code == 0

    refused = localnet_cli("localnet", "--venue", "drift", "start")
    assert refused.code != 0
    assert "runs the velocity venue, not drift" in refused.err and "Traceback" not in refused.err


def test_a_bad_activation_delay_is_one_sentence(localnet_cli):
    refused = localnet_cli("localnet", "--venue", "velocity", "--activation-delay-slots", "-1")
    assert refused.code != 0 and "Traceback" not in refused.err
    assert "--activation-delay-slots -1 must be between 0 and 10000" in refused.err
