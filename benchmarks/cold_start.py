"""Cold start: wall time from launching the installed `rekt-tui` to its first interactive frame.

A localnet is started first with `rekt-tui localnet start` (the background daemon, on
free ports named in a scratch config file) so the runs time the cockpit, not the chain.
Each run launches `rekt-tui` with a fresh data dir in a private tmux server (a real
terminal, 160x48) and polls the pane until the footer shows its `Quit` key: the dashboard
is then drawn and takes keys. The same is measured for a hello-world Textual app with a
footer, in the same run, so the reader sees which part is Textual's own. One warm-up
launch of each is not counted (it fills the bytecode cache).

Run: python -m benchmarks.cold_start [--runs 7]
"""

import argparse
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET = "budget ≤ 2.0× hello-world (docs/PERFORMANCE.md: rekt-tui to first interactive frame on a running localnet)"
REKT_TUI = Path(sys.executable).with_name("rekt-tui")
REPO = Path(__file__).resolve().parents[1]
FOOTER_KEY = "Quit"
POLL_S = 0.005
TIMEOUT_S = 30.0
HELLO = """\
from textual.app import App
from textual.widgets import Footer, Static


class Hello(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Static("Hello, world")
        yield Footer()


Hello().run()
"""


class Tmux:
    """A private tmux server with one pane that each launch replaces."""

    def __init__(self, name: str, size: tuple[int, int] = (160, 48)) -> None:
        self.base = ["tmux", "-L", name, "-f", "/dev/null"]
        width, height = size
        self("new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height), "sleep 86400")
        self("set-option", "-g", "remain-on-exit", "on")

    def __call__(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], check=True, capture_output=True, text=True).stdout

    def launch(self, command: list[str], env: dict[str, str]) -> None:
        """Replace whatever runs in the pane; `exec` keeps the program's pid the pane's pid."""
        settings = [f"{name}={value}" for name, value in env.items()]
        self("respawn-pane", "-k", "-t", "bench", shlex.join(["exec", "env", "-i", *settings, *command]))

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "bench")

    def pane_pid(self) -> int:
        return int(self("display-message", "-p", "-t", "bench", "#{pane_pid}"))

    def dead(self) -> bool:
        return self("display-message", "-p", "-t", "bench", "#{pane_dead}").strip() == "1"

    def wait_for(self, condition, what: str, timeout: float = TIMEOUT_S) -> float:
        """Poll the pane until `condition(screen)`; the monotonic time it was seen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if condition(screen):
                return time.monotonic()
            if time.monotonic() > deadline or self.dead():
                raise RuntimeError(f"{what} never showed; the pane reads:\n{screen}")
            time.sleep(POLL_S)

    def quit(self, key: str = "q") -> None:
        self("send-keys", "-t", "bench", key)
        deadline = time.monotonic() + 5
        while not self.dead() and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], check=False, capture_output=True)


def clean_env(home: Path) -> dict[str, str]:
    """A terminal user's environment without their config, keys or REKT_* settings."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "TERM": "tmux-256color",
        "LANG": "C.UTF-8", "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
    }  # fmt: skip


def localnet_config(path: Path, rpc_port: int, dlob_port: int) -> Path:
    """A config file pointing the localnet profile at these ports, with the file keystore."""
    path.write_text(
        'keystore_backend = "localnet-file"\n\n[clusters.localnet]\n'
        f'rpc_url = "http://127.0.0.1:{rpc_port}"\nws_url = "ws://127.0.0.1:{rpc_port + 1}"\n'
        f'dlob_url = "http://127.0.0.1:{dlob_port}"\ndlob_ws_url = "ws://127.0.0.1:{dlob_port}/ws"\n'
    )
    return path


def free_ports() -> tuple[int, int]:
    """An RPC port (its websocket on the next one) and a DLOB port, all free now."""
    import socket

    from tests.localnet.conftest import free_port_pair

    rpc = free_port_pair()
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            dlob = probe.getsockname()[1]
        if dlob not in (rpc, rpc + 1):
            return rpc, dlob


def footer_shown(screen: str) -> bool:
    lines = [line for line in screen.splitlines() if line.strip()]
    return bool(lines) and FOOTER_KEY in lines[-1]


