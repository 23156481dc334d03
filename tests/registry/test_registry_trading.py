"""Account snapshots, markets and orders: exact round-trips and the constraints that guard them."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from rekt_tui.domain.records import (
    BalanceSnapshot,
    Direction,
    MarketRecord,
    MarketType,
    OrderStatus,
    OrderType,
    PositionSnapshot,
)
from rekt_tui.registry import RecordNotFound, Registry, SessionNotFound, TransactionNotFound, UserOrderIdInUse

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
I64_MAX, I64_MIN = 2**63 - 1, -(2**63)


@pytest.fixture
async def pubkey(registry: Registry, new_pubkey) -> str:
    key = new_pubkey()
    await registry.create_session(pubkey=key, cluster="localnet", label="", key_backend="localnet-file")
    return key


def snapshot(pubkey: str, taken_at: datetime, slot: int, positions=()) -> BalanceSnapshot:
    return BalanceSnapshot(
        session_pubkey=pubkey,
        taken_at=taken_at,
        slot=slot,
        sol_lamports=I64_MAX,
        total_collateral_quote=I64_MIN,
        free_collateral_quote=123_456_789_012,
        unrealized_pnl_quote=-1,
        usdc_spot_amount=-987_654_321,
        sol_spot_amount=9_007_199_254_740_993,  # 2**53 + 1: a float would round it
        positions=tuple(positions),
    )


async def test_balance_snapshot_round_trips_with_its_positions(registry: Registry, pubkey: str) -> None:
    positions = [
        PositionSnapshot(0, -(10**18), 10**17, -(10**17) + 1, I64_MIN, liquidation_price=I64_MAX),
        PositionSnapshot(7, 0, 0, 0, 42),  # closed, PnL not yet settled
    ]
    await registry.add_balance_snapshot(snapshot(pubkey, T0, 1, positions))
    newest = snapshot(pubkey, T0 + timedelta(seconds=5), 2, reversed(positions))

    await registry.add_balance_snapshot(newest)

    assert await registry.latest_balance_snapshot(pubkey) == snapshot(pubkey, newest.taken_at, 2, positions)


async def test_a_flat_account_snapshot_hides_older_positions(registry: Registry, pubkey: str) -> None:
    await registry.add_balance_snapshot(snapshot(pubkey, T0, 1, [PositionSnapshot(0, 10**9, -(10**8), -(10**8), 5)]))
    await registry.add_balance_snapshot(snapshot(pubkey, T0 + timedelta(seconds=1), 2))

    latest = await registry.latest_balance_snapshot(pubkey)

    assert (latest.slot, latest.positions) == (2, ())


async def test_no_snapshot_yet_reads_as_none(registry: Registry, pubkey: str) -> None:
    assert await registry.latest_balance_snapshot(pubkey) is None


async def test_snapshot_for_an_unknown_session_writes_nothing(registry: Registry, new_pubkey, raw_db) -> None:
    ghost = new_pubkey()
    with pytest.raises(SessionNotFound):
        await registry.add_balance_snapshot(snapshot(ghost, T0, 1, [PositionSnapshot(0, 1, 1, 1, 1)]))
    conn = raw_db()
    assert conn.execute("SELECT count(*) FROM balance_snapshots").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM position_snapshots").fetchone() == (0,)


def market(index: int, **changes) -> MarketRecord:
    facts = dict(
        cluster="localnet",
        market_type=MarketType.PERP,
        market_index=index,
        symbol=f"M{index}-PERP",
        oracle=f"Oracle{index}",
        status="active",
        decimals=9,
        tick_size=100,
        step_size=10_000_000,
        min_order_size=10_000_000,
        updated_at=T0,
    )
    return MarketRecord(**{**facts, **changes})


async def test_markets_upsert_inserts_then_refreshes(registry: Registry) -> None:
    usdc = market(0, market_type=MarketType.SPOT, symbol="USDC", decimals=6, step_size=1, min_order_size=0)
    await registry.upsert_markets([market(1), market(0), usdc, market(0, cluster="devnet")])
    refreshed = market(
        1, status="reduce_only", paused_operations=0b1010, tick_size=I64_MAX, updated_at=T0 + timedelta(days=1)
    )

    await registry.upsert_markets([refreshed])

    assert await registry.list_markets("localnet") == [market(0), refreshed, usdc]
    assert await registry.list_markets("localnet", market_type=MarketType.SPOT) == [usdc]
    assert await registry.list_markets("devnet") == [market(0, cluster="devnet")]


async def test_markets_batch_is_all_or_nothing(registry: Registry) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await registry.upsert_markets([market(0), market(1), market(2, tick_size=0)])
    assert await registry.list_markets("localnet") == []


async def place(registry: Registry, pubkey: str, user_order_id: int, **changes):
    order = dict(
        user_order_id=user_order_id,
        market_type=MarketType.PERP,
        market_index=0,
        direction=Direction.LONG,
        order_type=OrderType.LIMIT,
        base_amount=1_500_000_000,
        price=150_250_000,
    )
    return await registry.add_order(pubkey, **{**order, **changes})


async def test_order_round_trips_and_updates(registry: Registry, pubkey: str) -> None:
    await registry.record_transaction(
        pubkey, kind="place_order", intent="{}", signature="sig-place", raw_tx=b"\x02", last_valid_block_height=9
    )
    order = await place(
        registry,
        pubkey,
        255,
        direction=Direction.SHORT,
        order_type=OrderType.TRIGGER_LIMIT,
        base_amount=I64_MAX,
        price=I64_MAX,
        trigger_price=1,
        reduce_only=True,
        post_only=True,
        max_ts=1_900_000_000,
        transaction_signature="sig-place",
    )
    assert (order.status, order.chain_order_id, order.transaction_signature) == (OrderStatus.PENDING, None, "sig-place")
    assert (order.base_amount, order.price, order.trigger_price, order.reduce_only, order.post_only) == (
        I64_MAX,
        I64_MAX,
        1,
        True,
        True,
    )

    opened = await registry.update_order(order.id, status=OrderStatus.OPEN, chain_order_id=4242)
    assert (opened.status, opened.chain_order_id, opened.transaction_signature) == (OrderStatus.OPEN, 4242, "sig-place")
    assert opened.created_at == order.created_at and opened.updated_at >= order.updated_at
    unlinked = await registry.update_order(order.id, transaction_signature=None)
    assert (unlinked.transaction_signature, unlinked.status) == (None, OrderStatus.OPEN)


async def test_user_order_id_is_unique_only_among_live_orders(registry: Registry, pubkey: str, new_pubkey) -> None:
    first = await place(registry, pubkey, 7)
    with pytest.raises(UserOrderIdInUse):
        await place(registry, pubkey, 7, market_index=3)
    await registry.update_order(first.id, status=OrderStatus.OPEN)
    with pytest.raises(UserOrderIdInUse):
        await place(registry, pubkey, 7)

    await registry.update_order(first.id, status=OrderStatus.FILLED)
    again = await place(registry, pubkey, 7)  # Drift reuses ids once the first order is gone

    other = new_pubkey()
    await registry.create_session(pubkey=other, cluster="localnet", label="", key_backend="k")
    elsewhere = await place(registry, other, 7)
    assert await registry.find_live_order(pubkey, 7) == again
    assert await registry.find_live_order(other, 7) == elsewhere
    assert await registry.find_live_order(pubkey, 8) is None


async def test_list_open_orders_returns_pending_and_open_oldest_first(registry: Registry, pubkey: str) -> None:
    orders = [await place(registry, pubkey, i) for i in (1, 2, 3, 4)]
    await registry.update_order(orders[0].id, status=OrderStatus.OPEN)
    await registry.update_order(orders[1].id, status=OrderStatus.CANCELLED)
    await registry.update_order(orders[2].id, status=OrderStatus.EXPIRED)

    live = await registry.list_open_orders(pubkey)

    assert [(o.user_order_id, o.status) for o in live] == [(1, OrderStatus.OPEN), (4, OrderStatus.PENDING)]


@pytest.mark.parametrize(
    "bad",
    [
        dict(user_order_id=0),  # 0 means "no id" on Drift
        dict(user_order_id=256),
        dict(base_amount=0),
        dict(order_type=OrderType.LIMIT, price=None),
        dict(order_type=OrderType.TRIGGER_MARKET, price=None),  # trigger orders need a trigger price
        dict(order_type=OrderType.MARKET, price=None, trigger_price=5),
    ],
)
async def test_malformed_orders_are_refused_by_the_schema(registry: Registry, pubkey: str, bad) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await place(registry, pubkey, **{"user_order_id": 1, **bad})
    assert await registry.list_open_orders(pubkey) == []


async def test_order_references_must_exist(registry: Registry, pubkey: str, new_pubkey) -> None:
    with pytest.raises(SessionNotFound):
        await place(registry, new_pubkey(), 1)
    with pytest.raises(TransactionNotFound):
        await place(registry, pubkey, 1, transaction_signature="never-recorded")
    with pytest.raises(RecordNotFound):
        await registry.update_order(999, status=OrderStatus.OPEN)
    assert await registry.list_open_orders(pubkey) == []


async def test_money_columns_refuse_floats(registry: Registry, pubkey: str, raw_db) -> None:
    """STRICT tables: a float in an integer money column is an error, not a silent REAL."""
    conn = raw_db()
    conn.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="REAL"):
        conn.execute("UPDATE sessions SET last_sol_lamports = 1.5 WHERE pubkey = ?", (pubkey,))
    with pytest.raises(sqlite3.IntegrityError, match="REAL"):
        await registry.add_balance_snapshot(
            BalanceSnapshot(pubkey, T0, 1, 0.1, 0, 0, 0, 0, 0)  # type: ignore[arg-type]
        )
    assert (await registry.get_session(pubkey)).last_sol_lamports is None
    assert await registry.latest_balance_snapshot(pubkey) is None
