"""The real command line, end to end in subprocesses, each with its own data dir."""

import json
import stat

import pytest

from tests.conftest import isolated_env

pytestmark = pytest.mark.slow


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_line_error(result, code: int) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("rekt-tui: ")
    return lines[0]


def test_version_and_help(cli):
    assert cli("--version").out.startswith("rekt-tui ")
    helped = cli("--help")
    assert helped.code == 0
    for command in ("wallet", "sessions", "--cluster", "--mainnet", "--data-dir", "--config"):
        assert command in helped.out


def test_wallet_lifecycle_from_the_shell(cli):
    created = cli("wallet", "new", "--label", "scalps")
    assert created.code == 0, created.err
    pubkey = created.out.strip()
    assert "localnet test keys (not secure)" in created.err

    listed = cli("wallet", "list", "--json").json()
    assert [(w["pubkey"], w["status"], w["key_present"], w["label"]) for w in listed] == [
        (pubkey, "active", True, "scalps")
    ]
    shown = cli("wallet", "show", pubkey)
    assert shown.code == 0
    assert "not initialized" in shown.out and pubkey in shown.out and "explorer" in shown.out

    sessions = cli("sessions", "--json").json()
    assert [(s["pubkey"], s["cluster"], s["status"]) for s in sessions] == [(pubkey, "localnet", "active")]
    assert pubkey in cli("sessions").out


def test_private_files_and_dirs(cli):
    assert cli("wallet", "new").code == 0
    assert mode(cli.data_dir) == 0o700
    for name in ("registry.sqlite3", "localnet-test-keys.json", "logs/rekt-tui.log"):
        assert mode(cli.data_dir / name) == 0o600, name


def test_export_needs_typed_confirmation_and_import_round_trips(cli, tmp_path):
    pubkey = cli("wallet", "new").out.strip()
    key_file = tmp_path / "key.json"

    refused = cli("wallet", "export", pubkey, str(key_file), stdin="yes\n")
    assert "Export cancelled; nothing was written." in one_line_error_tail(refused)
    assert not key_file.exists()

    exported = cli("wallet", "export", pubkey, str(key_file), stdin="EXPORT\n")
    assert exported.code == 0, exported.err
    assert mode(key_file) == 0o600
    assert len(json.loads(key_file.read_text())) == 64

    again = cli("wallet", "export", pubkey, str(key_file), stdin="EXPORT\n")
    assert again.code == 1 and "already exists" in again.err

    other = cli.__class__(cli.home, tmp_path / "other-data", cli.env)
    imported = other("wallet", "import", str(key_file))
    assert imported.code == 0, imported.err
    assert imported.out.strip() == pubkey
    assert other("wallet", "list", "--json").json()[0]["key_present"] is True

    duplicate = other("wallet", "import", str(key_file))
    assert duplicate.code != 0 and pubkey in duplicate.err and "Traceback" not in duplicate.err


def one_line_error_tail(result) -> str:
    """Export prints its warning and prompt first; the refusal is the last line."""
    assert result.code == 1 and "Traceback" not in result.err
    return result.err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["wallet", "show", "not-a-key"], "is not a valid session wallet address"),
        (["--cluster", "mainnet", "sessions"], "opt in with --mainnet"),
        (["--mainnet", "--cluster", "devnet", "sessions"], "--mainnet conflicts with --cluster devnet"),
        (["wallet", "import", "/nonexistent/key.json"], "/nonexistent/key.json"),
        (["order", "SOL", "buy", "1", "--expire", "0"], "order: argument --expire: expiry must be a positive"),
        (["cancel", "abc"], "see `rekt-tui cancel --help`"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(cli, args, fragment):
    assert fragment in one_line_error(cli(*args), 2)


def test_unknown_wallet_is_refused(cli):
    line = one_line_error(cli("wallet", "show", "dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH"), 1)
    assert "No session wallet" in line


def test_bad_config_names_file_key_and_writes_nothing(cli, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[strategies.balanced]\nmax_leverage = -3\n")
    line = one_line_error(cli("--config", str(config), "sessions"), 2)
    assert str(config) in line and "strategies.balanced.max_leverage" in line
    assert not cli.data_dir.exists()


def test_bad_environment_value_names_the_variable(cli):
    env = dict(cli.env, REKT_UI__STALE_AFTER_S="0")
    line = one_line_error(cli("sessions", env=env), 2)
    assert "environment variable REKT_UI__STALE_AFTER_S" in line


def test_no_secure_keyring_off_localnet_refuses_and_creates_nothing(cli):
    env = isolated_env(cli.home)  # keystore "auto": no desktop keyring in this environment
    result = cli("--cluster", "devnet", "wallet", "new", env=env)
    assert result.code == 3, result.err
    assert "Traceback" not in result.err
    assert "gnome-keyring-daemon" in result.err and "cryptfile" in result.err
    assert cli("sessions", "--json", env=env).json() == []
    assert not (cli.data_dir / "localnet-test-keys.json").exists()


def test_localnet_keys_are_refused_on_other_clusters(cli):
    env = dict(cli.env)  # REKT_KEYSTORE_BACKEND=localnet-file
    result = cli("--cluster", "devnet", "wallet", "new", env=env)
    assert result.code == 3 and "localnet" in result.err
    assert cli("sessions", "--json").json() == []


@pytest.mark.parametrize("existing", [0o755, 0o1777])
def test_an_existing_data_dir_keeps_its_mode_and_an_open_one_is_warned_about(cli, existing):
    cli.data_dir.mkdir()
    cli.data_dir.chmod(existing)
    result = cli("sessions")
    assert result.code == 0, result.err
    assert mode(cli.data_dir) == existing  # a sticky 1777 directory keeps its sticky bit
    assert f"is open to other users (mode {existing:04o})" in result.err and "chmod 700" in result.err
