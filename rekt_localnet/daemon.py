"""The localnet as a background daemon: start it detached, find it again, stop it.

The app and the CLI need a cluster; on `localnet` they start one themselves when none
answers, detached from the terminal so it outlives the app like a real chain. Where it
runs is written to `<data_dir>/localnet/daemon.json` (pid and ports) by whichever
process serves it, foreground or detached, and removed when it stops.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from rekt_localnet.errors import LocalnetError, LocalnetUsageError

STATE_FILE = Path("localnet") / "daemon.json"
LOG_FILE = Path("logs") / "localnet.log"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


class LocalnetDaemonError(LocalnetError):
    """The localnet could not be started, found or stopped."""


@dataclass(frozen=True)
class DaemonState:
    pid: int
    rpc_port: int
    dlob_port: int
    started_at: float

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"


def loopback_port(url: str, what: str) -> int:
    """The port of a localnet URL, which must point at this machine."""
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK or parts.port is None:
        raise LocalnetUsageError(f"the localnet {what} {url} must be a loopback address with a port, like http://127.0.0.1:8899.")
    return parts.port


def read_state(data_dir: Path) -> DaemonState | None:
    try:
        return DaemonState(**json.loads((data_dir / STATE_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def write_state(data_dir: Path, state: DaemonState) -> None:
    path = data_dir / STATE_FILE
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(state)))
    temporary.replace(path)


def clear_state(data_dir: Path, pid: int) -> None:
    """Remove the state file if it still describes process `pid`."""
    state = read_state(data_dir)
    if state is not None and state.pid == pid:
        (data_dir / STATE_FILE).unlink(missing_ok=True)


async def healthy(rpc_url: str, timeout_s: float = 1.0) -> bool:
    body = {"jsonrpc": "2.0", "id": 1, "method": "getHealth"}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as session:
            async with session.post(rpc_url, json=body) as response:
                return (await response.json()).get("result") == "ok"
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return False


async def ensure_running(data_dir: Path, rpc_url: str, dlob_url: str) -> bool:
    """Make sure a localnet answers at `rpc_url`; start one detached if none does.

    Returns True when this call started it.
    """
    rpc_port = loopback_port(rpc_url, "rpc_url")
    dlob_port = loopback_port(dlob_url, "dlob_url")
    if await healthy(rpc_url):
        return False
    log_path = data_dir / LOG_FILE
    log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(os.open(log_path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600), "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rekt_tui", "--data-dir", str(data_dir), "--cluster", "localnet",
             "localnet", "--port", str(rpc_port), "--dlob-port", str(dlob_port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalnetDaemonError(f"the localnet did not start: {_last_line(log_path)} (log: {log_path}).")
        if await healthy(rpc_url):
            return True
        await asyncio.sleep(0.1)
    process.terminate()
    raise LocalnetDaemonError(f"the localnet did not answer within {START_TIMEOUT_S:.0f} s; see {log_path}.")


def stop(data_dir: Path) -> DaemonState | None:
    """Stop the localnet recorded in `data_dir` (SIGTERM, then SIGKILL); None if none runs."""
    state = read_state(data_dir)
    if state is None or not _is_our_localnet(state.pid):
        (data_dir / STATE_FILE).unlink(missing_ok=True)
        return None
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _alive(state.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(state.pid):
        os.kill(state.pid, signal.SIGKILL)
    clear_state(data_dir, state.pid)
    return state


def running_state(data_dir: Path) -> DaemonState | None:
    state = read_state(data_dir)
    return state if state is not None and _is_our_localnet(state.pid) else None


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return False


def _is_our_localnet(pid: int) -> bool:
    """Whether `pid` is alive and is a rekt-tui localnet, so a reused pid is never signalled."""
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        return True  # no /proc (macOS): trust the state file
    words = cmdline.read_bytes().split(b"\0")
    return b"localnet" in words and any(b"rekt" in word for word in words)


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no output"
    return lines[-1].removeprefix("rekt-tui: ") if lines else "no output"
