"""Transactions and teardown steps: persisted intent, outcomes, rebuilds and foreign keys."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from rekt_tui.domain.records import TeardownStepStatus, TransactionStatus
from rekt_tui.registry import (
    InvalidStatusTransition,
    RecordNotFound,
    Registry,
    SessionNotFound,
    TransactionNotFound,
)

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
RAW = bytes(range(256)) * 5  # every byte value, including NUL


@pytest.fixture
async def pubkey(registry: Registry, new_pubkey) -> str:
    key = new_pubkey()
    await registry.create_session(pubkey=key, cluster="localnet", label="", key_backend="localnet-file")
    return key


async def record(registry: Registry, pubkey: str, signature: str, **extra):
    return await registry.record_transaction(
        pubkey,
        kind=extra.pop("kind", "withdraw"),
        intent=json.dumps({"market_index": 0, "amount": 2**62}),
        signature=signature,
        raw_tx=RAW,
        last_valid_block_height=2**40,
        **extra,
    )


async def test_recorded_transaction_round_trips_as_pending(registry: Registry, pubkey: str) -> None:
    recorded = await record(registry, pubkey, "sig-a")

    assert recorded.status is TransactionStatus.PENDING
    assert (recorded.raw_tx, recorded.last_valid_block_height, recorded.retry_count) == (RAW, 2**40, 0)
    assert json.loads(recorded.intent) == {"market_index": 0, "amount": 2**62}
    assert (recorded.sent_at, recorded.confirmed_at, recorded.slot, recorded.rebuild_of) == (None, None, None, None)
    assert await registry.get_transaction("sig-a") == recorded
    assert await registry.get_transaction("sig-unknown") is None
    assert "raw_tx" not in repr(recorded)  # signed bytes stay out of logs


async def test_update_transaction_sets_only_what_is_passed(registry: Registry, pubkey: str) -> None:
    await record(registry, pubkey, "sig-a")
    sent = await registry.update_transaction("sig-a", status=TransactionStatus.SENT, sent_at=T0, retry_count=3)
    failed = await registry.update_transaction(
        "sig-a",
        status=TransactionStatus.FAILED,
        error_type="landed",
        error_code=6003,
        error_name="InsufficientCollateral",
        message="Insufficient collateral",
        slot=2**50,
        confirmed_at=T0 + timedelta(seconds=2),
    )

    assert (sent.status, sent.sent_at, sent.retry_count, sent.error_code) == (TransactionStatus.SENT, T0, 3, None)
    assert (failed.sent_at, failed.retry_count, failed.raw_tx) == (T0, 3, RAW)
    assert (failed.error_type, failed.error_code, failed.error_name, failed.message, failed.slot) == (
        "landed",
        6003,
        "InsufficientCollateral",
        "Insufficient collateral",
        2**50,
    )
    assert failed.confirmed_at == T0 + timedelta(seconds=2)


@pytest.mark.parametrize(
    ("walk", "refused"),
    [
        ([TransactionStatus.SENT], TransactionStatus.PENDING),
        ([TransactionStatus.CONFIRMED], TransactionStatus.FAILED),  # an outcome is final
        ([TransactionStatus.SENT, TransactionStatus.EXPIRED], TransactionStatus.SENT),
        ([TransactionStatus.FAILED], TransactionStatus.CONFIRMED),
    ],
)
async def test_settled_transactions_do_not_change_outcome(
    registry: Registry, pubkey: str, one_sentence, walk, refused
) -> None:
    await record(registry, pubkey, "sig-a")
    for status in walk:
        await registry.update_transaction("sig-a", status=status)
    before = await registry.get_transaction("sig-a")

    with pytest.raises(InvalidStatusTransition) as error:
        await registry.update_transaction("sig-a", status=refused, retry_count=9)

    assert "sig-a" in one_sentence(error.value)
    assert await registry.get_transaction("sig-a") == before


async def test_resending_keeps_status_and_counts_retries(registry: Registry, pubkey: str) -> None:
    await record(registry, pubkey, "sig-a")
    await registry.update_transaction("sig-a", status=TransactionStatus.SENT)
    again = await registry.update_transaction("sig-a", status=TransactionStatus.SENT, retry_count=1)
    assert (again.status, again.retry_count) == (TransactionStatus.SENT, 1)


async def test_only_an_expired_transaction_is_rebuilt_and_only_once(registry: Registry, pubkey: str) -> None:
    await record(registry, pubkey, "sig-old")
    await registry.update_transaction("sig-old", status=TransactionStatus.SENT)
    with pytest.raises(InvalidStatusTransition):
        await record(registry, pubkey, "sig-new", rebuild_of="sig-old")
    with pytest.raises(TransactionNotFound):
        await record(registry, pubkey, "sig-new", rebuild_of="sig-missing")

    await registry.update_transaction("sig-old", status=TransactionStatus.EXPIRED)
    rebuilt = await record(registry, pubkey, "sig-new", rebuild_of="sig-old")
    with pytest.raises(sqlite3.IntegrityError):
        await record(registry, pubkey, "sig-third", rebuild_of="sig-old")

    assert rebuilt.rebuild_of == "sig-old"
    assert await registry.get_transaction("sig-third") is None


async def test_a_signature_is_recorded_once(registry: Registry, pubkey: str) -> None:
    await record(registry, pubkey, "sig-a")
    with pytest.raises(sqlite3.IntegrityError):
        await record(registry, pubkey, "sig-a", kind="deposit")
    assert [t.kind for t in await registry.list_transactions(pubkey)] == ["withdraw"]


async def test_listing_is_newest_first_with_filters_and_unresolved_spans_sessions(
    registry: Registry, pubkey: str, new_pubkey
) -> None:
    other = new_pubkey()
    await registry.create_session(pubkey=other, cluster="devnet", label="", key_backend="secretservice")
    for signature in ("s1", "s2", "s3", "s4"):
        await record(registry, pubkey, signature)
    await record(registry, other, "o1")
    await registry.update_transaction("s1", status=TransactionStatus.CONFIRMED)
    await registry.update_transaction("s3", status=TransactionStatus.SENT)
    await registry.update_transaction("s4", status=TransactionStatus.EXPIRED)

    assert [t.signature for t in await registry.list_transactions(pubkey)] == ["s4", "s3", "s2", "s1"]
    assert [t.signature for t in await registry.list_transactions(pubkey, limit=2)] == ["s4", "s3"]
    pending_or_done = [TransactionStatus.PENDING, TransactionStatus.CONFIRMED]
    assert [t.signature for t in await registry.list_transactions(pubkey, statuses=pending_or_done)] == ["s2", "s1"]
    assert [t.signature for t in await registry.unresolved_transactions()] == ["s2", "s3", "o1"]


async def test_transaction_for_an_unknown_session_fails_and_writes_nothing(
    registry: Registry, new_pubkey, raw_db
) -> None:
    with pytest.raises(SessionNotFound):
        await record(registry, new_pubkey(), "sig-orphan")
    assert raw_db().execute("SELECT count(*) FROM transactions").fetchone() == (0,)


async def test_foreign_keys_are_enforced_below_the_api(registry: Registry, pubkey: str, raw_db) -> None:
    """The schema itself refuses orphans and deletions that would orphan rows."""
    await record(registry, pubkey, "sig-a")
    conn = raw_db()
    conn.execute("PRAGMA foreign_keys = ON")  # per connection, as the registry does on each of its own
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute(
            "INSERT INTO transactions (session_id, kind, intent, status, signature, raw_tx, "
            "last_valid_block_height, created_at, updated_at) VALUES (999, 'x', '{}', 'pending', 's', x'01', 1, '', '')"
        )
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute("DELETE FROM sessions WHERE pubkey = ?", (pubkey,))
    assert conn.execute("SELECT count(*) FROM transactions").fetchone() == (1,)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


async def test_intent_must_be_json(registry: Registry, pubkey: str) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await registry.record_transaction(
            pubkey, kind="deposit", intent="not json", signature="s", raw_tx=b"\x01", last_valid_block_height=1
        )
    assert await registry.get_transaction("s") is None


async def test_teardown_steps_round_trip_and_update(registry: Registry, pubkey: str) -> None:
    await record(registry, pubkey, "sig-cancel")
    planned = [
        await registry.add_teardown_step(pubkey, run_id="run-1", seq=seq, step=step)
        for seq, step in enumerate(["cancel_orders", "close_positions", "withdraw"])
    ]
    assert all(s.status is TeardownStepStatus.PENDING and s.transaction_signature is None for s in planned)

    running = await registry.update_teardown_step(planned[0].id, status=TeardownStepStatus.RUNNING, started_at=T0)
    done = await registry.update_teardown_step(
        planned[0].id,
        status=TeardownStepStatus.DONE,
        transaction_signature="sig-cancel",
        finished_at=T0 + timedelta(seconds=3),
    )
    parked = await registry.update_teardown_step(
        planned[2].id, status=TeardownStepStatus.PARKED, message="MarketWithdrawPaused (6149)"
    )

    assert (running.status, running.started_at, running.finished_at) == (TeardownStepStatus.RUNNING, T0, None)
    assert (done.status, done.transaction_signature, done.started_at) == (TeardownStepStatus.DONE, "sig-cancel", T0)
    assert (parked.message, parked.run_id, parked.seq, parked.session_pubkey) == (
        "MarketWithdrawPaused (6149)",
        "run-1",
        2,
        pubkey,
    )
    assert await registry.list_teardown_steps("run-1") == [done, planned[1], parked]


async def test_latest_teardown_run_is_the_most_recent_one(registry: Registry, pubkey: str, new_pubkey) -> None:
    assert await registry.latest_teardown_run(pubkey) == []
    await registry.add_teardown_step(pubkey, run_id="run-1", seq=0, step="cancel_orders")
    second = [await registry.add_teardown_step(pubkey, run_id="run-2", seq=seq, step="withdraw") for seq in (1, 0)]
    other = new_pubkey()
    await registry.create_session(pubkey=other, cluster="localnet", label="", key_backend="k")
    await registry.add_teardown_step(other, run_id="run-3", seq=0, step="withdraw")

    assert await registry.latest_teardown_run(pubkey) == [second[1], second[0]]


async def test_teardown_step_references_must_exist(registry: Registry, pubkey: str, new_pubkey) -> None:
    with pytest.raises(SessionNotFound):
        await registry.add_teardown_step(new_pubkey(), run_id="r", seq=0, step="withdraw")
    step = await registry.add_teardown_step(pubkey, run_id="r", seq=0, step="withdraw")
    with pytest.raises(TransactionNotFound):
        await registry.update_teardown_step(step.id, status=TeardownStepStatus.DONE, transaction_signature="nope")
    with pytest.raises(RecordNotFound):
        await registry.update_teardown_step(step.id + 100, status=TeardownStepStatus.DONE)
    with pytest.raises(sqlite3.IntegrityError):
        await registry.add_teardown_step(pubkey, run_id="r", seq=0, step="again")
    assert await registry.list_teardown_steps("r") == [step]
