"""keyring's real discovery, in fresh processes: a real Secret Service is used, plaintext is not.

Each script runs in a subprocess with a clean environment and a tmp HOME, so the
developer's own keyring is never touched and keyring's once-per-process discovery
starts from scratch. The Secret Service is gnome-keyring on a private D-Bus session.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import rekt_tui

# The subprocess imports the same rekt_tui these tests import, installed or from the tree.
CODE_ROOT = Path(rekt_tui.__file__).resolve().parents[1]
SCRIPTS = Path(__file__).with_name("scripts")
TIMEOUT_S = 60
KEYRING_PASSWORD = "test-keyring-password"

UNLOCKED_BUS = (
    'printf %s "$KEYRING_TEST_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'
)
LOCKED_BUS = 'gnome-keyring-daemon --start --components=secrets >/dev/null && exec "$@"'


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    (tmp_path / "run").mkdir(mode=0o700)
    return path


def _run(script: str, home: Path, *args: str, bus: str | None = None) -> str:
    """Run scripts/<script> (inside a private D-Bus session when `bus` is given); return its stdout.

    The child gets its own process group, killed whole on timeout and afterwards, so a
    keyring daemon can neither hang the suite nor outlive the test.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(home.parent / "run"),
        "PYTHONPATH": str(CODE_ROOT),
        "KEYRING_TEST_PASSWORD": KEYRING_PASSWORD,
    }
    python = [sys.executable, str(SCRIPTS / script), str(home.parent / "data"), *args]
    command = ["dbus-run-session", "--", "sh", "-c", bus, "sh", *python] if bus else python
    process = subprocess.Popen(
        command,
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{script} did not finish within {TIMEOUT_S} s")
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    assert process.returncode == 0, stderr
    assert not (home / ".local" / "share" / "python_keyring").exists(), "a plaintext keyring file was written"
    return stdout


def _require_gnome_keyring() -> None:
    missing = [name for name in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(name) is None]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)} (apt-get install gnome-keyring dbus)")


@pytest.mark.slow
def test_system_choice_uses_a_real_unlocked_secret_service(home: Path) -> None:
    _require_gnome_keyring()
    assert "secret service ok" in _run("secret_service.py", home, "round-trip", bus=UNLOCKED_BUS)


@pytest.mark.slow
def test_the_pubkey_index_lives_in_the_real_secret_service_and_holds_no_secret(home: Path) -> None:
    _require_gnome_keyring()
    assert "index ok" in _run("secret_service.py", home, "index", bus=UNLOCKED_BUS)


@pytest.mark.slow
def test_k3_a_locked_secret_service_reports_locked_and_keeps_the_key(home: Path) -> None:
    _require_gnome_keyring()
    pubkey = _run("secret_service.py", home, "store", bus=UNLOCKED_BUS).strip()
    assert "locked as expected" in _run("secret_service.py", home, "locked", pubkey, bus=LOCKED_BUS)
    assert "still there" in _run("secret_service.py", home, "unlocked", pubkey, bus=UNLOCKED_BUS)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="elsewhere the OS keyring is always present")
def test_k1_real_discovery_without_a_session_bus_refuses_plaintext(home: Path) -> None:
    assert "refused" in _run("plaintext_only.py", home)
