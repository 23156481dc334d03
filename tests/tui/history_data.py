"""A registry holding a real session history for the history screen's tests.

The records are what the localnet's Drift program logged for a trader (taker fills that
flip through zero, funding both ways, a settlement, a withdrawal), decoded by our own
`drift.records` and stored through the registry's API; orders, transactions, markets and
account reads are written the way the services write them. Signatures are derived from
fixed seeds and the program's clock starts at genesis, so every run renders the same.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from driftpy.types import PositionDirection, PostOnlyParams
from solders.signature import Signature

from rekt_tui.domain.history import ChainRecord
from rekt_tui.domain.records import (
    BalanceSnapshot,
    Direction,
    MarketRecord,
    MarketType,
    OrderStatus,
    OrderType,
    TransactionStatus,
)
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.services.container import Services
from tests.history.test_records_identity import Journal
from tests.localnet.drift_harness import Bank, funded_trader, place_and_take, settle, update_funding, user_ix, withdraw
from tests.localnet.test_drift_orders import USDC, params
from tests.tui.conftest import add_wallet

SHORT = PositionDirection.Short()
START = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def signature(seed: str) -> str:
    return str(Signature.from_bytes(hashlib.sha512(seed.encode()).digest()))


def program_records() -> list[ChainRecord]:
    """The trader's records from the program's own logs, with realistic signatures."""
    bank = Bank()
    journal = Journal(bank)
    maker = funded_trader(bank, usdc=10_000 * USDC)
    trader = funded_trader(bank, usdc=1_000 * USDC)
    for price in (150_010_100, 150_020_300):
        journal.run(user_ix("place_perp_order", {"params": params(
            SHORT, size=1_330_000_000, price=price, post_only=PostOnlyParams.MustPostOnly(),
        )}, maker))  # fmt: skip
    journal.run(place_and_take(trader, params(size=1_770_000_000, price=151 * USDC), makers=[maker]))
    bank.advance(20, seconds=3_601)
    bank.set_oracle("SOL", 152_345_679)
    journal.run(update_funding(0))
    journal.run(place_and_take(trader, params(SHORT, size=3_110_000_000, price=140 * USDC), makers=[maker]))
    bank.advance(20, seconds=3_601)
    journal.run(update_funding(0))
    journal.run(settle(trader, 0))
    journal.run(withdraw(trader, 0, 100 * USDC, perp=(0,)))
    records = journal.records(trader)
    return [
        ChainRecord(**{**{name: getattr(r, name) for name in r.__slots__}, "signature": signature(r.signature)})
        for r in records
    ]


MARKETS = (
    (0, "SOL-PERP"),
    (1, "BTC-PERP"),
)


async def history_session(
    services: Services, tmp_path: Path, *, records: list[ChainRecord] | None = None
) -> SessionRecord:
    """The traded session (newest) beside an archived one with no history."""
    old = await add_wallet(services, tmp_path, 21, "old")
    await services.registry.set_session_status(old.pubkey, SessionStatus.ARCHIVED)
    session = await add_wallet(services, tmp_path, 22, "scalps")
    registry = services.registry
    cluster = services.settings.cluster
    await registry.upsert_markets(
        MarketRecord(cluster, MarketType.PERP, index, symbol, "oracle", "active", 9, 100, 10**7, 10**7, START)
        for index, symbol in MARKETS
    )  # fmt: skip
    stored = program_records() if records is None else records
    await registry.add_records(session.pubkey, stored, cursor=stored[-1].signature)
    for number, (market, direction, kind, status) in enumerate((
        (0, Direction.LONG, OrderType.MARKET, "filled"),
        (0, Direction.SHORT, OrderType.LIMIT, "cancelled"),
        (1, Direction.LONG, OrderType.TRIGGER_MARKET, "expired"),
    ), start=1):  # fmt: skip
        sent = signature(f"order{number}")
        await registry.record_transaction(session.pubkey, kind="place_order", intent="{}", signature=sent,
                                          raw_tx=b"tx", last_valid_block_height=9)  # fmt: skip
        await registry.update_transaction(sent, status=TransactionStatus.SENT)
        await registry.update_transaction(sent, status=TransactionStatus.CONFIRMED, slot=100 + number)
        order = await registry.add_order(
            session.pubkey, user_order_id=number, market_type=MarketType.PERP, market_index=market,
            direction=direction, order_type=kind, base_amount=number * 10**8, price=150 * USDC,
            trigger_price=140 * USDC if kind is OrderType.TRIGGER_MARKET else None, transaction_signature=sent,
        )  # fmt: skip
        await registry.update_order(order.id, status=OrderStatus(status))
    for minute in range(40):
        equity = 1_000 * USDC + (minute % 13) * 3 * USDC - minute * USDC // 2
        await registry.add_balance_snapshot(BalanceSnapshot(
            session.pubkey, START + timedelta(minutes=minute), 1_000 + minute, 10**9, equity, equity, 0, equity, 0,
        ))  # fmt: skip
    return session
