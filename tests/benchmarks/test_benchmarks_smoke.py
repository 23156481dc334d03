"""Each benchmark runs end to end with tiny parameters and prints its figures with what
they are held against. Smoke only: no timing is asserted here (docs/PERFORMANCE.md)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
FIGURE = r"\d+\.\d+ ms"
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def run_benchmark(name: str, *args: str, timeout: float = 110) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKT_")}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", *args],
        check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


PATHS = ("DLOB orderbook message -> HUD Oracle frame", "oracle accountNotification -> HUD frame")


def test_tui_latency_prints_both_paths_against_the_frame_budget():
    out = run_benchmark("tui_latency", "--seconds", "1")
    lines = {path: next(line for line in out.splitlines() if line.startswith(path)) for path in PATHS}
    # A book whose oracle the account path put on screen first paints nothing: in one second the
    # book path may have no sample, and says so. The account path always has some.
    painted = [path for path, line in lines.items() if not line.endswith("nothing reached the screen")]
    assert "oracle accountNotification -> HUD frame" in painted, out
    for path in painted:
        assert re.search(rf"p50 +{FIGURE} +p99 +{FIGURE}", lines[path]) and "budget p99 ≤ 16.7 ms" in lines[path], out
    for stage in ("socket send -> app handler", "app handler -> applied", "applied -> frame out"):
        assert f"of which: {stage}" in out, out
    assert "Textual screen update" in out and "CPU, share of one core" in out
    assert out.count("bare Textual app, same streams") == len(painted), out
    assert len(re.findall(r"cockpit / bare +p50 +[\d.]+x +p99 +[\d.]+x", out)) == len(painted), out


def test_tui_feed_prints_cpu_and_frame_latency_with_and_without_the_market_screen():
    out = run_benchmark("tui_feed", "--seconds", "1")
    runs = ("rekt-tui dashboard (coalesced, paced)", "rekt-tui + market screen (tape, chart)", "naive DataTable rebuild")
    for run in runs:
        assert re.search(rf"{re.escape(run)} +\d+% +\d+ +[\d.]+ +[\d.]+ms", out), out
    latency = rf"p50 {FIGURE} p99 {FIGURE} \(n=\d+\)"
    assert re.search(rf"dashboard alone: +book -> book panel frame {latency}", out), out
    assert re.search(rf"with the market screen: fill -> tape frame {latency}; fill -> chart frame {latency}", out), out
    assert re.search(r"CPU ratio rekt-tui / naive: [\d.]+ alone, [\d.]+ with the market screen", out), out


@needs_tmux
def test_cold_start_prints_rekt_tui_and_the_hello_world_baseline():
    out = run_benchmark("cold_start", "--runs", "1")
    assert re.search(r"rekt-tui \(localnet running\) +min +\d+ ms +median +\d+ ms +max +\d+ ms", out), out
    assert "budget ≤ 2.0× hello-world" in out
    assert re.search(r"rekt-tui ÷ hello-world, per run +\d+\.\d\d×\n", out), out
    assert re.search(r"rekt-tui ÷ hello-world, medians +\d+\.\d\d×", out), out
    assert re.search(r"hello-world Textual app +min +\d+ ms", out) and "rekt-tui beyond Textual" in out
    assert re.search(r"of which: import rekt_tui.tui.app +\d+ ms", out), out


def test_cli_status_prints_status_against_the_import_of_driftpy():
    out = run_benchmark("cli_status", "--runs", "1", timeout=240)
    for clock in ("wall", "CPU"):
        for what in ("import driftpy.drift_client", "status --json"):
            assert re.search(rf"{clock} {re.escape(what)} +min +\d+ ms +median +\d+ ms .* [\d.]+× the import", out), out
    assert "budget: status ≤ 1.0× the import" in out


@needs_tmux
def test_memory_prints_rss_slope_and_the_budget():
    out = run_benchmark("memory", "--warmup", "1", "--seconds", "2")
    assert re.search(r"RSS start / max / end +[\d.]+ / +[\d.]+ / +[\d.]+ MiB", out), out
    assert re.search(r"slope, measured window +[+-][\d.]+ MiB/min", out)
    assert re.search(r"growth verdict +(flat|GROWING)", out)
    assert "projected RSS at 10 min" in out and "250 MB after 10 minutes" in out
    assert "hello-world Textual app, idle" in out


def test_guard_latency_prints_the_watcher_and_the_guard_process_against_two_slots():
    out = run_benchmark("guard_latency", "--rounds", "1")
    for path in (
        "oracle update -> exit-only (breach in registry)", "oracle update -> loss-limit alert delivered",
        "guard process: oracle update -> EXIT-ONLY line", "guard process: oracle update -> alert line",
    ):  # fmt: skip
        line = next(line for line in out.splitlines() if line.startswith(path))
        assert re.search(rf"p50 +{FIGURE} +p99 +{FIGURE}", line) and "≤ 2 slots = 800 ms" in line, out
