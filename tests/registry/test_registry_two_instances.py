"""Fault matrix R2: several processes write the registry; signing for one session is serialized.

Real processes, real SQLite, real flock: a second process (a CLI `stop` beside the
cockpit) can always read and write, and is only made to wait, with a sentence naming
the holder, when it wants to sign for the very session another process is signing for.
"""

import asyncio
import os
import signal
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from rekt_tui.domain.alerts import Alert, AlertKind, Severity
from rekt_tui.domain.loss_limit import LossLimitRule
from rekt_tui.domain.pubkey import b58encode
from rekt_tui.domain.records import (
    BalanceSnapshot,
    Direction,
    MarketType,
    OrderStatus,
    OrderType,
    TeardownStepStatus,
    TransactionStatus,
)
from rekt_tui.domain.session import SessionStatus
from rekt_tui.registry import Registry, SessionBusy
from rekt_tui.registry.brackets import BracketStatus

pytestmark = pytest.mark.slow

T0 = datetime(2025, 1, 1, tzinfo=UTC)
SIGNED = b58encode(bytes(range(1, 33)))
OTHER = b58encode(bytes(range(2, 34)))


def every_write(registry: Registry, pubkey: str) -> dict:
    """One call of each method that writes, keyed by name, in an order that lets each succeed."""
    return {
        "create_session": lambda: registry.create_session(pubkey="new", cluster="localnet", label="", key_backend="k"),
        "set_session_status": lambda: registry.set_session_status(pubkey, SessionStatus.ACTIVE),
        "update_session": lambda: registry.update_session(pubkey, label="x"),
        "add_balance_snapshot": lambda: registry.add_balance_snapshot(BalanceSnapshot(pubkey, T0, 1, 1, 1, 1, 1, 1, 1)),
        "upsert_markets": lambda: registry.upsert_markets([]),
        "add_order": lambda: registry.add_order(
            pubkey,
            user_order_id=1,
            market_type=MarketType.PERP,
            market_index=0,
            direction=Direction.LONG,
            order_type=OrderType.MARKET,
            base_amount=1,
        ),
        "update_order": lambda: registry.update_order(1, status=OrderStatus.OPEN),
        "add_pending_bracket": lambda: registry.add_pending_bracket(
            pubkey, 1, take_profit=2, stop_loss=None, entry_price=1
        ),
        "end_pending_bracket": lambda: registry.end_pending_bracket(1, BracketStatus.DONE, "x"),
        "record_transaction": lambda: registry.record_transaction(
            pubkey, kind="deposit", intent="{}", signature="s", raw_tx=b"\x01", last_valid_block_height=1
        ),
        "update_transaction": lambda: registry.update_transaction("s", status=TransactionStatus.SENT),
        "add_teardown_step": lambda: registry.add_teardown_step(pubkey, run_id="r", seq=0, step="withdraw"),
        "update_teardown_step": lambda: registry.update_teardown_step(1, status=TeardownStepStatus.DONE),
        "delete_key_pending_session": lambda: registry.delete_key_pending_session("new"),
        "add_records": lambda: registry.add_records(pubkey, [], cursor="s"),
        "observe_equity": lambda: registry.observe_equity(pubkey, 1, LossLimitRule(Decimal(1), None), T0),
        "lift_loss_limit": lambda: registry.lift_loss_limit(pubkey, T0),
        "record_alert": lambda: registry.record_alert(pubkey, Alert(AlertKind.FILL, Severity.INFO, "x"), T0),
        "claim_record_alert": lambda: registry.claim_record_alert(
            pubkey, Alert(AlertKind.LIQUIDATION, Severity.CRITICAL, "x", 1, ("s", 0)), T0
        ),
    }


def test_every_write_method_is_covered() -> None:
    """The list above is checked against the API, so a new write method cannot be missed."""
    readers = ("_", "get_", "list_", "latest_", "find_", "unresolved_")
    writes = {
        name
        for name in dir(Registry)
        if callable(getattr(Registry, name))
        and not name.startswith(readers)
        and name not in {"open", "close", "signing_lock"}
    }
    assert writes == set(every_write(None, "pk"))  # type: ignore[arg-type]


