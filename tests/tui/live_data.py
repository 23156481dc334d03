"""Fixed live data for snapshots and the feed benchmark: what the feeds would deliver, frozen.

Chain figures move every slot; a snapshot needs the same frame every run, so these are
the domain models the workers post, built by hand.
"""

from datetime import UTC, datetime

from rekt_tui.domain.orderbook import BookLevel, OrderBook
from rekt_tui.domain.records import Direction, MarketType, OrderType, TransactionRecord, TransactionStatus
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.trading import AccountSnapshot, Order, Position
from rekt_tui.tui.messages import LinkedSession

AT = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)
USDC = 10**6
SOL = 10**9
WALLET = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"


def session() -> SessionRecord:
    return SessionRecord(
        pubkey=WALLET, cluster="localnet", label="scalps", status=SessionStatus.ACTIVE, key_backend="localnet-file",
        created_at=AT, updated_at=AT, drift_user="9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM",
        referrer="ref", referrer_verified_at=AT, strategy="balanced",
    )  # fmt: skip


EXPLORER = "http://127.0.0.1:8899/explorer/tx/{signature}"


def transaction(kind: str, status: TransactionStatus, signature: str, error_name: str | None = None) -> TransactionRecord:
    return TransactionRecord(
        session_pubkey=WALLET, kind=kind, intent="{}", status=status, signature=signature, raw_tx=b"",
        last_valid_block_height=1_000, retry_count=0, error_type=None, error_code=None, error_name=error_name,
        message=None, slot=None, rebuild_of=None, created_at=AT, sent_at=AT, confirmed_at=None, updated_at=AT,
    )  # fmt: skip


def transactions() -> tuple[TransactionRecord, ...]:
    """Newest first, as the registry lists them: one still confirming, one refused by Drift, one landed."""
    return (
        transaction("place_order", TransactionStatus.SENT, "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnb"),
        transaction("place_order", TransactionStatus.FAILED, "3kQ6LkYHhCaGRBPs5n1PcsjWMR1Sn5d8ZhVa5QpHTnBd",
                    error_name="InsufficientCollateral"),
        transaction("deposit", TransactionStatus.CONFIRMED, "4nZtBjc9y3yY8J4cD7Xc1SrBHb9YvVNr1Gq4JbyD9Uwa"),
    )  # fmt: skip


def linked() -> LinkedSession:
    names = {0: "SOL-PERP", 1: "BTC-PERP", 2: "ETH-PERP"}
    return LinkedSession(
        session(), lamports=9_876_543_210, market_names=names, recent=transactions(), explorer_tx_url=EXPLORER,
        usdc=25 * USDC,
    )  # fmt: skip


def account(slot: int = 123_456, sol_oracle: int = 152 * USDC) -> AccountSnapshot:
    positions = (
        Position(0, "SOL-PERP", 2 * SOL, -300 * USDC, 150 * USDC, sol_oracle, 2 * (sol_oracle - 150 * USDC), 98 * USDC,
                 150_180_000),
        Position(1, "BTC-PERP", -SOL // 1000, 100 * USDC, 100_000 * USDC, 101_000 * USDC, -1 * USDC, None, 99_950 * USDC),
    )
    orders = (
        Order(7, 100, MarketType.PERP, 0, OrderType.LIMIT, Direction.LONG, SOL, 0, 100 * USDC, None, False, True,
              1_775_125_800, slot),
        Order(8, 101, MarketType.PERP, 2, OrderType.TRIGGER_MARKET, Direction.SHORT, SOL // 10, 0, 0, 3_200 * USDC,
              True, False, None, slot),
    )  # fmt: skip
    return AccountSnapshot(
        slot=slot, received_at=AT, total_collateral=1_000 * USDC, equity=1_003 * USDC, unrealized_pnl=3 * USDC,
        free_collateral=880 * USDC, initial_margin=120 * USDC, maintenance_margin=60 * USDC, leverage=4_200,
        health=94, usdc_amount=1_000 * USDC, sol_amount=0, positions=positions, orders=orders,
    )  # fmt: skip


def book(market: str = "SOL-PERP", mid: int = 152 * USDC, slot: int = 123_456, levels: int = 6) -> OrderBook:
    def side(sign: int) -> tuple[BookLevel, ...]:
        rows, total = [], 0
        for step in range(levels):
            size = (step + 1) * SOL
            total += size
            sources = (("dlob", size // 2), ("vamm", size - size // 2))
            rows.append(BookLevel(mid + sign * (step + 1) * 10_000, size, total, sources))
        return tuple(rows)

    return OrderBook(market, "perp", 0, side(-1), side(1), mid, mid - 5_000, slot, AT)
