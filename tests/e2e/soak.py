"""What the soak test reads: the registry (read-only SQLite), the chain (raw JSON-RPC), and
the SIGKILL of one `rekt-tui` command at a chosen point of its run.

The chain side decodes every landed transaction the session wallet paid for, so an order's
placement is attributed by its Drift instruction (size, reduce-only, `user_order_id`), not
by what the registry says it sent.
"""

import base64
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from anchorpy import Idl
from anchorpy.coder.instruction import InstructionCoder
from solders.transaction import VersionedTransaction

from tests.conftest import Cli

UNRESOLVED = ("pending", "sent")
LANDED = ("confirmed", "failed")
# Where a kill is aimed: a random moment (before signing at these delays), just after a new
# transaction row is persisted, or just after one is recorded landed.
PHASES = ("early", "persisted", "landed")
PLACING = ("place_perp_order", "place_and_take_perp_order", "place_orders")


def rpc(port: int, method: str, *params, timeout: float = 10):
    """One JSON-RPC call; the 429s the soak injects are waited out (up to 20 tries)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    for attempt in range(20):
        request = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read())
            break
        except urllib.error.HTTPError as error:
            if error.code != 429 or attempt == 19:
                raise
            time.sleep(0.1)
    assert "error" not in answer, answer
    return answer["result"]


class PaidWatcher(threading.Thread):
    """Collects the signatures naming each wallet every few seconds.

    The localnet answers getSignaturesForAddress from its recent-status cache only (300
    slots), so the whole soak's history is gathered as it happens; `max_gap_s` says how long
    the longest stretch without a successful poll was.
    """

    def __init__(self, port: int, every_s: float = 4.0) -> None:
        super().__init__(daemon=True)
        self.port, self.every_s = port, every_s
        self.wallets: list[str] = []
        self.seen: dict[str, set[str]] = {}
        self.max_gap_s = 0.0
        self._halt = threading.Event()

    def watch(self, wallet: str) -> None:
        self.seen.setdefault(wallet, set())
        self.wallets.append(wallet)

    def poll(self) -> None:
        for wallet in list(self.wallets):
            found = rpc(self.port, "getSignaturesForAddress", wallet, {"limit": 1000})
            self.seen[wallet].update(entry["signature"] for entry in found)

    def run(self) -> None:
        last = time.monotonic()
        while not self._halt.wait(self.every_s):
            try:
                self.poll()
            except OSError:
                continue
            now = time.monotonic()
            self.max_gap_s, last = max(self.max_gap_s, now - last), now

    def finish(self) -> None:
        self._halt.set()
        self.join(timeout=30)
        self.poll()


# --- the registry, read-only -------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    id: int
    session: str
    kind: str
    status: str
    signature: str
    intent: dict
    rebuild_of: int | None


def registry_rows(data_dir: Path) -> list[Row]:
    path = data_dir / "registry.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        found = db.execute(
            "SELECT t.id, s.pubkey, t.kind, t.status, t.signature, t.intent, t.rebuild_of "
            "FROM transactions t JOIN sessions s ON s.id = t.session_id ORDER BY t.id"
        ).fetchall()
    finally:
        db.close()
    return [Row(i, s, k, st, sig, json.loads(intent), rb) for i, s, k, st, sig, intent, rb in found]


def session_status(data_dir: Path, pubkey: str) -> str:
    db = sqlite3.connect(f"file:{data_dir / 'registry.sqlite3'}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT status FROM sessions WHERE pubkey = ?", (pubkey,)).fetchone()[0]
    finally:
        db.close()


# --- one command, killed -----------------------------------------------------------------


@dataclass
class Step:
    """One command of the loop and what became of it."""

    n: int
    session: str
    args: tuple[str, ...]
    phase: str
    delay: float  # after the aimed-at point (early: after launch)
    outcome: str = ""  # "killed" or "exit N"
    reached: str = ""  # how far its transactions got when it ended: none | persisted | landed
    took: float = 0.0
    rows: list[str] = field(default_factory=list)
    stderr: str = ""

    def line(self) -> str:
        rows = ", ".join(self.rows) or "-"
        tail = f" | {self.stderr.strip().splitlines()[-1][:160]}" if self.stderr.strip() else ""
        return (
            f"#{self.n:02d} {self.session[:6]} {' '.join(self.args[:-2]):<44} aim={self.phase:<9} +{self.delay:4.2f}s "
            f"{self.outcome:<7} reached={self.reached:<9} {self.took:5.1f}s rows=[{rows}]{tail}"
        )

    @property
    def killed(self) -> bool:
        return self.outcome == "killed"


def run_and_kill(cli: Cli, step: Step, limit_s: float) -> Step:
    """Run `rekt-tui ARGS` and SIGKILL it at the step's aimed-at point (unless it ends first)."""
    def mine() -> list[Row]:
        return [r for r in registry_rows(cli.data_dir) if r.session == step.session]

    before = max((r.id for r in mine()), default=0)
    command = [sys.executable, "-m", "rekt_tui", "--data-dir", str(cli.data_dir), *step.args]
    started = time.monotonic()
    proc = subprocess.Popen(
        command, env=cli.env, cwd=cli.home, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    aim_at: float | None = started + step.delay if step.phase == "early" else None
    try:
        while proc.poll() is None:
            now = time.monotonic()
            if now - started > limit_s:
                aim_at = now
            if aim_at is None:
                new = [r for r in mine() if r.id > before]
                if new and (step.phase == "persisted" or any(r.status in LANDED for r in new)):
                    aim_at = now + step.delay
            if aim_at is not None and now >= aim_at:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        _, err = proc.communicate(timeout=30)
    step.took = time.monotonic() - started
    step.outcome = "killed" if proc.returncode == -signal.SIGKILL else f"exit {proc.returncode}"
    step.stderr = err
    new = [r for r in mine() if r.id > before]
    step.rows = [f"{r.kind}:{r.status}" for r in new]
    step.reached = (
        "landed" if any(r.status in LANDED for r in new) else "persisted" if new else "none"
    )
    return step


def plan_step(n: int, rng: random.Random, size_cents: int, session: str) -> Step:
    """A random command (orders most often, each with its own size) aimed at a random point."""
    command = rng.choices(("order", "close", "stop"), weights=(5, 2, 2))[0]
    if command == "order":
        size = f"{size_cents / 100:.2f}"
        args = ("order", "SOL-PERP", "buy", size, "--allow-stacking", "--yes")
    elif command == "close":
        args = ("close", "SOL-PERP")
    else:
        args = ("stop", "--yes")
    phase = rng.choice(PHASES)
    delay = rng.uniform(0.3, 10.0) if phase == "early" else rng.uniform(0.0, 0.6)
    return Step(n, session, (*args, "--session", session), phase, round(delay, 2))


# --- the chain ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """An order placement the chain shows landed without error, as its instruction says."""

    signature: str
    base_amount: int
    reduce_only: bool
    user_order_id: int


def _coder() -> InstructionCoder:
    import driftpy

    idl = Path(driftpy.__file__).parent / "idl" / "drift.json"
    return InstructionCoder(Idl.from_json(idl.read_text()))


def statuses(port: int, signatures: list[str]) -> dict[str, dict | None]:
    found: dict[str, dict | None] = {}
    for start in range(0, len(signatures), 256):
        chunk = signatures[start : start + 256]
        answer = rpc(port, "getSignatureStatuses", chunk, {"searchTransactionHistory": True})
        found.update(zip(chunk, answer["value"], strict=True))
    return found


def paid_by(port: int, wallet: str, signatures: set[str]) -> list[tuple[str, VersionedTransaction, object]]:
    """Of `signatures` (landed, naming the wallet), those the wallet paid for (signed first),
    with the transaction and its landed error."""
    paid = []
    for signature in sorted(signatures):
        got = rpc(port, "getTransaction", signature, {"encoding": "base64", "maxSupportedTransactionVersion": 0})
        assert got is not None, f"{signature} was listed for the wallet but getTransaction has nothing"
        tx = VersionedTransaction.from_bytes(base64.b64decode(got["transaction"][0]))
        if str(tx.message.account_keys[0]) == wallet:
            paid.append((signature, tx, got["meta"]["err"]))
    return paid


def placements(paid: list[tuple[str, VersionedTransaction, object]]) -> list[Placement]:
    """Decode the Drift order placements of the landed, error-free transactions."""
    coder = _coder()
    found = []
    for signature, tx, err in paid:
        if err is not None:
            continue
        keys = tx.message.account_keys
        for ix in tx.message.instructions:
            if str(keys[ix.program_id_index]) != "dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH":
                continue
            named = coder.parse(bytes(ix.data))
            if named.name not in PLACING:
                continue
            params = named.data.params
            for one in params if isinstance(params, list) else [params]:
                found.append(Placement(signature, one.base_asset_amount, bool(one.reduce_only), one.user_order_id))
    return found
