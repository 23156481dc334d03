"""B2, input and file-system hygiene, as a user meets it in the real command line."""

import json
import sqlite3
import stat
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def refused_json(result, code: int, fragment: str) -> dict:
    """Exit `code`, one sentence on stderr, and the same error as a JSON object on stdout."""
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err and fragment in result.err
    body = json.loads(result.out)
    assert body["exit_code"] == code and fragment in body["error"]
    return body


def test_an_empty_session_is_refused_not_the_only_active_one(cli):
    assert cli("wallet", "new").code == 0
    for args in (["status", "--json"], ["order", "SOL-PERP", "buy", "1", "--yes", "--json"]):
        refused_json(cli(*args[:1], "--session", "", *args[1:]), 2, "an empty address names no wallet")
    stop = cli("stop", "--yes", "--session", " ")
    assert stop.code == 2 and "an empty address names no wallet" in stop.err


def test_an_empty_data_dir_is_refused_and_the_current_directory_untouched(cli):
    cli.home.chmod(0o755)
    for args in (["--data-dir", ""], []):
        env = dict(cli.env, REKT_DATA_DIR="") if not args else cli.env
        command = [sys.executable, "-m", "rekt_tui", *args, "wallet", "new"]
        proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cli.home, timeout=60)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert "data" in proc.stderr and ("empty path" in proc.stderr or "must name a directory" in proc.stderr)
    assert sorted(p.name for p in cli.home.iterdir()) == []  # no registry, logs or keys here
    assert stat.S_IMODE(cli.home.stat().st_mode) == 0o755


def test_a_data_dir_under_home_in_the_config_file_is_expanded(cli):
    config = cli.home / "rekt.toml"
    config.write_text('data_dir = "~/rekt-data"\n')
    command = [sys.executable, "-m", "rekt_tui", "--config", str(config), "wallet", "new"]
    proc = subprocess.run(command, capture_output=True, text=True, env=cli.env, cwd=cli.home, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert (cli.home / "rekt-data" / "registry.sqlite3").is_file()
    assert not (cli.home / "~").exists()


def test_labels_with_escape_sequences_are_refused_and_never_printed_raw(cli):
    result = cli("wallet", "new", "--label", "\x1b[2J\x1b[Hfake row")
    assert result.code == 2 and "control characters (U+001B)" in result.err and "\x1b" not in result.err
    pubkey = cli("wallet", "new", "--label", "ok").out.strip()
    # A label that got in another way (an older version, an edited registry) is shown escaped.
    with sqlite3.connect(cli.data_dir / "registry.sqlite3") as db:
        db.execute("UPDATE sessions SET label = ? WHERE pubkey = ?", ("\x1b[2Jevil\nrow", pubkey))
    for args in (["wallet", "list"], ["wallet", "show", pubkey], ["sessions"]):
        shown = cli(*args)
        assert shown.code == 0 and "\x1b" not in shown.out + shown.err, args
        assert "\\x1b[2Jevil\\x0arow" in shown.out, args
    assert cli("sessions", "--json").json()[0]["label"] == "\x1b[2Jevil\nrow"  # JSON escapes it itself


def test_a_closed_pipe_ends_quietly(cli):
    for _ in range(3):
        assert cli("wallet", "new").code == 0
    command = [sys.executable, "-m", "rekt_tui", "--data-dir", str(cli.data_dir), "sessions"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli.env, cwd=cli.home)
    proc.stdout.close()  # `| head` that has already read its fill
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""


def test_json_commands_refuse_with_a_json_object(cli):
    refused_json(cli("--cluster", "mainnet", "sessions", "--json"), 2, "opt in with --mainnet")
    refused_json(cli("wallet", "show", "not-a-key", "--json"), 2, "not a valid session wallet address")
    body = refused_json(cli("status", "--json"), 1, "session wallet")
    assert set(body) == {"error", "exit_code"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--port", "0"], "port 0 is out of range"),
        (["--dlob-port", "70000"], "port 70000 is out of range"),
        (["--port", "abc"], "'abc' is not a port number"),
        (["--fault", "bogus"], "is not a fault"),
        (["--slot-ms", "0"], "--slot-ms 0"),
        (["--oracle-replay", "/nonexistent.csv"], "/nonexistent.csv"),
    ],
)
def test_bad_localnet_flags_exit_2(cli, args, fragment):
    result = cli("localnet", *args, timeout=30)
    assert result.code == 2, (result.code, result.err)
    assert fragment in result.err and "Traceback" not in result.err