async def test_a_second_process_reads_and_writes_while_another_holds_the_registry(
    data_dir: Path, spawn_worker, worker_module, read_line
) -> None:
    holder = spawn_worker("hold", data_dir, SIGNED)
    assert read_line(holder) == f"SIGNING {holder.pid}"
    held = worker_module.HELD_SESSION

    async with await Registry.open(data_dir) as second:
        assert (second.read_only, second.read_only_reason) == (False, None)
        [session] = await second.list_sessions()  # what the other process committed, from its WAL
        assert (session.pubkey, session.status) == (held, SessionStatus.KEY_PENDING)
        for name, write in every_write(second, held).items():
            await write()  # each one commits despite the other process's open connection
        assert (await second.get_session(held)).label == "x"
        assert (await second.get_transaction("s")).status is TransactionStatus.SENT
    holder.stdin.write("done\n")
    holder.stdin.flush()
    assert read_line(holder) == "RELEASED"
    assert holder.wait(timeout=15) == 0


async def test_two_processes_writing_at_once_lose_nothing(
    data_dir: Path, spawn_worker, worker_module, read_line
) -> None:
    """BEGIN IMMEDIATE and the busy timeout make concurrent writers take turns, never fail."""
    async with await Registry.open(data_dir):
        pass  # create it once, so neither worker races the other to the schema
    writers = [spawn_worker("write", data_dir, round_) for round_ in (1, 2)]
    for writer in writers:
        assert read_line(writer) == "READY"
    acked = {1: -1, 2: -1}
    while min(acked.values()) < 5:
        for round_, writer in zip((1, 2), writers, strict=True):
            line = read_line(writer)
            assert line.startswith("ACK "), line
            acked[round_] = int(line.split()[1])
    for writer in writers:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=15)
    async with await Registry.open(data_dir) as registry:
        for round_, last in acked.items():
            for n in range(last + 1):
                assert all(await worker_module.calls_committed(registry, round_, n)), (round_, n)


async def test_signing_waits_then_names_the_holder_and_other_sessions_are_free(
    data_dir: Path, spawn_worker, read_line, one_sentence
) -> None:
    holder = spawn_worker("hold", data_dir, SIGNED)
    assert read_line(holder) == f"SIGNING {holder.pid}"

    async with await Registry.open(data_dir) as registry:
        started = time.monotonic()
        with pytest.raises(SessionBusy) as busy:
            async with registry.signing_lock(SIGNED, holder="rekt-tui order", wait_s=0.5):
                pytest.fail("two signers held one session")
        assert 0.5 <= time.monotonic() - started < 5
        text = one_sentence(busy.value)
        assert f"rekt-tui stop (pid {holder.pid}) is signing for session {SIGNED}" in text
        assert text.startswith("Nothing was signed")

        async with registry.signing_lock(OTHER, wait_s=0):
            pass  # another session's lock is not the held one

        # The kernel drops the lock with its holder: a killed signer never blocks the next.
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=15)
        async with registry.signing_lock(SIGNED, holder="rekt-tui stop", wait_s=5):
            lock_file = data_dir / "locks" / f"{SIGNED}.lock"
            assert lock_file.read_text() == f"{os.getpid()} rekt-tui stop\n"
            assert oct(lock_file.stat().st_mode & 0o777) == oct(0o600)


async def test_a_waiting_signer_gets_the_lock_as_soon_as_it_is_released(
    data_dir: Path, spawn_worker, read_line
) -> None:
    holder = spawn_worker("hold", data_dir, SIGNED)
    assert read_line(holder) == f"SIGNING {holder.pid}"
    async with await Registry.open(data_dir) as registry:
        holder.stdin.write("done\n")
        holder.stdin.flush()
        async with registry.signing_lock(SIGNED, wait_s=10):
            assert read_line(holder) == "RELEASED"


