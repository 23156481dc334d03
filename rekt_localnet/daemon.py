"""The localnet as a background daemon: start it detached, find it again, stop it.

The app and the CLI need a cluster; on `localnet` they start one themselves when none
answers, detached from the terminal so it outlives the app like a real chain. Where it
runs is written to `<data_dir>/localnet/daemon.json` (pid and ports) by whichever
process serves it, foreground or detached, and removed when it stops.
"""

import asyncio
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rekt_localnet.errors import LocalnetError, LocalnetUsageError

STATE_FILE = Path("localnet") / "daemon.json"
LOG_FILE = Path("logs") / "localnet.log"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
# A localnet slowed down (a latency fault, a loaded machine) still answers: each try waits
# twice as long as the one before, from FIRST_TRY_S, until ANSWER_BUDGET_S is spent.
FIRST_TRY_S = 1.0
ANSWER_BUDGET_S = 15.0
RETRY_PAUSE_S = 0.2


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


class _Absent(Exception):
    """Nothing listens at the URL (the connection was refused)."""


class _Unanswered(Exception):
    """The server is there but gave no usable answer this time (busy, rate-limited, cut off)."""


def _ask_once(rpc_url: str, method: str, timeout_s: float) -> object:
    """One JSON-RPC call: the whole response body, or None when the answer is not JSON-RPC.

    The standard library's HTTP client, in a thread: the product asks this before its first
    frame, and an async HTTP stack would cost that frame its import (docs/PERFORMANCE.md)."""
    parts = urlsplit(rpc_url)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method})
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout_s)
    try:
        connection.request("POST", parts.path or "/", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
    except ConnectionRefusedError:
        raise _Absent(rpc_url) from None
    except (OSError, http.client.HTTPException) as error:  # a timeout is an OSError too
        raise _Unanswered(rpc_url) from error
    finally:
        connection.close()
    if response.status == 429 or response.status >= 500:
        raise _Unanswered(rpc_url)
    try:
        return json.loads(payload)
    except ValueError:
        return None


async def ask(rpc_url: str, method: str, *, budget_s: float | None = None) -> object:
    """Call `method` with no parameters, tolerating a slow or rate-limited server.

    Returns the response body (None when whatever answers does not speak JSON-RPC);
    raises `_Absent` when nothing listens, TimeoutError when nothing answered in `budget_s`.
    """
    deadline = time.monotonic() + (ANSWER_BUDGET_S if budget_s is None else budget_s)
    timeout_s = FIRST_TRY_S
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(method)
        try:
            return await asyncio.to_thread(_ask_once, rpc_url, method, min(timeout_s, remaining))
        except _Unanswered:
            pass
        timeout_s *= 2
        await asyncio.sleep(min(RETRY_PAUSE_S, max(0.0, deadline - time.monotonic())))


async def healthy(rpc_url: str, *, budget_s: float | None = None) -> bool:
    """Whether a JSON-RPC server at `rpc_url` says it is healthy within `budget_s`."""
    try:
        reply = await ask(rpc_url, "getHealth", budget_s=budget_s)
    except (_Absent, TimeoutError):
        return False
    return isinstance(reply, dict) and reply.get("result") == "ok"


async def genesis_hash_at(rpc_url: str, *, budget_s: float | None = None) -> str | None:
    """The genesis hash the server at `rpc_url` reports; None if it reports none."""
    try:
        reply = await ask(rpc_url, "getGenesisHash", budget_s=budget_s)
    except (_Absent, TimeoutError):
        return None
    result = reply.get("result") if isinstance(reply, dict) else None
    return result if isinstance(result, str) else None


async def ensure_running(data_dir: Path, rpc_url: str, dlob_url: str, venue: str = "drift") -> bool:
    """Make sure something answers at `rpc_url`; start a localnet detached if nothing listens
    (running `venue`'s program: "drift" or "velocity", its relaunch).

    Returns True when this call started it. Whether what answers is this data dir's
    localnet is the caller's check (its genesis hash against the ledger's).
    """
    rpc_port = loopback_port(rpc_url, "rpc_url")
    dlob_port = loopback_port(dlob_url, "dlob_url")
    try:
        await ask(rpc_url, "getHealth")
        return False
    except TimeoutError:
        raise LocalnetDaemonError(
            f"something listens at {rpc_url} but did not answer within {ANSWER_BUDGET_S:.0f} s; "
            "if it is the localnet (`rekt-tui localnet status`), clear its latency fault or restart it."
        ) from None
    except _Absent:
        pass
    running = running_state(data_dir)
    if running is not None and running.rpc_port != rpc_port:
        raise LocalnetDaemonError(
            f"this data dir's localnet (pid {running.pid}) serves {running.rpc_url}, not {rpc_url}; "
            "stop it with `rekt-tui localnet stop` or point the localnet profile's rpc_url at it."
        )
    log_path = data_dir / LOG_FILE
    log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(os.open(log_path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600), "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rekt_tui", "--data-dir", str(data_dir), "--cluster", "localnet",
             "localnet", "--port", str(rpc_port), "--dlob-port", str(dlob_port), "--venue", venue],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalnetDaemonError(f"the localnet did not start: {_last_line(log_path)} (log: {log_path}).")
        if await healthy(rpc_url, budget_s=max(FIRST_TRY_S, deadline - time.monotonic())):
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
