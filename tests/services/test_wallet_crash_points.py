"""K2: a kill between `key_pending`, the keyring write and `active` never loses a key.

The real CLI is killed at exact points of `wallet new`; the next launch must promote a
verified key or remove a row whose key never arrived — and at no moment may a key exist
without a registry row.
"""

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CRASH_AT = Path(__file__).with_name("crash_at.py")


def run_crashing(cli, qualname: str, event: str) -> int:
    command = [sys.executable, str(CRASH_AT), qualname, event, "--", "--data-dir", str(cli.data_dir), "wallet", "new"]
    return subprocess.run(command, env=cli.env, capture_output=True, text=True, timeout=60).returncode


def rows(data_dir: Path) -> dict[str, str]:
    db = sqlite3.connect(f"file:{data_dir / 'registry.sqlite3'}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT pubkey, status FROM sessions"))
    finally:
        db.close()


def stored_keys(data_dir: Path) -> set[str]:
    path = data_dir / "localnet-test-keys.json"
    return set(json.loads(path.read_text())) - {"session-pubkeys"} if path.exists() else set()  # less the index


@pytest.mark.parametrize(
    ("qualname", "event", "status_at_crash", "key_at_crash", "after_relaunch"),
    [
        ("Keystore.store", "call", "key_pending", False, None),  # row written, key not yet
        ("Keystore.store", "return", "key_pending", True, "active"),  # key written and verified, not promoted
        ("note", "call", "active", True, "active"),  # promoted, address not yet printed
    ],
)
def test_kill_during_wallet_creation_converges(cli, qualname, event, status_at_crash, key_at_crash, after_relaunch):
    assert run_crashing(cli, qualname, event) == -signal.SIGKILL

    at_crash = rows(cli.data_dir)
    assert list(at_crash.values()) == [status_at_crash]
    (pubkey,) = at_crash
    assert (pubkey in stored_keys(cli.data_dir)) is key_at_crash
    assert stored_keys(cli.data_dir) <= set(at_crash), "a key without a registry row"

    listed = cli("wallet", "list", "--json")
    assert listed.code == 0, listed.err
    wallets = {w["pubkey"]: (w["status"], w["key_present"]) for w in listed.json()}
    if after_relaunch is None:
        assert wallets == {} and rows(cli.data_dir) == {} and stored_keys(cli.data_dir) == set()
    else:
        assert wallets == {pubkey: (after_relaunch, True)}
