"""Memory of the running cockpit at full feed: RSS over time, its growth, and a projection.

A localnet runs in the foreground (`rekt-tui localnet`, fast slots, makers, keeper and
the oracle random walk) on free ports named in a scratch config. A session is set up in a
scratch data dir (100 USDC in, 0.1 SOL long), then the installed `rekt-tui` is launched
in a private tmux server on that data dir and follows it; on top of the walk, the SOL
oracle is set with the admin RPC every `--set-every-ms` (the stamped changes). Once the
HUD shows the account, the cockpit's RSS (/proc/<pid>/status) is read every second.

Prints start, max and end RSS, the growth slope (least squares, over the measured window
and its second half) in MiB/min, the projection to 10 minutes against docs/PERFORMANCE.md's budget, and the
RSS of an idle hello-world Textual app as the baseline. The first `--warmup` seconds are
sampled and shown but not judged: the cockpit grows by some 40 MiB in its first minute
of feed (caches filling) and is flat after that.

Run: python -m benchmarks.memory [--warmup 90] [--seconds 60] [--slot-ms 50] [--market-screen]
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.cold_start import (
    HELLO,
    REKT_TUI,
    Tmux,
    clean_env,
    footer_shown,
    free_ports,
    localnet_config,
)

BUDGET_MIB = 250 * 10**6 / 2**20  # docs/PERFORMANCE.md: RSS ≤ 250 MB after 10 minutes of full feed, flat
FLAT_MIB_PER_MIN = 1.0  # more than this over the second half is reported as growth
REPO = Path(__file__).resolve().parents[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"process {pid} has no VmRSS")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def slope_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB), in MiB per minute."""
    if len(samples) < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / len(samples)
    mean_m = sum(m for _, m in samples) / len(samples)
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    return 60 * sum((t - mean_t) * (m - mean_m) for t, m in samples) / spread if spread else 0.0


def rpc(url: str, method: str, *params) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read()).get("result")


def start_localnet(config: Path, chain: Path, ports: tuple[int, int], slot_ms: int, env: dict) -> subprocess.Popen:
    rpc_port, dlob_port = ports
    command = [str(REKT_TUI), "--config", str(config), "--data-dir", str(chain), "localnet",
               "--port", str(rpc_port), "--dlob-port", str(dlob_port), "--slot-ms", str(slot_ms)]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if rpc(f"http://127.0.0.1:{rpc_port}", "getHealth") == "ok":
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the localnet did not start")
        time.sleep(0.1)


async def open_session(config: Path, data_dir: Path) -> None:
    """The session the cockpit will follow, set up through the real services."""
    from benchmarks.tui_latency import hold_sol_position
    from rekt_tui.config import load_settings
    from rekt_tui.services.container import Services

    services = await Services.open(load_settings(config_path=config, environ={}, flags={"data_dir": data_dir}))
    try:
        await hold_sol_position(services)
    finally:
        await services.close()


def sample(tmux: Tmux, rpc_url: str, seconds: float, set_every_s: float) -> tuple[list[tuple[float, float]], float]:
    """RSS every second while the oracle is set every `set_every_s`; (samples, CPU share)."""
    pid = tmux.pane_pid()
    started, cpu0 = time.monotonic(), cpu_s(pid)
    samples, next_sample, step = [], started, 0
    while (now := time.monotonic()) - started < seconds + 0.5:
        if now >= next_sample:
            samples.append((now - started, rss_mib(pid)))
            next_sample += 1.0
        step += 1
        rpc(rpc_url, "rekt_setOraclePrice", "SOL-PERP", f"{150 + (step % 200) / 100:.2f}")
        time.sleep(max(0.0, set_every_s - (time.monotonic() - now)))
    return samples, (cpu_s(pid) - cpu0) / (time.monotonic() - started)


