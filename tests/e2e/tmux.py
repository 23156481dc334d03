"""Drive the installed `rekt-tui` console script inside tmux, against its own data dir.

`Tmux` runs one program in a detached pane of a private tmux server (its own socket, so
a developer's tmux is never touched) and reads the screen back as text. `Cockpit` adds
what the tests need around it: an isolated data dir and settings file, the CLI for
checks from outside the TUI, the localnet's JSON-RPC, and a teardown that always stops
the TUI and the localnet daemon the cockpit starts by itself. A cockpit runs one venue:
Drift's program, or its relaunch ("velocity"), which the localnet then runs instead.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

from tests.localnet.conftest import free_port_pair

# Next to the interpreter running the tests: /tmp/venv locally, .venv in CI.
REKT_TUI = Path(sys.executable).parent / "rekt-tui"
REPO = Path(__file__).resolve().parents[2]
VENUES = ("drift", "velocity")
POLL_S = 0.2
# From 120 columns the dashboard lays its panels out three across.
WIDTH, HEIGHT = 120, 40
SPINNER = "[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]"  # the progress screen's mark for a running step

Needle = str | re.Pattern[str]


def _found(needle: Needle, screen: str) -> bool:
    return (
        needle.search(screen) is not None
        if isinstance(needle, re.Pattern)
        else needle in screen
    )


class Tmux:
    """One pane of a private tmux server, with a fixed size and no status line."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.socket = f"rekt-e2e-{uuid.uuid4().hex[:12]}"
        self.env = env
        self.workdir = workdir
        self.conf = workdir / "tmux.conf"
        # remain-on-exit keeps a finished pane readable, with its exit status; no status
        # line, so the program gets all 40 rows.
        options = ("remain-on-exit on", "status off", "default-terminal xterm-256color")
        self.conf.write_text("".join(f"set -g {option}\n" for option in options))
        self.target = "rekt"
        self.started = False

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            check=False,
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=15,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self, argv: list[str]) -> None:
        """Run `argv` in the pane (directly, no shell); a second call replaces a finished program."""
        if self.started:
            self.run("respawn-pane", "-k", "-t", self.target, "--", *argv)
        else:
            size = ("-x", str(WIDTH), "-y", str(HEIGHT))
            self.run("new-session", "-d", "-s", self.target, *size, "--", *argv)
            self.started = True
            self.socket_path = Path(self._pane("#{socket_path}"))

    def send(self, *keys: str) -> None:
        """tmux key names: "w", "Enter", "Escape", "C-x"."""
        self.run("send-keys", "-t", self.target, *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.target, "-l", text)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.target, check=False)

    def _pane(self, fmt: str) -> str:
        return self.run(
            "display-message", "-p", "-t", self.target, fmt, check=False
        ).strip()

    def pid(self) -> int | None:
        text = self._pane("#{pane_pid}")
        return int(text) if text.isdigit() else None

    def exit_status(self) -> str:
        """How the program ended ("0", "signal 9"), or "" while it runs.

        Not `pane_dead` alone: tmux marks the pane dead when the terminal closes, which
        can come before the process has exited and been reaped.
        """
        fmt = "#{?pane_dead_signal,signal #{pane_dead_signal},#{pane_dead_status}}"
        status = self._pane(f"#{{?pane_dead,{fmt},}}")
        if not status and self._pane("#{pane_dead}") == "1":
            # Closed but not reaped: tmux built with utempter can miss a SIGCHLD and
            # leave the program a zombie (tmux/tmux#311, #4559). A nudge makes it look.
            os.kill(int(self._pane("#{pid}")), signal.SIGCHLD)
        return status

    def wait_until(
        self, check: Callable[[], object], what: str, timeout: float = 30
    ) -> object:
        """Poll `check` until it returns something truthy; fail with the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout:.0f} s waiting for {what}; last screen:\n{self.screen()}"
                )
            time.sleep(POLL_S)

    def wait_for(self, *needles: Needle, timeout: float = 30) -> str:
        """Wait until every needle (text or regex) is on screen at once; returns that screen."""

        def shown() -> str | None:
            screen = self.screen()
            return screen if all(_found(n, screen) for n in needles) else None

        return self.wait_until(
            shown,
            " and ".join(repr(getattr(n, "pattern", n)) for n in needles),
            timeout,
        )

    def wait_gone(self, needle: Needle, timeout: float = 30) -> str:
        return self.wait_until(
            lambda: (s := self.screen()) and not _found(needle, s) and s,
            f"{needle!r} to go",
            timeout,
        )

    def kill_server(self) -> None:
        self.run("kill-server", check=False)
        if self.started:  # tmux leaves its socket file behind
            self.socket_path.unlink(missing_ok=True)


def child_env(root: Path) -> dict[str, str]:
    """The developer's environment minus anything that would reach their settings or keyring.

    PYTHONPATH is this checkout alone: the installed console script runs the code under test
    (the same package an install from this checkout holds), whichever checkout it was installed from.
    """
    dropped = {
        "DBUS_SESSION_BUS_ADDRESS",
        "TMUX",
        "TMUX_PANE",
        "XDG_CONFIG_HOME",
        # The test runner's terminal size (set by some runners and CI): Textual would take it
        # over the pane's own and draw at the wrong size.
        "COLUMNS",
        "LINES",
    }
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("REKT_") and k not in dropped
    }
    env.update(
        TERM="xterm-256color",
        XDG_CONFIG_HOME=str(root / "xdg-config"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=str(REPO),
    )
    return env


class Cockpit:
    """`rekt-tui` in tmux for one test: its own data dir, settings, localnet ports and venue."""

    def __init__(self, root: Path, venue: str = "drift") -> None:
        self.root = root
        self.venue = venue
        self.data_dir = root / "data"
        rpc_port, dlob_port = free_port_pair(), free_port_pair()
        # A settings file of our own: free ports so parallel runs (or a developer's localnet
        # on 8899) are never shared, and the localnet key file so no OS keyring is touched.
        self.config = root / "config.toml"
        self.config.write_text(
            'keystore_backend = "localnet-file"\n'
            "[clusters.localnet]\n"
            f'rpc_url = "http://127.0.0.1:{rpc_port}"\n'
            f'ws_url = "ws://127.0.0.1:{rpc_port + 1}"\n'
            f'dlob_url = "http://127.0.0.1:{dlob_port}"\n'
            f'dlob_ws_url = "ws://127.0.0.1:{dlob_port}/ws"\n'
            f'venue = "{venue}"\n'
        )
        self.env = child_env(root)
        self.tmux = Tmux(root, self.env)

    def argv(self, *args: str) -> list[str]:
        return [
            str(REKT_TUI),
            "--config",
            str(self.config),
            "--data-dir",
            str(self.data_dir),
            *args,
        ]

    def launch(self) -> None:
        self.tmux.start(self.argv())

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """The CLI beside the running TUI: it opens the registry read-only, which suffices to read."""
        return subprocess.run(
            self.argv(*args),
            check=False,
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def cli_json(self, *args: str, ok_codes: tuple[int, ...] = (0,)):
        done = self.cli(*args, "--json")
        assert done.returncode in ok_codes, (
            f"rekt-tui {' '.join(args)} exited {done.returncode}: {done.stderr}"
        )
        return json.loads(done.stdout)

    def rpc(self, method: str, *params):
        """The localnet's JSON-RPC, at the port its daemon recorded for this data dir."""
        state = json.loads((self.data_dir / "localnet" / "daemon.json").read_text())
        body = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{state['rpc_port']}",
            body,
            {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        assert "error" not in answer, answer
        return answer["result"]

    @property
    def name(self) -> str:
        """A pattern for the venue's name on screen: the relaunch may still read as Drift there."""
        return "Drift" if self.venue == "drift" else "(?:Drift|Velocity)"

    def shows(self, text: str) -> re.Pattern[str]:
        """`text` with `{venue}` standing for the venue's name, as a needle."""
        return re.compile(re.escape(text).replace(re.escape("{venue}"), self.name))

    def wallet_usdc(self, owner: str) -> float:
        """The wallet's quote tokens (USDC on Drift, the relaunch's USDT), in whole units."""
        from rekt_localnet.keys import USDC_MINT
        from rekt_localnet.programs.velocity.markets import QUOTE_MINT

        accounts = self.rpc(
            "getTokenAccountsByOwner",
            owner,
            {"mint": str(USDC_MINT if self.venue == "drift" else QUOTE_MINT)},
            {"encoding": "jsonParsed"},
        )
        return sum(
            a["account"]["data"]["parsed"]["info"]["tokenAmount"]["uiAmount"]
            for a in accounts["value"]
        )

    def only_session(self) -> dict:
        sessions = self.cli_json("sessions", "--all")
        assert len(sessions) == 1, sessions
        return sessions[0]

    def tui_pid(self) -> int:
        """The pane runs the console script itself (no shell), so its pid is the TUI's."""
        pid = self.tmux.pid()
        assert pid is not None, "no pane"
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert any(part.endswith(b"rekt-tui") for part in cmdline), cmdline
        return pid

    def quit(self) -> None:
        """`q` with nothing exposed: the program exits 0 at once, without asking."""
        tmux = self.tmux
        tmux.send("q")
        tmux.wait_until(
            lambda: tmux.exit_status() or "Quit anyway?" in tmux.screen(), "quit"
        )
        assert not _found("Quit anyway?", tmux.screen()), (
            f"quit asked although nothing is exposed:\n{tmux.screen()}"
        )
        status = tmux.wait_until(tmux.exit_status, "the TUI to exit")
        assert status == "0", f"rekt-tui ended with {status}:\n{tmux.screen()}"

    def quit_is_refused(self, *exposed: Needle) -> None:
        """`q` with something exposed: the quit guard asks, naming `exposed`; `n` keeps the cockpit running."""
        tmux = self.tmux
        tmux.send("q")
        tmux.wait_for("Quit with positions or orders open?", "Quit anyway?", *exposed)
        assert not tmux.exit_status(), "the cockpit quit before it was answered"
        tmux.send("n")
        tmux.wait_gone("Quit anyway?")
        assert not tmux.exit_status(), f"the cockpit quit on a no:\n{tmux.screen()}"

    def close(self) -> None:
        """Stop the TUI and the localnet daemon, whatever state the test left them in."""
        pid = self.tmux.pid() if self.tmux.started else None
        self.tmux.kill_server()
        if pid is not None:
            _end(pid)
        self.cli("localnet", "stop", timeout=30)


def _end(pid: int, grace_s: float = 5) -> None:
    """Give the TUI `grace_s` to leave after tmux hung up on it, then SIGKILL it."""
    deadline = time.monotonic() + grace_s
    while _is_rekt_tui(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.1)


def _is_rekt_tui(pid: int) -> bool:
    """Alive and still our program (checked by its command line, so a reused pid is left alone)."""
    try:
        return b"rekt-tui" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def press_until_gone(tmux: Tmux, key: str, needle: Needle, timeout: float = 30) -> None:
    """Press `key` again every second until `needle` has left the screen."""
    deadline = time.monotonic() + timeout
    while True:
        tmux.send(key)
        try:
            tmux.wait_gone(needle, timeout=1)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


# The journey both tests share, as a new user makes it. Each key is sent only once the
# screen shows it applies, since a key pressed while its action is hidden does nothing.


def start_trading(cockpit: Cockpit) -> str:
    """From an empty data dir to "Start trading confirmed"; returns the session wallet's pubkey."""
    tmux = cockpit.tmux
    cockpit.launch()
    tmux.wait_for("Ready on localnet: 0 session")  # the activity panel may wrap before "wallets"
    tmux.send("w")
    tmux.wait_for("+ New session wallet")
    tmux.send("n")
    # Creating the wallet links it, which starts the localnet daemon (up to 30 s).
    tmux.wait_for("not funded yet", timeout=60)
    pubkey = cockpit.only_session()["pubkey"]
    tmux.wait_for(pubkey)
    tmux.send("a")
    tmux.wait_for("Balance 1.0000 SOL  ✓ funded")

    tmux.send("c")
    uninitialized = cockpit.shows("○ {venue} account initialized  [i]")
    tmux.wait_for("Start-trading checklist", uninitialized)
    tmux.send("u")
    tmux.wait_until(
        lambda: cockpit.wallet_usdc(pubkey) >= 1000, "1,000 USDC in the wallet"
    )
    # The airdrop step may still be finishing, and a step key is ignored while another
    # step runs; its end shows nothing on this screen, so press until the step starts.
    press_until_gone(tmux, "i", uninitialized)
    tmux.wait_for(
        cockpit.shows("✓ {venue} account initialized"), "✓ Referrer verified", "d Deposit collateral"
    )
    tmux.send("d")  # the form's defaults: 100 of the quote
    tmux.wait_for(cockpit.shows("{venue} holds $100.00 of collateral"), "t Choose strategy")
    tmux.send("t")  # the default: balanced
    tmux.wait_for("✓ Strategy chosen", cockpit.shows("g Start trading on {venue}"))
    tmux.send("g")
    tmux.wait_for(cockpit.shows("Start trading on {venue} with the balanced strategy"), "y confirms")
    tmux.send("y")
    tmux.wait_for("✓ Start trading confirmed")
    assert cockpit.only_session()["status"] == "active"
    return pubkey


def buy(cockpit: Cockpit, size: str = "0.1") -> None:
    """Back to the dashboard, a market buy through order entry and its confirmation, then the position."""
    tmux = cockpit.tmux
    # After escape, wait for its effect before the next key: escape then a letter in
    # quick succession reads as alt+letter.
    tmux.send("Escape")
    tmux.wait_gone("Start-trading checklist")
    tmux.send("Escape")
    tmux.wait_gone("+ New session wallet")  # session setup has closed
    tmux.wait_for("Positions", "No open positions.")  # the account feed is live
    tmux.send("b")
    tmux.wait_for("Buy order", "Type a size to see the preview.")
    tmux.type(size)
    tmux.wait_for(f"Market buy {size} SOL (SOL-PERP)", "Liquidation price after")
    tmux.send("Enter")
    tmux.wait_for("Sign and send this order?", "y confirms")
    tmux.send("y")
    tmux.wait_for(re.compile(rf"SOL-PERP\s+long\s+{re.escape(size)} SOL"))
    tmux.wait_gone("Buy order")


def stop_question(pubkey: str) -> tuple[str, ...]:
    """What the stop-and-withdraw confirmation shows; the question wraps before the pubkey."""
    return ("Stop and withdraw", f"{pubkey}?", "y confirms")


def close_progress(cockpit: Cockpit) -> None:
    """One Escape closes the stop-and-withdraw progress screen (once an archived run's result
    is read), and it stays closed: nothing the run's end does brings it back."""
    tmux = cockpit.tmux
    tmux.wait_gone("Reading the session's result from the chain")
    tmux.send("Escape")
    tmux.wait_gone("escape closes")  # the progress screen's subtitle, while it runs and once it ended
    time.sleep(1.0)
    screen = tmux.screen()
    assert not _found("escape closes", screen), f"the progress screen came back:\n{screen}"


def assert_archived_with_nothing_on_chain(cockpit: Cockpit, pubkey: str) -> None:
    """From outside the TUI: the registry archived the session; the chain holds nothing."""
    session = cockpit.only_session()
    assert (session["pubkey"], session["status"]) == (pubkey, "archived"), session
    # `recover` reads every session back from the chain; exit 0: nothing to recover.
    (item,) = cockpit.cli_json("recover")
    assert item["needs_recovery"] is False, item
    holds = item["holds"]
    held = ("collateral_quote", "positions", "open_orders", "unsettled_pnl_quote")
    assert [holds[key] for key in held] == [0, 0, 0, 0], holds
    assert holds["borrowed"] is False, holds
    # The collateral is back in the wallet: the 1,000 USDC airdropped, less fees and PnL.
    assert cockpit.wallet_usdc(pubkey) > 990


def assert_drift_account_empty(cockpit: Cockpit, pubkey: str) -> None:
    """`status` reads the Drift account itself; it needs the registry, so the TUI must be closed."""
    status = cockpit.cli_json("status", "--session", pubkey)
    assert status["session"]["status"] == "archived", status["session"]
    assert (status["positions"], status["orders"]) == ([], []), status
    assert status["account"]["total_collateral"] == 0, status["account"]
