"""What the chain showed and what we asked of it: account snapshots, markets, orders."""

from collections.abc import Iterable

import aiosqlite

from rekt_tui.domain.records import (
    LIVE_ORDER_STATUSES,
    BalanceSnapshot,
    Direction,
    MarketRecord,
    MarketType,
    OrderRecord,
    OrderStatus,
    OrderType,
)
from rekt_tui.registry.connection import run_many, run_statement
from rekt_tui.registry.core import (
    UNSET,
    RegistryCore,
    Update,
    assignments,
    fetch_all,
    fetch_one,
    given,
    optional_transaction_id,
    session_id_of,
)
from rekt_tui.registry.errors import RecordNotFound, UserOrderIdInUse
from rekt_tui.registry.rows import (
    BALANCE_SELECT,
    MARKET_SELECT,
    ORDER_SELECT,
    POSITION_SELECT,
    balance_from_row,
    market_from_row,
    now_db_time,
    order_from_row,
    position_from_row,
    to_db_time,
    to_db_value,
)

_LIVE = tuple(status.value for status in LIVE_ORDER_STATUSES)
_LIVE_SQL = f"o.status IN ({', '.join('?' for _ in _LIVE)})"


async def _load_order(conn: aiosqlite.Connection, order_id: int) -> OrderRecord:
    row = await fetch_one(conn, f"{ORDER_SELECT} WHERE o.id = ?", (order_id,))
    if row is None:
        raise RecordNotFound(f"No order with id {order_id} is in the registry; check the id.")
    return order_from_row(row)


