"""T8: the CLI's last-resort handler against a real registry file.

The registry is where every transaction is written before it is sent, so these tests
write rows as the sender does and check what the handler says about a failure that
came after them: each signature and its outcome, exit 4, and "nothing was signed" only
when no row proves otherwise.
"""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from rekt_tui.cli.failure import Run, report
from rekt_tui.config import load_settings
from rekt_tui.domain.errors import AfterSigning, RektError
from rekt_tui.domain.pubkey import b58encode
from rekt_tui.domain.records import TransactionStatus
from rekt_tui.registry import REGISTRY_FILENAME, Registry, RegistryDiskFull

SESSION = b58encode((1).to_bytes(32, "big"))
OTHER = b58encode((2).to_bytes(32, "big"))


def signature(n: int) -> str:
    return b58encode(n.to_bytes(64, "big"))


async def _write(data_dir, rows):
    async with await Registry.open(data_dir) as registry:
        for pubkey in (SESSION, OTHER):
            if await registry.get_session(pubkey) is None:
                await registry.create_session(pubkey=pubkey, cluster="localnet", label="", key_backend="test")
        for pubkey, n, kind, status, extra in rows:
            await registry.record_transaction(
                pubkey, kind=kind, intent="{}", signature=signature(n), raw_tx=b"\x01", last_valid_block_height=9
            )
            if status is not TransactionStatus.PENDING:
                await registry.update_transaction(signature(n), status=status, **extra)


def write(data_dir, *rows):
    asyncio.run(_write(data_dir, rows))


@pytest.fixture
def run(tmp_path):
    settings = load_settings(environ={"HOME": str(tmp_path)}, flags={"data_dir": tmp_path / "data"})
    write(settings.data_dir, (SESSION, 1, "deposit", TransactionStatus.CONFIRMED, {}))  # before the command
    return Run(started=datetime.now(UTC), settings=settings, may_sign=True)


def test_a_bug_after_an_order_landed_names_it_and_exits_4(run, capsys):
    write(run.settings.data_dir, (SESSION, 2, "place_order", TransactionStatus.CONFIRMED, {}))
    assert report(run, RuntimeError("429 Too Many Requests")) == 4
    err = capsys.readouterr().err
    assert "unexpected internal error" in err and f"{signature(2)}  place_order  landed" in err
    assert "rekt-tui recover" in err and "nothing was signed" not in err
    assert signature(1) not in err  # signed before this command started


def test_a_full_disk_after_landing_drops_its_nothing_changed_claim(run, capsys):
    write(run.settings.data_dir, (SESSION, 2, "place_order", TransactionStatus.SENT, {}),
          (SESSION, 3, "place_order", TransactionStatus.CONFIRMED, {}))  # fmt: skip
    assert report(run, RegistryDiskFull(run.settings.data_dir / REGISTRY_FILENAME)) == 4
    err = capsys.readouterr().err
    assert "nothing was changed" not in err and "disk" in err
    assert f"{signature(2)}  place_order  sent, outcome unknown" in err and f"{signature(3)}  place_order  landed" in err


def test_ctrl_c_after_signing_is_not_just_interrupted(run, capsys):
    write(run.settings.data_dir, (SESSION, 2, "place_order", TransactionStatus.PENDING, {}))
    assert report(run, KeyboardInterrupt()) == 4
    err = capsys.readouterr().err
    assert err.startswith("rekt-tui: interrupted, after this command signed 1 transaction:")
    assert f"{signature(2)}  place_order  signed, maybe sent, outcome unknown" in err


def test_nothing_was_signed_only_when_the_registry_shows_nothing_since_the_start(run, capsys):
    assert report(run, KeyboardInterrupt()) == 130
    assert capsys.readouterr().err == "rekt-tui: interrupted; nothing was signed.\n"
    assert report(run, RektError("Order not placed.")) == 1
    assert capsys.readouterr().err == "rekt-tui: Order not placed.\n"


def test_a_bug_with_nothing_signed_says_so(run, capsys):
    assert report(run, RuntimeError("bug")) == 70
    err = capsys.readouterr().err
    assert err.startswith("rekt-tui: unexpected internal error (details in ") and err.endswith("; nothing was signed.\n")


def test_an_unreadable_registry_proves_nothing(run, capsys):
    (run.settings.data_dir / REGISTRY_FILENAME).write_bytes(b"not a database" * 100)
    assert report(run, RuntimeError("bug")) == 70
    err = capsys.readouterr().err
    assert "nothing was signed" not in err and "could not be read" in err and "rekt-tui recover" in err


def test_a_transaction_that_failed_on_chain_keeps_its_own_sentence(run, capsys):
    failed = {"error_code": 6003, "error_name": "InsufficientCollateral"}
    write(run.settings.data_dir, (SESSION, 2, "place_order", TransactionStatus.FAILED, failed))
    assert report(run, RektError(f"Transaction {signature(2)[:8]}… landed with an error.")) == 1
    assert "landed with an error." in capsys.readouterr().err
    assert report(run, RuntimeError("bug")) == 4  # a bug still names it
    assert "landed with an error (InsufficientCollateral), no effect" in capsys.readouterr().err


def test_only_the_commands_session_counts_when_it_named_one(run, capsys):
    write(run.settings.data_dir, (OTHER, 2, "place_order", TransactionStatus.CONFIRMED, {}))
    run.sessions = [SESSION]
    assert report(run, KeyboardInterrupt()) == 130
    run.sessions = None
    assert report(run, KeyboardInterrupt()) == 4
    assert signature(2) in capsys.readouterr().err


def test_after_signing_raised_by_a_service_lists_its_signatures_and_their_outcomes(run, capsys):
    write(run.settings.data_dir, (SESSION, 2, "withdraw", TransactionStatus.CONFIRMED, {}))
    run.started = datetime.now(UTC) + timedelta(seconds=5)  # the row predates the "start"
    error = AfterSigning("The withdrawal landed but its record could not be written.", (signature(2), signature(9)))
    assert report(run, error) == 4
    err = capsys.readouterr().err
    assert f"{signature(2)}  withdraw  landed" in err and f"{signature(9)}  unknown  outcome unknown" in err


def test_json_errors_are_an_object_on_stdout(run, capsys):
    run.json = True
    assert report(run, RektError("No session wallet is active.")) == 1
    assert json.loads(capsys.readouterr().out) == {"error": "No session wallet is active.", "exit_code": 1}
    write(run.settings.data_dir, (SESSION, 2, "place_order", TransactionStatus.CONFIRMED, {}))
    assert report(run, RuntimeError("bug")) == 4
    body = json.loads(capsys.readouterr().out)
    assert body["exit_code"] == 4 and "after this command signed 1 transaction" in body["error"]
    assert body["signed"] == [
        {"signature": signature(2), "kind": "place_order", "status": "confirmed", "outcome": "landed"}
    ]
