"""No private key appears in output, logs or the registry — only in the keystore and an export."""

import json

import pytest
from solders.keypair import Keypair

pytestmark = pytest.mark.slow


def secret_forms(keypair: Keypair) -> list[bytes]:
    secret = bytes(keypair)
    return [
        str(keypair).encode(),  # base58 of the 64 bytes
        json.dumps(list(secret)).encode(),
        json.dumps(list(secret), separators=(",", ":")).encode(),
        secret[:32],
        secret[:32].hex().encode(),
    ]


def test_secret_never_leaves_the_keystore(cli, tmp_path):
    env = dict(cli.env, REKT_LOG_LEVEL="DEBUG")
    outputs = []

    def run(*args, stdin=""):
        result = cli(*args, stdin=stdin, env=env)
        outputs.append((result.out + result.err).encode())
        return result

    created = run("wallet", "new", "--label", "leak-check")
    assert created.code == 0, created.err
    pubkey = created.out.strip()
    run("wallet", "list")
    run("wallet", "show", pubkey, "--json")
    run("sessions", "--json")
    run("wallet", "export", pubkey, str(tmp_path / "refused.json"), stdin="no\n")
    export = tmp_path / "exported.json"
    assert run("wallet", "export", pubkey, str(export), stdin="EXPORT\n").code == 0
    run("wallet", "import", str(export))  # refused as a duplicate: its message must not echo the file

    keypair = Keypair.from_bytes(bytes(json.loads(export.read_text())))
    assert str(keypair.pubkey()) == pubkey
    keystore_file = cli.data_dir / "localnet-test-keys.json"
    scanned = [path for path in cli.data_dir.rglob("*") if path.is_file() and path != keystore_file]
    assert any(path.name == "registry.sqlite3" for path in scanned)
    assert any(path.suffix == ".log" for path in scanned)
    haystacks = outputs + [path.read_bytes() for path in scanned]
    for form in secret_forms(keypair):
        for haystack in haystacks:
            assert form not in haystack
