"""`rekt-tui status --json` on a running localnet against `python -c "import driftpy.drift_client"`.

Scripts call `status` in loops, so it should cost no more than loading the client library
alone (docs/PERFORMANCE.md: ≤ 1.0×). A localnet daemon is started on free ports, a session
is set up with the CLI itself (wallet, airdrops, account, SOL and USDC collateral, a
position and a resting order), then each run times, back to back, a fresh interpreter
importing driftpy's client and `status --json` (and, with `--before DIR`, the status of
another checkout, e.g. the main branch, in the same run). One warm-up of each is not counted.

Run: python -m benchmarks.cli_status [--runs 7] [--before /work/main]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cold_start import clean_env, free_ports, localnet_config

REPO = Path(__file__).resolve().parents[1]
BASELINE = [sys.executable, "-c", "import driftpy.drift_client"]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall ms and CPU ms (user + system) of one run; CPU time is what a busy machine disturbs least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # From a neutral folder: `python -m` puts the working directory first on the path.
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tempfile.gettempdir())
    took = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[-4:])} failed: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return took, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command (after one warm-up)")
    parser.add_argument("--before", type=Path, help="another checkout whose `status` is timed in the same run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        env = {**clean_env(tmp / "home"), "REKT_KEYSTORE_BACKEND": "localnet-file", "PYTHONPATH": str(REPO)}
        config = localnet_config(tmp / "config.toml", *free_ports())
        rekt = [sys.executable, "-m", "rekt_tui", "--config", str(config), "--data-dir", str(tmp / "data")]

        def run(*words: str, repo: Path = REPO) -> tuple[float, float]:
            return timed([*rekt, *words], {**env, "PYTHONPATH": str(repo)})

        run("localnet", "start")
        try:
            for words in (("wallet", "new"), ("airdrop", "5", "SOL"), ("airdrop", "500", "USDC"), ("init",),
                          ("deposit", "1", "SOL"), ("deposit", "300", "USDC"), ("strategy", "balanced"),
                          ("start", "--yes"), ("order", "SOL-PERP", "buy", "0.5", "--yes"),
                          ("order", "SOL-PERP", "buy", "0.5", "--type", "limit", "--price", "100", "--yes")):  # fmt: skip
                run(*words)
            samples: dict[str, list[tuple[float, float]]] = {"import driftpy.drift_client": [], "status --json": []}
            if args.before:
                samples[f"status --json ({args.before})"] = []
            for attempt in range(args.runs + 1):
                figures = [timed(BASELINE, env), run("status", "--json")]
                if args.before:
                    figures.append(run("status", "--json", repo=args.before))
                if attempt:  # the first of each is the warm-up
                    for series, took in zip(samples.values(), figures, strict=True):
                        series.append(took)
        finally:
            subprocess.run([*rekt, "localnet", "stop"], env=env, capture_output=True)
    print(f"fresh interpreter each run, localnet running; {os.cpu_count()} cores, shared")
    for column, name in ((0, "wall"), (1, "CPU")):
        baseline = statistics.median(took[column] for took in samples["import driftpy.drift_client"])
        for what, series in samples.items():
            figures = [took[column] for took in series]
            ratio = statistics.median(figures) / baseline
            print(
                f"{name:>4} {what:<44} min {min(figures):6.0f} ms   median {statistics.median(figures):6.0f} ms   "
                f"max {max(figures):6.0f} ms   {ratio:4.2f}× the import (n={len(figures)})"
            )
    print("budget: status ≤ 1.0× the import of driftpy's client (docs/PERFORMANCE.md)")


if __name__ == "__main__":
    main()
