"""Fault matrix R2: while another process is the writer, this one is read-only and says why."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

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
from rekt_tui.registry import Registry, RegistryReadOnly

pytestmark = pytest.mark.slow

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def every_write(registry: Registry, pubkey: str) -> dict:
    """One call of each method that writes, keyed by name."""
    return {
        "create_session": lambda: registry.create_session(pubkey="new", cluster="localnet", label="", key_backend="k"),
        "set_session_status": lambda: registry.set_session_status(pubkey, SessionStatus.ACTIVE),
        "update_session": lambda: registry.update_session(pubkey, label="x"),
        "delete_key_pending_session": lambda: registry.delete_key_pending_session(pubkey),
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
        "record_transaction": lambda: registry.record_transaction(
            pubkey, kind="deposit", intent="{}", signature="s", raw_tx=b"\x01", last_valid_block_height=1
        ),
        "update_transaction": lambda: registry.update_transaction("s", status=TransactionStatus.SENT),
        "add_teardown_step": lambda: registry.add_teardown_step(pubkey, run_id="r", seq=0, step="withdraw"),
        "update_teardown_step": lambda: registry.update_teardown_step(1, status=TeardownStepStatus.DONE),
    }


def test_every_write_method_is_covered() -> None:
    """The list above is checked against the API, so a new write method cannot be missed."""
    readers = ("_", "get_", "list_", "latest_", "find_", "unresolved_")
    writes = {
        name
        for name in dir(Registry)
        if callable(getattr(Registry, name)) and not name.startswith(readers) and name not in {"open", "close"}
    }
    assert writes == set(every_write(None, "pk"))  # type: ignore[arg-type]


async def test_second_process_is_read_only_until_the_writer_closes(
    data_dir: Path, spawn_worker, worker_module, read_line, one_sentence
) -> None:
    writer = spawn_worker("hold", data_dir)
    first_line = read_line(writer)
    assert first_line == f"WRITER {writer.pid}"
    held = worker_module.HELD_SESSION

    async with await Registry.open(data_dir) as second:
        assert second.read_only
        assert second.read_only_reason == (
            f"another rekt-tui (pid {writer.pid}) is running; this one opened the registry read-only"
        )
        for name, write in every_write(second, held).items():
            with pytest.raises(RegistryReadOnly) as refused:
                await write()
            text = one_sentence(refused.value)
            assert f"pid {writer.pid}" in text and "close the other rekt-tui" in text, name
        # Reads see what the live writer committed, straight from its WAL.
        [session] = await second.list_sessions()
        assert (session.pubkey, session.status) == (held, SessionStatus.KEY_PENDING)

        writer.stdin.write("close\n")
        writer.stdin.flush()
        assert read_line(writer) == "CLOSED"
        assert writer.wait(timeout=15) == 0
        assert second.read_only  # a registry stays what it was opened as

    async with await Registry.open(data_dir) as third:
        assert (third.read_only, third.read_only_reason) == (False, None)
        promoted = await third.set_session_status(held, SessionStatus.ACTIVE)
        assert promoted.status is SessionStatus.ACTIVE
        assert (data_dir / "registry.lock").read_text().strip() == str(os.getpid())
