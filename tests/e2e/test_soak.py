"""A bounded randomized soak: SIGKILLs of `order`, `close` and `stop` under RPC faults.

Three sessions trade side by side (each command spends ~15 s in 500 ms round trips; its
own session's signing lock is all it waits for) on a `rekt-tui localnet start` localnet
answering 15 % of requests with HTTP 429 and holding each for 500 ms. A seeded loop per
session starts `order` (each invocation with a size of its own, so its effect is
attributable), `close` or `stop` and SIGKILLs it at a random moment, right after a
transaction row is persisted, or right after one is recorded landed; at least 30 kills in
all. Then the faults go, `recover` and `stop` run until every session is archived, and the
chain is compared with the registry:

- no duplicate effect: every order placement the chain shows landed is decoded from its
  Drift instruction; each opening size appears at most once and only sizes some `order`
  invocation asked for;
- the registry equals the chain: nothing left `pending`/`sent`; every `confirmed` row landed
  without error, every `expired` row never landed, every `failed` row that landed did so
  with an error; every transaction the wallet paid for is in the registry;
- every session ends flat: archived, no positions, no orders, no collateral.

`REKT_SOAK_SEED=N` replays a seed's choices (timings differ from run to run). On failure the
seed and each step's aim and outcome are printed.
"""

import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.cli.test_localnet_cli import localnet_cli  # noqa: F401 (a fixture)
from tests.cli.test_trading_cli import ok
from tests.e2e.soak import (
    UNRESOLVED,
    PaidWatcher,
    Step,
    plan_step,
    paid_by,
    placements,
    registry_rows,
    rpc,
    run_and_kill,
    session_status,
    statuses,
)

KILLS = 30
LANES = 3  # sessions killed concurrently: each command spends ~15 s in 500 ms round trips
FAULTS = {"http429": 0.15, "latencyMs": 500}
LOOP_BUDGET_S = 300  # then the loop fails with its log (32 kills took 182-198 s on a busy 2-core box)
STEP_LIMIT_S = 45  # a command still running then is killed anyway (and logged as such)
SLOT_MS = "200"  # faster slots: landings and finality, hence `stop`, take half as long
SOL_CENT = 10_000_000  # SOL-PERP sizes are in 1e9 base units; 0.01 is its step


def new_session(cli, pubkey: str) -> str:
    session = ("--session", pubkey)
    ok(cli("airdrop", "2", "SOL", *session))
    ok(cli("init", *session, timeout=120))
    ok(cli("deposit", "1", "SOL", *session, timeout=120))
    ok(cli("strategy", "balanced", *session))
    ok(cli("start", "--yes", *session, timeout=120))
    return pubkey


def refill_if_withdrawn(cli, pubkey: str, log: list[str]) -> None:
    """A `stop` killed after its withdrawal leaves nothing to trade with: deposit again.

    The chain decides, not the registry: a killed `stop` leaves its withdrawal `pending`
    though it may have landed."""
    money = [r for r in registry_rows(cli.data_dir) if r.session == pubkey and r.kind in ("deposit", "withdraw")]
    chain = statuses(cli.port, [r.signature for r in money])
    landed = [r for r in money if chain[r.signature] is not None and chain[r.signature]["err"] is None]
    if landed and landed[-1].kind == "withdraw":
        for _ in range(3):
            done = cli("deposit", "1", "SOL", "--session", pubkey, timeout=120)
            log.append(f"{pubkey[:6]} refill deposit: exit {done.code} {done.err.strip()[-160:]}")
            if done.code == 0:
                return


def converge(cli, pubkeys: list[str], log: list[str]) -> None:
    """`recover`, then `stop --yes` for every session not archived (side by side), until all are."""

    def stop(pubkey: str) -> None:
        stopped = cli("stop", "--yes", "--session", pubkey, timeout=180)
        log.append(f"stop {pubkey[:6]}: exit {stopped.code} {stopped.err.strip()[-300:]}")
        assert "Traceback" not in stopped.err, stopped.err

    for attempt in range(4):
        recovered = cli("recover", timeout=180)
        log.append(f"recover #{attempt}: exit {recovered.code} {recovered.err.strip()[-300:]}")
        assert "Traceback" not in recovered.err, recovered.err
        left = [p for p in pubkeys if session_status(cli.data_dir, p) != "archived"]
        if not left and recovered.code == 0:
            return
        with ThreadPoolExecutor(len(left)) as pool:
            list(pool.map(stop, left))
    raise AssertionError("recover and stop did not converge in 4 rounds")


