"""How rows become frozen records and values become columns, in one place.

The SELECTs join in the session's pubkey and transactions' signatures so records
speak in the chain's identifiers, not the registry's row ids.
"""

import sqlite3
from datetime import UTC, datetime
from enum import Enum

from rekt_tui.domain.records import (
    BalanceSnapshot,
    Direction,
    MarketRecord,
    MarketType,
    OrderRecord,
    OrderStatus,
    OrderType,
    PositionSnapshot,
    TeardownStepRecord,
    TeardownStepStatus,
    TransactionRecord,
    TransactionStatus,
)
from rekt_tui.domain.session import SessionRecord, SessionStatus


def to_db_time(moment: datetime) -> str:
    """ISO-8601 in UTC with a fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("registry times must be timezone-aware; pass datetime.now(UTC)")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def now_db_time() -> str:
    return to_db_time(datetime.now(UTC))


def from_db_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_db_value(value: object) -> object:
    """A Python value as the registry stores it: aware times as UTC text, enums by value."""
    if isinstance(value, datetime):
        return to_db_time(value)
    if isinstance(value, Enum):
        return value.value
    return value


SESSION_SELECT = "SELECT * FROM sessions"


def session_from_row(row: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        pubkey=row["pubkey"],
        cluster=row["cluster"],
        label=row["label"],
        status=SessionStatus(row["status"]),
        key_backend=row["key_backend"],
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
        drift_user=row["drift_user"],
        referrer=row["referrer"],
        referrer_verified_at=from_db_time(row["referrer_verified_at"]),
        strategy=row["strategy"],
        last_sol_lamports=row["last_sol_lamports"],
        last_collateral_quote=row["last_collateral_quote"],
        trading_started_at=from_db_time(row["trading_started_at"]),
    )


BALANCE_SELECT = (
    "SELECT b.*, s.pubkey AS session_pubkey FROM balance_snapshots b JOIN sessions s ON s.id = b.session_id"
)
POSITION_SELECT = "SELECT * FROM position_snapshots"


def position_from_row(row: sqlite3.Row) -> PositionSnapshot:
    return PositionSnapshot(
        market_index=row["market_index"],
        base_amount=row["base_amount"],
        quote_entry_amount=row["quote_entry_amount"],
        quote_break_even_amount=row["quote_break_even_amount"],
        unrealized_pnl_quote=row["unrealized_pnl_quote"],
        liquidation_price=row["liquidation_price"],
    )


def balance_from_row(row: sqlite3.Row, positions: tuple[PositionSnapshot, ...]) -> BalanceSnapshot:
    return BalanceSnapshot(
        session_pubkey=row["session_pubkey"],
        taken_at=_time(row["taken_at"]),
        slot=row["slot"],
        sol_lamports=row["sol_lamports"],
        total_collateral_quote=row["total_collateral_quote"],
        free_collateral_quote=row["free_collateral_quote"],
        unrealized_pnl_quote=row["unrealized_pnl_quote"],
        usdc_spot_amount=row["usdc_spot_amount"],
        sol_spot_amount=row["sol_spot_amount"],
        positions=positions,
    )


MARKET_SELECT = "SELECT * FROM markets"


def market_from_row(row: sqlite3.Row) -> MarketRecord:
    return MarketRecord(
        cluster=row["cluster"],
        market_type=MarketType(row["market_type"]),
        market_index=row["market_index"],
        symbol=row["symbol"],
        oracle=row["oracle"],
        status=row["status"],
        decimals=row["decimals"],
        tick_size=row["tick_size"],
        step_size=row["step_size"],
        min_order_size=row["min_order_size"],
        updated_at=_time(row["updated_at"]),
        paused_operations=row["paused_operations"],
    )


ORDER_SELECT = (
    "SELECT o.*, s.pubkey AS session_pubkey, t.signature AS transaction_signature FROM orders o "
    "JOIN sessions s ON s.id = o.session_id LEFT JOIN transactions t ON t.id = o.transaction_id"
)


def order_from_row(row: sqlite3.Row) -> OrderRecord:
    return OrderRecord(
        id=row["id"],
        session_pubkey=row["session_pubkey"],
        user_order_id=row["user_order_id"],
        chain_order_id=row["chain_order_id"],
        market_type=MarketType(row["market_type"]),
        market_index=row["market_index"],
        direction=Direction(row["direction"]),
        order_type=OrderType(row["order_type"]),
        base_amount=row["base_amount"],
        price=row["price"],
        trigger_price=row["trigger_price"],
        reduce_only=bool(row["reduce_only"]),
        post_only=bool(row["post_only"]),
        max_ts=row["max_ts"],
        status=OrderStatus(row["status"]),
        transaction_signature=row["transaction_signature"],
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
    )


TRANSACTION_SELECT = (
    "SELECT t.*, s.pubkey AS session_pubkey, r.signature AS rebuild_of_signature FROM transactions t "
    "JOIN sessions s ON s.id = t.session_id LEFT JOIN transactions r ON r.id = t.rebuild_of"
)


def transaction_from_row(row: sqlite3.Row) -> TransactionRecord:
    return TransactionRecord(
        session_pubkey=row["session_pubkey"],
        kind=row["kind"],
        intent=row["intent"],
        status=TransactionStatus(row["status"]),
        signature=row["signature"],
        raw_tx=bytes(row["raw_tx"]),
        last_valid_block_height=row["last_valid_block_height"],
        retry_count=row["retry_count"],
        error_type=row["error_type"],
        error_code=row["error_code"],
        error_name=row["error_name"],
        message=row["message"],
        slot=row["slot"],
        rebuild_of=row["rebuild_of_signature"],
        created_at=_time(row["created_at"]),
        sent_at=from_db_time(row["sent_at"]),
        confirmed_at=from_db_time(row["confirmed_at"]),
        updated_at=_time(row["updated_at"]),
    )


TEARDOWN_STEP_SELECT = (
    "SELECT d.*, s.pubkey AS session_pubkey, t.signature AS transaction_signature FROM teardown_steps d "
    "JOIN sessions s ON s.id = d.session_id LEFT JOIN transactions t ON t.id = d.transaction_id"
)


def teardown_step_from_row(row: sqlite3.Row) -> TeardownStepRecord:
    return TeardownStepRecord(
        id=row["id"],
        session_pubkey=row["session_pubkey"],
        run_id=row["run_id"],
        seq=row["seq"],
        step=row["step"],
        status=TeardownStepStatus(row["status"]),
        transaction_signature=row["transaction_signature"],
        message=row["message"],
        started_at=from_db_time(row["started_at"]),
        finished_at=from_db_time(row["finished_at"]),
    )