def idle_rss(tmux: Tmux, command: list[str], env: dict, settle_s: float = 3.0) -> float:
    tmux.launch(command, env)
    tmux.wait_for(footer_shown, "the hello-world footer")
    time.sleep(settle_s)
    return rss_mib(tmux.pane_pid())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=float, default=90.0, help="seconds of full feed before the measured window")
    parser.add_argument("--seconds", type=float, default=60.0, help="the measured window at full feed")
    parser.add_argument("--slot-ms", type=int, default=50, help="localnet slot time")
    parser.add_argument("--set-every-ms", type=int, default=100, help="how often the SOL oracle is set")
    parser.add_argument("--market-screen", action="store_true",
                        help="open the market screen (header, live tape, chart, list) over the dashboard")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        env = {**clean_env(tmp / "home"), "PYTHONPATH": str(REPO)}
        ports = free_ports()
        config = localnet_config(tmp / "config.toml", *ports)
        localnet = start_localnet(config, tmp / "data", ports, args.slot_ms, env)  # the product's data dir holds the ledger
        tmux = Tmux(f"rekt-bench-{os.getpid()}")
        try:
            asyncio.run(open_session(config, tmp / "data"))
            tmux.launch([str(REKT_TUI), "--config", str(config), "--data-dir", str(tmp / "data")], env)
            tmux.wait_for(lambda screen: footer_shown(screen) and "not connected" not in screen.splitlines()[0],
                          "the followed account in the HUD", timeout=60)  # fmt: skip
            if args.market_screen:  # every panel runs: the dashboard's stay mounted beneath
                tmux("send-keys", "-t", "bench", "M")
                tmux.wait_for(lambda screen: "Trades" in screen, "the market screen", timeout=30)
            feed = args.warmup + args.seconds
            samples, cpu = sample(tmux, f"http://127.0.0.1:{ports[0]}", feed, args.set_every_ms / 1000)
            baseline = idle_rss(tmux, [sys.executable, "-c", HELLO], env)
        finally:
            tmux.close()
            localnet.send_signal(signal.SIGINT)
            localnet.wait(timeout=30)
    report(samples, cpu, baseline, args)


def report(samples: list[tuple[float, float]], cpu: float, baseline: float, args: argparse.Namespace) -> None:
    values = [mib for _, mib in samples]
    measured = [(t, mib) for t, mib in samples if t >= args.warmup]
    window, late = slope_per_min(measured), slope_per_min(measured[len(measured) // 2 :])
    growth = max(window, late)
    minutes = samples[-1][0] / 60
    projected = values[-1] + max(0.0, growth) * max(0.0, 10 - minutes)
    verdict = "GROWING" if growth > FLAT_MIB_PER_MIN else "flat"
    print(
        f"rekt-tui following a session at full feed{' with the market screen open' if args.market_screen else ''}: "
        f"{args.slot_ms} ms slots (makers, keeper, oracle walk) "
        f"+ SOL oracle set every {args.set_every_ms} ms; RSS every second for {samples[-1][0]:.0f} s, "
        f"the last {args.seconds:g} s measured; cockpit CPU {cpu:.0%} of one core"
    )
    print(
        f"{'RSS start / max / end':<34} {values[0]:7.1f} / {max(values):7.1f} / {values[-1]:7.1f} MiB   "
        f"(after the {args.warmup:g} s warm-up: {measured[0][1]:.1f} MiB)"
    )
    every = max(1, len(values) // 12)
    print(f"{'RSS every ' + str(every) + ' s':<34} " + " ".join(f"{mib:.0f}" for mib in values[::every]) + " MiB")
    print(f"{'slope, warm-up included':<34} {slope_per_min(samples):+7.2f} MiB/min")
    print(f"{'slope, measured window':<34} {window:+7.2f} MiB/min   (its second half {late:+.2f} MiB/min)")
    print(f"{'growth verdict':<34} {verdict:>7}   (flat: ≤ {FLAT_MIB_PER_MIN:g} MiB/min in the measured window)")
    print(
        f"{'projected RSS at 10 min':<34} {projected:7.1f} MiB   "
        f"(budget ≤ {BUDGET_MIB:.1f} MiB = 250 MB after 10 minutes of full feed, flat)"
    )
    print(f"{'hello-world Textual app, idle':<34} {baseline:7.1f} MiB   (baseline: Textual's own footprint)")


if __name__ == "__main__":
    main()
