"""Session rows: creation, lookup, lifecycle transitions, deletion and partial updates."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from rekt_tui.domain.session import ALLOWED_TRANSITIONS, SessionStatus
from rekt_tui.registry import (
    InvalidStatusTransition,
    Registry,
    RegistryError,
    SessionExists,
    SessionNotFound,
)


async def test_create_session_starts_key_pending_and_reads_back(registry: Registry, new_pubkey) -> None:
    pubkey = new_pubkey()
    before = datetime.now(UTC)
    created = await registry.create_session(pubkey=pubkey, cluster="devnet", label="scalp", key_backend="secretservice")

    assert created.status is SessionStatus.KEY_PENDING
    assert (created.pubkey, created.cluster, created.label, created.key_backend) == (
        pubkey,
        "devnet",
        "scalp",
        "secretservice",
    )
    assert created.created_at == created.updated_at and created.created_at >= before
    assert created.created_at.tzinfo is not None and created.created_at.utcoffset() == timedelta(0)
    assert await registry.get_session(pubkey) == created
    assert await registry.get_session(new_pubkey()) is None


async def test_creating_the_same_pubkey_twice_is_refused(registry: Registry, new_pubkey, one_sentence) -> None:
    pubkey = new_pubkey()
    first = await registry.create_session(pubkey=pubkey, cluster="localnet", label="a", key_backend="localnet-file")

    with pytest.raises(SessionExists) as refused:
        await registry.create_session(pubkey=pubkey, cluster="devnet", label="b", key_backend="secretservice")

    assert pubkey in one_sentence(refused.value)
    assert await registry.list_sessions() == [first]


async def test_list_sessions_is_oldest_first_filters_cluster_and_hides_withdrawn(
    registry: Registry, new_pubkey
) -> None:
    keys = [new_pubkey() for _ in range(4)]
    for key, cluster in zip(keys, ["localnet", "devnet", "localnet", "localnet"]):
        await registry.create_session(pubkey=key, cluster=cluster, label="", key_backend="k")
    for status in (SessionStatus.ACTIVE, SessionStatus.ARCHIVED, SessionStatus.WITHDRAWN):
        await registry.set_session_status(keys[2], status)

    assert [s.pubkey for s in await registry.list_sessions()] == [keys[0], keys[1], keys[3]]
    assert [s.pubkey for s in await registry.list_sessions(cluster="localnet")] == [keys[0], keys[3]]
    assert [s.pubkey for s in await registry.list_sessions(include_withdrawn=True)] == keys
    assert [s.pubkey for s in await registry.list_sessions(cluster="mainnet")] == []


async def test_allowed_status_path_walks_the_whole_lifecycle(registry: Registry, new_pubkey) -> None:
    pubkey = new_pubkey()
    await registry.create_session(pubkey=pubkey, cluster="localnet", label="", key_backend="k")
    path = [SessionStatus.ACTIVE, SessionStatus.ARCHIVED, SessionStatus.ACTIVE, SessionStatus.ARCHIVED]
    for status in [*path, SessionStatus.WITHDRAWN]:
        updated = await registry.set_session_status(pubkey, status)
        assert updated.status is status and updated.updated_at >= updated.created_at
    assert (await registry.get_session(pubkey)).status is SessionStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("walk", "refused"),
    [
        ([], SessionStatus.ARCHIVED),  # key never verified: it cannot hold anything to archive
        ([], SessionStatus.WITHDRAWN),
        ([SessionStatus.ACTIVE], SessionStatus.WITHDRAWN),  # funds may still be in Drift
        ([SessionStatus.ACTIVE], SessionStatus.KEY_PENDING),
        ([SessionStatus.ACTIVE, SessionStatus.ARCHIVED, SessionStatus.WITHDRAWN], SessionStatus.ACTIVE),
    ],
)
async def test_forbidden_status_changes_are_refused_and_change_nothing(
    registry: Registry, new_pubkey, one_sentence, walk, refused
) -> None:
    pubkey = new_pubkey()
    await registry.create_session(pubkey=pubkey, cluster="localnet", label="", key_backend="k")
    for status in walk:
        await registry.set_session_status(pubkey, status)
    before = await registry.get_session(pubkey)
    assert refused not in ALLOWED_TRANSITIONS[before.status]

    with pytest.raises(InvalidStatusTransition) as error:
        await registry.set_session_status(pubkey, refused)

    assert pubkey in one_sentence(error.value)
    assert await registry.get_session(pubkey) == before


async def test_unknown_session_is_reported_by_every_session_write(registry: Registry, new_pubkey, one_sentence) -> None:
    ghost = new_pubkey()
    for attempt in (
        registry.set_session_status(ghost, SessionStatus.ACTIVE),
        registry.update_session(ghost, label="x"),
        registry.delete_key_pending_session(ghost),
    ):
        with pytest.raises(SessionNotFound) as error:
            await attempt
        assert ghost in one_sentence(error.value)


async def test_delete_removes_only_key_pending_sessions(registry: Registry, new_pubkey, one_sentence) -> None:
    pending, active = new_pubkey(), new_pubkey()
    for key in (pending, active):
        await registry.create_session(pubkey=key, cluster="localnet", label="", key_backend="k")
    await registry.set_session_status(active, SessionStatus.ACTIVE)

    await registry.delete_key_pending_session(pending)
    with pytest.raises(InvalidStatusTransition) as error:
        await registry.delete_key_pending_session(active)

    assert active in one_sentence(error.value)
    assert [s.pubkey for s in await registry.list_sessions()] == [active]


async def test_a_key_pending_session_with_history_is_kept(registry: Registry, new_pubkey, one_sentence) -> None:
    """ON DELETE RESTRICT: a row other rows point at never silently vanishes."""
    pubkey = new_pubkey()
    await registry.create_session(pubkey=pubkey, cluster="localnet", label="", key_backend="k")
    await registry.record_transaction(
        pubkey, kind="airdrop", intent="{}", signature="sig-1", raw_tx=b"\x01", last_valid_block_height=1
    )

    with pytest.raises(RegistryError) as error:
        await registry.delete_key_pending_session(pubkey)

    one_sentence(error.value)
    assert (await registry.get_session(pubkey)).status is SessionStatus.KEY_PENDING
    assert (await registry.get_transaction("sig-1")).session_pubkey == pubkey


async def test_update_session_changes_only_the_fields_passed(registry: Registry, new_pubkey) -> None:
    pubkey = new_pubkey()
    await registry.create_session(pubkey=pubkey, cluster="localnet", label="first", key_backend="k")
    verified = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=timezone(timedelta(hours=2)))
    full = await registry.update_session(
        pubkey,
        drift_user="DriftUser111",
        referrer="Referrer111",
        referrer_verified_at=verified,
        strategy="balanced",
        last_sol_lamports=2_000_000_000,
        last_collateral_quote=-12_345_678,
    )

    only_label = await registry.update_session(pubkey, label="renamed")
    assert only_label == replace(full, label="renamed", updated_at=only_label.updated_at)
    assert only_label.referrer_verified_at == verified and only_label.referrer_verified_at.utcoffset() == timedelta(0)

    cleared = await registry.update_session(pubkey, referrer=None, referrer_verified_at=None)
    assert (cleared.referrer, cleared.referrer_verified_at) == (None, None)
    assert (cleared.drift_user, cleared.strategy, cleared.last_sol_lamports, cleared.last_collateral_quote) == (
        "DriftUser111",
        "balanced",
        2_000_000_000,
        -12_345_678,
    )
    assert await registry.update_session(pubkey) == cleared


async def test_session_money_round_trips_at_the_64_bit_limits(registry: Registry, new_pubkey) -> None:
    pubkey = new_pubkey()
    await registry.create_session(pubkey=pubkey, cluster="localnet", label="", key_backend="k")
    stored = await registry.update_session(pubkey, last_sol_lamports=2**63 - 1, last_collateral_quote=-(2**63))
    assert (stored.last_sol_lamports, stored.last_collateral_quote) == (2**63 - 1, -(2**63))
    assert type(stored.last_sol_lamports) is int


async def test_naive_times_are_refused_before_anything_is_written(registry: Registry, new_pubkey) -> None:
    pubkey = new_pubkey()
    await registry.create_session(pubkey=pubkey, cluster="localnet", label="", key_backend="k")
    with pytest.raises(ValueError):
        await registry.update_session(pubkey, referrer="R", referrer_verified_at=datetime(2025, 1, 1))
    assert (await registry.get_session(pubkey)).referrer is None


async def test_concurrent_writes_on_one_registry_are_serialized(registry: Registry, new_pubkey) -> None:
    keys = [new_pubkey() for _ in range(25)]
    await asyncio.gather(
        *(registry.create_session(pubkey=key, cluster="localnet", label="", key_backend="k") for key in keys)
    )
    assert {s.pubkey for s in await registry.list_sessions()} == set(keys)


async def test_a_write_cancelled_mid_transaction_leaves_the_registry_usable(registry: Registry, new_pubkey) -> None:
    doomed, after = new_pubkey(), new_pubkey()
    task = asyncio.create_task(registry.create_session(pubkey=doomed, cluster="localnet", label="", key_backend="k"))
    await asyncio.sleep(0)  # let it take the lock and queue BEGIN IMMEDIATE
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    created = await registry.create_session(pubkey=after, cluster="localnet", label="", key_backend="k")
    assert created.pubkey == after
    assert await registry.get_session(doomed) is None


async def test_get_data_version_moves_for_another_connections_commit_only(registry: Registry, data_dir, new_pubkey):
    """What lets an open cockpit see a session another process created: not its own writes."""
    other = await Registry.open(data_dir)
    try:
        before = await registry.get_data_version()
        await registry.create_session(pubkey=new_pubkey(), cluster="localnet", label="own", key_backend="localnet-file")
        assert await registry.get_data_version() == before
        await other.create_session(pubkey=new_pubkey(), cluster="localnet", label="other", key_backend="localnet-file")
        assert await registry.get_data_version() != before
    finally:
        await other.close()