class Soak:
    """The loop's shared state: steps, the sizes asked for, the kill count, the log."""

    def __init__(self, cli, seed: int, watcher: PaidWatcher) -> None:
        self.cli, self.seed, self.watcher = cli, seed, watcher
        self.pubkeys: list[str] = []  # every session the soak opened, in order
        self.lock = threading.Lock()
        self.steps: list[Step] = []
        self.asked: dict[int, int] = {}  # order size (base units) -> the step that asked for it
        self.log = [f"seed {seed} (replay the choices with REKT_SOAK_SEED={seed})"]
        self.started = time.monotonic()
        self.deadline = 0.0

    def report(self) -> str:
        lines = sorted(s.line() for s in self.steps)
        return "\n".join([*self.log, *lines, f"elapsed {time.monotonic() - self.started:.0f} s"])

    def kills(self) -> int:
        return sum(s.killed for s in self.steps)

    def plan(self, rng: random.Random, pubkey: str) -> Step | None:
        with self.lock:
            if self.kills() >= KILLS:  # lanes still running may add a kill or two
                return None
            assert time.monotonic() < self.deadline, f"loop over budget\n{self.report()}"
            step = plan_step(len(self.steps) + 1, rng, len(self.asked) + 1, pubkey)
            if step.args[0] == "order":
                self.asked[(len(self.asked) + 1) * SOL_CENT] = step.n
            self.steps.append(step)
            return step

    def open_session(self) -> str:
        """A new wallet, watched from its first transaction, through `start`."""
        pubkey = ok(self.cli("wallet", "new"))
        with self.lock:
            self.pubkeys.append(pubkey)
        self.watcher.watch(pubkey)
        return new_session(self.cli, pubkey)

    def lane(self, index: int, pubkey: str) -> None:
        """Commands against one session at a time, each killed at its aimed-at point; a session
        archived by a `stop` that finished before its kill is followed by a new one."""
        rng = random.Random(self.seed * LANES + index)
        while (step := self.plan(rng, pubkey)) is not None:
            run_and_kill(self.cli, step, STEP_LIMIT_S)
            print(step.line(), flush=True)
            assert "Traceback" not in step.stderr, f"{step.line()}\n{step.stderr}\n{self.report()}"
            if session_status(self.cli.data_dir, pubkey) == "archived":
                pubkey = self.open_session()
                self.log.append(f"after #{step.n}: {step.session[:6]} archived; the lane goes on with {pubkey[:6]}")
            else:
                refill_if_withdrawn(self.cli, pubkey, self.log)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_soak_random_kills_under_rpc_faults(localnet_cli):  # noqa: F811
    cli = localnet_cli
    watcher = PaidWatcher(cli.port)
    soak = Soak(cli, int(os.environ.get("REKT_SOAK_SEED", time.time_ns() % 1_000_000)), watcher)

    ok(cli("localnet", "--slot-ms", SLOT_MS, "start"))
    try:
        watcher.start()
        with ThreadPoolExecutor(LANES) as pool:
            pubkeys = list(pool.map(lambda _: soak.open_session(), range(LANES)))
        soak.log.append(f"setup of {LANES} sessions {time.monotonic() - soak.started:.0f} s")

        rpc(cli.port, "rekt_setFaults", FAULTS)
        loop_started = time.monotonic()
        soak.deadline = loop_started + LOOP_BUDGET_S
        with ThreadPoolExecutor(LANES) as pool:
            list(pool.map(soak.lane, range(LANES), pubkeys))
        rpc(cli.port, "rekt_clearFaults")
        soak.log.append(f"loop {time.monotonic() - loop_started:.0f} s")
        assert soak.kills() >= KILLS, f"only {soak.kills()} kills\n{soak.report()}"
        reached = Counter(s.reached for s in soak.steps if s.killed)
        soak.log.append(f"kills by how far their transactions got: {dict(reached)}")
        spread = all(reached[point] >= 3 for point in ("none", "persisted", "landed"))
        assert spread, f"kills not spread before signing, after persisting and after landing\n{soak.report()}"

        converge(cli, soak.pubkeys, soak.log)
        watcher.finish()
        soak.log.append(
            f"converged at {time.monotonic() - soak.started:.0f} s; "
            f"widest gap between history polls {watcher.max_gap_s:.0f} s"
        )
        check_against_chain(cli, soak.pubkeys, soak.asked, watcher, soak.report)
        print(soak.report())
    finally:
        if watcher.is_alive():
            watcher.finish()
        rpc(cli.port, "rekt_clearFaults")


def check_against_chain(cli, pubkeys, asked, watcher, report) -> None:
    rows = registry_rows(cli.data_dir)
    assert watcher.max_gap_s < 50, f"history polls too far apart to see every landing\n{report()}"

    # The registry equals the chain.
    left = [r for r in rows if r.status in UNRESOLVED]
    assert not left, f"unresolved rows after recover: {left}\n{report()}"
    chain = statuses(cli.port, [r.signature for r in rows])
    for row in rows:
        status = chain[row.signature]
        if row.status == "confirmed":
            assert status is not None and status["err"] is None, f"row {row} is confirmed; chain: {status}\n{report()}"
        elif row.status == "expired":
            assert status is None, f"row {row} is expired but landed: {status}\n{report()}"
        elif row.status == "failed":
            assert status is None or status["err"] is not None, f"row {row} is failed; chain: {status}\n{report()}"
    known = {r.signature for r in rows}
    for pubkey in pubkeys:
        paid = paid_by(cli.port, pubkey, watcher.seen[pubkey])
        unknown = [signature for signature, _, _ in paid if signature not in known]
        assert not unknown, f"landed transactions of {pubkey} missing from the registry: {unknown}\n{report()}"

        # No duplicate effect: each opening order size was asked for once, and lands at most once.
        opened = Counter(p.base_amount for p in placements(paid) if not p.reduce_only)
        doubled = {size: n for size, n in opened.items() if n > 1}
        asked_at = [asked.get(size) for size in doubled]
        assert not doubled, f"order sizes placed more than once: {doubled} (asked at steps {asked_at})\n{report()}"
        stray = set(opened) - set(asked)
        assert not stray, f"order sizes on chain nobody asked for: {stray}\n{report()}"

        # The session ends flat.
        final = cli("status", "--json", "--session", pubkey).json()
        assert final["session"]["status"] == "archived", f"{final['session']}\n{report()}"
        assert not final["positions"] and not final["orders"], f"{final}\n{report()}"
        account = final.get("account")
        assert account is None or account["total_collateral"] == 0, f"{account}\n{report()}"