def time_launch(tmux: Tmux, command: list[str], env: dict[str, str]) -> float:
    """Milliseconds from launch to the footer on screen; the program is quit afterwards."""
    started = time.monotonic()
    tmux.launch(command, env)
    shown = tmux.wait_for(footer_shown, f"the footer of {command[0]}")
    tmux.quit()
    return (shown - started) * 1000


IMPORT_PROBE = """\
import sys, time
started = time.perf_counter()
import rekt_tui.tui.app
print((time.perf_counter() - started) * 1000, "driftpy" in sys.modules)
"""


def import_cost(env: dict[str, str], runs: int = 3) -> tuple[float, bool]:
    """Median ms to import the cockpit's app module in a fresh interpreter, and whether that pulls in driftpy."""
    answers = [
        subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE], env=env, check=True, capture_output=True, text=True,
            cwd=tempfile.gettempdir(),  # not this checkout: `-c` puts the working directory first on the path
        ).stdout.split()
        for _ in range(runs)
    ]
    return statistics.median(float(ms) for ms, _ in answers), answers[0][1] == "True"


def summary(what: str, samples: list[float], against: str) -> None:
    print(
        f"{what:<34} min {min(samples):7.0f} ms   median {statistics.median(samples):7.0f} ms   "
        f"max {max(samples):7.0f} ms   (n={len(samples)}; {against})"
    )


def copy_ledger(chain: Path, data_dir: Path) -> None:
    """A fresh data dir that knows the running localnet: the cockpit checks the genesis hash
    answering at the port against the ledger in its data dir before it trusts the cluster."""
    target = data_dir / "localnet"
    target.mkdir(parents=True)
    with sqlite3.connect(chain / "localnet" / "ledger.sqlite3") as source, sqlite3.connect(target / "ledger.sqlite3") as copy:
        source.backup(copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed launches of each program (after one warm-up)")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose rekt_tui is launched (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        env = {**clean_env(tmp / "home"), "PYTHONPATH": str(args.repo)}  # this checkout's code, not the installed one
        config = localnet_config(tmp / "config.toml", *free_ports())
        chain = ["--config", str(config), "--data-dir", str(tmp / "chain")]
        subprocess.run([str(REKT_TUI), *chain, "localnet", "start"], env=env, check=True, capture_output=True)
        hello = tmp / "hello.py"
        hello.write_text(HELLO)
        tmux = Tmux(f"rekt-bench-{os.getpid()}")
        try:
            cockpit, baseline = [], []
            for run in range(args.runs + 1):
                data_dir = tmp / f"run-{run}"
                copy_ledger(tmp / "chain", data_dir)
                took = time_launch(tmux, [str(REKT_TUI), "--config", str(config), "--data-dir", str(data_dir)], env)
                plain = time_launch(tmux, [sys.executable, str(hello)], env)
                if run:  # the first launch of each is the warm-up
                    cockpit.append(took)
                    baseline.append(plain)
        finally:
            tmux.close()
            subprocess.run([str(REKT_TUI), *chain, "localnet", "stop"], check=False, env=env, capture_output=True)
        imported, with_driftpy = import_cost(env)
    print(f"launch -> first frame with the footer's '{FOOTER_KEY}' key, tmux 160x48, fresh data dir per run")
    summary("rekt-tui (localnet running)", cockpit, BUDGET)
    summary("hello-world Textual app", baseline, "baseline: Textual's own start-up")
    overhead = statistics.median(cockpit) - statistics.median(baseline)
    print(f"{'rekt-tui beyond Textual (medians)':<34} {overhead:7.0f} ms")
    # Each launch beside the hello-world launch right after it: the ratio the budget is about.
    ratios = [took / plain for took, plain in zip(cockpit, baseline, strict=True)]
    print(f"{'rekt-tui ÷ hello-world, per run':<34} " + "  ".join(f"{ratio:.2f}×" for ratio in ratios))
    print(f"{'rekt-tui ÷ hello-world, medians':<34} {statistics.median(cockpit) / statistics.median(baseline):.2f}×")
    print(
        f"{'of which: import rekt_tui.tui.app':<34} {imported:7.0f} ms   "
        f"(median of 3; driftpy {'imported' if with_driftpy else 'not imported'}; "
        "docs/PERFORMANCE.md: import driftpy lazily, it costs about 850 ms)"
    )


if __name__ == "__main__":
    main()
