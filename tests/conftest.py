"""Shared fixtures: run the real `rekt-tui` in a subprocess with an isolated environment."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]

# The suite runs on shared, loaded machines: how fast inputs are drawn says nothing about the
# behaviour under test, so timing health checks and deadlines do not fail a run.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """No REKT_* from the developer, no desktop keyring, config and data under `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKT_")}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        PYTHONPATH=str(REPO),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@dataclass
class Cli:
    """`rekt-tui` as a user runs it, against its own data dir."""

    home: Path
    data_dir: Path
    env: dict[str, str]

    def __call__(self, *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 60) -> Result:
        command = [sys.executable, "-m", "rekt_tui", "--data-dir", str(self.data_dir), *args]
        proc = subprocess.run(
            command, input=stdin, capture_output=True, text=True, env=env or self.env, timeout=timeout, cwd=self.home
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(tmp_path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    env = isolated_env(home, REKT_KEYSTORE_BACKEND="localnet-file")
    return Cli(home, tmp_path / "data", env)


@pytest.fixture
async def live(tmp_path):
    """A localnet with market life (oracle, makers, keeper) on free ports and fast slots."""
    from tests.localnet.conftest import start_localnet

    handle = await start_localnet(tmp_path / "data", slot_ms=50, market_life=True)  # the product's data dir holds the ledger
    yield handle
    await handle.stop()


@pytest.fixture(scope="session", autouse=True)
def no_localnet_outlives_the_run(tmp_path_factory):
    """A test that fails half-way can leave a detached localnet daemon behind; it would hold
    its ports and burn a core for every later test. Stop any localnet whose data dir lies in
    this run's temporary folders when the run ends."""
    yield
    base = str(tmp_path_factory.getbasetemp())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [word.decode(errors="replace") for word in argv]
        if "localnet" in words and any(word.startswith(base) for word in words):
            try:
                os.kill(int(entry.name), 15)
            except OSError:
                pass
