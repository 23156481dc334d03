"""`rekt-tui localnet`: foreground server, detached daemon, status and stop, persistence."""

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.localnet.conftest import free_port_pair

pytestmark = pytest.mark.slow


def rpc(port: int, method: str, params=None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["result"]


@pytest.fixture
def localnet_cli(cli):
    port, dlob = free_port_pair(), free_port_pair()
    env = dict(
        cli.env,
        REKT_CLUSTERS__LOCALNET__RPC_URL=f"http://127.0.0.1:{port}",
        REKT_CLUSTERS__LOCALNET__WS_URL=f"ws://127.0.0.1:{port + 1}",
        REKT_CLUSTERS__LOCALNET__DLOB_URL=f"http://127.0.0.1:{dlob}",
        REKT_CLUSTERS__LOCALNET__DLOB_WS_URL=f"ws://127.0.0.1:{dlob}/ws",
    )
    runner = Cli(cli.home, cli.data_dir, env)
    runner.port = port
    yield runner
    runner("localnet", "stop")


def test_start_status_stop(localnet_cli):
    started = localnet_cli("localnet", "start")
    assert started.code == 0, started.err
    assert "started" in started.err
    assert rpc(localnet_cli.port, "getHealth") == "ok"
    state = json.loads((localnet_cli.data_dir / "localnet" / "daemon.json").read_text())
    assert state["rpc_port"] == localnet_cli.port

    status = localnet_cli("localnet", "status")
    assert status.code == 0 and f"pid {state['pid']}" in status.out
    assert "already running" in localnet_cli("localnet", "start").err

    assert localnet_cli("localnet", "stop").code == 0
    assert localnet_cli("localnet", "status").code == 1
    assert not (localnet_cli.data_dir / "localnet" / "daemon.json").exists()
    with pytest.raises(OSError):
        rpc(localnet_cli.port, "getHealth")


def test_a_relative_data_dir_is_the_one_under_the_working_directory(localnet_cli):
    """`--data-dir chain` names ./chain; the start used to fail on the ledger's relative path."""
    relative = Cli(localnet_cli.home, Path("../relative-data"), localnet_cli.env)
    try:
        started = relative("localnet", "start")
        assert started.code == 0 and "started" in started.err, started.err
        assert (localnet_cli.home.parent / "relative-data" / "localnet" / "daemon.json").is_file()
        again = relative("localnet", "start")
        assert again.code == 0 and "already running" in again.err, again.err
    finally:
        relative("localnet", "stop")


def test_foreground_ledger_outlives_the_process(localnet_cli):
    command = [sys.executable, "-m", "rekt_tui", "--data-dir", str(localnet_cli.data_dir), "localnet", "--slot-ms", "50"]
    server = subprocess.Popen(command, env=localnet_cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = [server.stdout.readline() for _ in range(3)]
        assert any(f"127.0.0.1:{localnet_cli.port}" in line for line in banner), banner
        time.sleep(0.3)
        slot_before = rpc(localnet_cli.port, "getSlot")
        assert slot_before > 0
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
    assert not (localnet_cli.data_dir / "localnet" / "daemon.json").exists()

    assert localnet_cli("localnet", "start").code == 0
    assert rpc(localnet_cli.port, "getSlot") >= slot_before


def test_busy_port_is_one_sentence(localnet_cli):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", localnet_cli.port))
        squatter.listen()
        result = localnet_cli("localnet")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"127.0.0.1:{localnet_cli.port}" in result.err.strip().splitlines()[-1]


def test_failed_detached_start_explains_itself(localnet_cli):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", localnet_cli.port))
        squatter.listen()
        result = localnet_cli("localnet", "start")
    assert result.code == 1 and f"something listens at http://127.0.0.1:{localnet_cli.port} but did not answer" in result.err
    assert "another localnet" not in result.err