async def test_two_signers_in_one_process_exclude_each_other(data_dir: Path) -> None:
    """The cockpit's own order and its own teardown are two signers too."""
    holding, release = asyncio.Event(), asyncio.Event()

    async def teardown(registry: Registry) -> None:
        async with registry.signing_lock(SIGNED, holder="the rekt-tui cockpit"):
            async with registry.signing_lock(SIGNED, wait_s=0):
                pass  # re-entrant within its holder: each send inside a teardown takes it again
            holding.set()
            await release.wait()

    async def order(registry: Registry) -> None:
        async with registry.signing_lock(SIGNED, wait_s=0.2):
            pytest.fail("two signers held one session")

    async with await Registry.open(data_dir) as registry:
        held = asyncio.create_task(teardown(registry))
        await holding.wait()
        with pytest.raises(SessionBusy, match="the rekt-tui cockpit"):
            await asyncio.create_task(order(registry))  # another task of the same process
        release.set()
        await held
        async with registry.signing_lock(SIGNED, wait_s=0):
            pass


async def test_a_lock_name_cannot_leave_the_locks_folder(data_dir: Path, one_sentence) -> None:
    async with await Registry.open(data_dir) as registry:
        with pytest.raises(Exception) as refused:
            async with registry.signing_lock("../registry", wait_s=0):
                pass
        one_sentence(refused.value)
    assert not (data_dir / "registry.lock").exists()


async def test_a_send_signs_nothing_while_another_process_signs_for_the_session(
    data_dir: Path, spawn_worker, read_line, one_sentence
) -> None:
    """The wiring: TransactionSender.send takes the lock before it builds, signs or records anything."""
    from rekt_tui.drift.rpc import JsonRpc
    from rekt_tui.drift.sender import TransactionSender

    holder = spawn_worker("hold", data_dir, SIGNED)
    assert read_line(holder) == f"SIGNING {holder.pid}"
    built: list[str] = []
    async with await Registry.open(data_dir) as registry:
        registry.signing_wait_s = 0.3
        rpc = JsonRpc("http://127.0.0.1:9")  # never reached: the lock comes first
        try:
            with pytest.raises(SessionBusy) as busy:
                sending = TransactionSender(rpc, registry).send(SIGNED, kind="deposit", intent={}, build=built.append)
                await asyncio.wait_for(sending, timeout=10)
        finally:
            await rpc.close()
        assert f"pid {holder.pid}" in one_sentence(busy.value)
        assert built == [] and await registry.list_transactions(SIGNED) == []


async def test_a_wallet_being_created_in_another_process_is_not_settled_away(
    data_dir: Path, spawn_worker, read_line
) -> None:
    """Settling pending keys at launch must not delete the row another process is creating right now."""
    from rekt_tui.keystore import open_keystore
    from rekt_tui.services.wallets import WalletService

    keystore = open_keystore(choice="localnet-file", cluster="localnet", data_dir=data_dir)
    async with await Registry.open(data_dir) as registry:
        await registry.create_session(pubkey=SIGNED, cluster="localnet", label="", key_backend=keystore.backend_id)
        creator = spawn_worker("hold", data_dir, SIGNED)  # between its row and its key write
        assert read_line(creator) == f"SIGNING {creator.pid}"
        wallets = WalletService(registry, keystore, "localnet")
        assert await wallets.settle_pending_keys() == []
        assert (await registry.get_session(SIGNED)).status is SessionStatus.KEY_PENDING
        # Once its creator is gone (killed before writing the key), the row is settled as before.
        creator.send_signal(signal.SIGKILL)
        creator.wait(timeout=15)
        [outcome] = await wallets.settle_pending_keys()
        assert (outcome.pubkey, outcome.promoted) == (SIGNED, False)
        assert await registry.get_session(SIGNED) is None


async def test_a_lock_folder_that_cannot_be_made_is_one_sentence(data_dir: Path, one_sentence) -> None:
    async with await Registry.open(data_dir) as registry:
        (data_dir / "locks").write_text("a file where the folder should be")
        with pytest.raises(Exception) as refused:
            async with registry.signing_lock(SIGNED, wait_s=0):
                pytest.fail("locked without a lock file")
        assert str(data_dir) in one_sentence(refused.value)