class TradingRepository(RegistryCore):
    async def add_balance_snapshot(self, snapshot: BalanceSnapshot) -> None:
        """Store one account read, balances and positions together in one transaction."""
        async with self._writing() as conn:
            session_id = await session_id_of(conn, snapshot.session_pubkey)
            snapshot_id = await run_statement(
                conn,
                "INSERT INTO balance_snapshots (session_id, taken_at, slot, sol_lamports, total_collateral_quote, "
                "free_collateral_quote, unrealized_pnl_quote, usdc_spot_amount, sol_spot_amount) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    to_db_time(snapshot.taken_at),
                    snapshot.slot,
                    snapshot.sol_lamports,
                    snapshot.total_collateral_quote,
                    snapshot.free_collateral_quote,
                    snapshot.unrealized_pnl_quote,
                    snapshot.usdc_spot_amount,
                    snapshot.sol_spot_amount,
                ),
            )
            await run_many(
                conn,
                "INSERT INTO position_snapshots (balance_snapshot_id, market_index, base_amount, "
                "quote_entry_amount, quote_break_even_amount, unrealized_pnl_quote, liquidation_price) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        snapshot_id,
                        position.market_index,
                        position.base_amount,
                        position.quote_entry_amount,
                        position.quote_break_even_amount,
                        position.unrealized_pnl_quote,
                        position.liquidation_price,
                    )
                    for position in snapshot.positions
                ],
            )

    async def latest_balance_snapshot(self, session_pubkey: str) -> BalanceSnapshot | None:
        """The newest account read for a session, with the positions it held then."""
        async with self._reading() as conn:
            row = await fetch_one(
                conn,
                f"{BALANCE_SELECT} WHERE s.pubkey = ? ORDER BY b.taken_at DESC, b.id DESC LIMIT 1",
                (session_pubkey,),
            )
            if row is None:
                return None
            # Written in the same transaction as their snapshot, so never seen half-written.
            positions = await fetch_all(
                conn, f"{POSITION_SELECT} WHERE balance_snapshot_id = ? ORDER BY market_index", (row["id"],)
            )
        return balance_from_row(row, tuple(position_from_row(p) for p in positions))

    async def upsert_markets(self, markets: Iterable[MarketRecord]) -> None:
        """Insert or refresh markets, all in one transaction."""
        rows = [
            (
                market.cluster,
                market.market_type.value,
                market.market_index,
                market.symbol,
                market.oracle,
                market.status,
                market.paused_operations,
                market.decimals,
                market.tick_size,
                market.step_size,
                market.min_order_size,
                to_db_time(market.updated_at),
            )
            for market in markets
        ]
        async with self._writing() as conn:
            await run_many(
                conn,
                "INSERT INTO markets (cluster, market_type, market_index, symbol, oracle, status, "
                "paused_operations, decimals, tick_size, step_size, min_order_size, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (cluster, market_type, market_index) DO UPDATE SET "
                "symbol = excluded.symbol, oracle = excluded.oracle, status = excluded.status, "
                "paused_operations = excluded.paused_operations, decimals = excluded.decimals, "
                "tick_size = excluded.tick_size, step_size = excluded.step_size, "
                "min_order_size = excluded.min_order_size, updated_at = excluded.updated_at",
                rows,
            )

    async def list_markets(self, cluster: str, *, market_type: MarketType | None = None) -> list[MarketRecord]:
        sql, params = f"{MARKET_SELECT} WHERE cluster = ?", [cluster]
        if market_type is not None:
            sql += " AND market_type = ?"
            params.append(market_type.value)
        async with self._reading() as conn:
            rows = await fetch_all(conn, f"{sql} ORDER BY market_type, market_index", params)
        return [market_from_row(row) for row in rows]

    async def add_order(
        self,
        session_pubkey: str,
        *,
        user_order_id: int,
        market_type: MarketType,
        market_index: int,
        direction: Direction,
        order_type: OrderType,
        base_amount: int,
        price: int | None = None,
        trigger_price: int | None = None,
        reduce_only: bool = False,
        post_only: bool = False,
        max_ts: int | None = None,
        transaction_signature: str | None = None,
    ) -> OrderRecord:
        """Record an order we are about to place, as `pending`."""
        now = now_db_time()
        async with self._writing() as conn:
            session_id = await session_id_of(conn, session_pubkey)
            taken = await fetch_one(
                conn,
                f"SELECT 1 FROM orders o WHERE o.session_id = ? AND o.user_order_id = ? AND {_LIVE_SQL}",
                (session_id, user_order_id, *_LIVE),
            )
            if taken:
                raise UserOrderIdInUse(session_pubkey, user_order_id)
            transaction_id = await optional_transaction_id(conn, transaction_signature)
            new_id = await run_statement(
                conn,
                "INSERT INTO orders (session_id, user_order_id, market_type, market_index, direction, order_type, "
                "base_amount, price, trigger_price, reduce_only, post_only, max_ts, status, transaction_id, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    to_db_value(value)
                    for value in (
                        session_id,
                        user_order_id,
                        market_type,
                        market_index,
                        direction,
                        order_type,
                        base_amount,
                        price,
                        trigger_price,
                        reduce_only,
                        post_only,
                        max_ts,
                        OrderStatus.PENDING,
                        transaction_id,
                        now,
                        now,
                    )
                ],
            )
            return await _load_order(conn, new_id)  # type: ignore[arg-type]

    async def update_order(
        self,
        order_id: int,
        *,
        status: Update[OrderStatus] = UNSET,
        chain_order_id: Update[int | None] = UNSET,
        transaction_signature: Update[str | None] = UNSET,
        base_amount: Update[int] = UNSET,
        price: Update[int | None] = UNSET,
        trigger_price: Update[int | None] = UNSET,
    ) -> OrderRecord:
        """Change only the fields passed (the terms too, after a modification); `order_id` is the
        registry's id from `OrderRecord.id`."""
        changes = given(
            status=status, chain_order_id=chain_order_id, base_amount=base_amount, price=price,
            trigger_price=trigger_price,
        )
        async with self._writing() as conn:
            await _load_order(conn, order_id)
            if transaction_signature is not UNSET:
                changes["transaction_id"] = await optional_transaction_id(conn, transaction_signature)
            if changes:
                await run_statement(
                    conn,
                    f"UPDATE orders SET {assignments(changes)}, updated_at = ? WHERE id = ?",
                    (*changes.values(), now_db_time(), order_id),
                )
            return await _load_order(conn, order_id)

    async def list_open_orders(self, session_pubkey: str) -> list[OrderRecord]:
        """A session's pending and open orders, oldest first."""
        async with self._reading() as conn:
            rows = await fetch_all(
                conn, f"{ORDER_SELECT} WHERE s.pubkey = ? AND {_LIVE_SQL} ORDER BY o.id", (session_pubkey, *_LIVE)
            )
        return [order_from_row(row) for row in rows]

    async def find_live_order(self, session_pubkey: str, user_order_id: int) -> OrderRecord | None:
        """The pending or open order carrying `user_order_id`, e.g. to adopt it after a crash."""
        async with self._reading() as conn:
            row = await fetch_one(
                conn,
                f"{ORDER_SELECT} WHERE s.pubkey = ? AND o.user_order_id = ? AND {_LIVE_SQL}",
                (session_pubkey, user_order_id, *_LIVE),
            )
        return None if row is None else order_from_row(row)
