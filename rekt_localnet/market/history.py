"""The market's history on disk: trades, one-minute candles and funding records.

A ledger observer turns the fill and funding lines that Drift's handlers log in landed
transactions into rows of `history.sqlite3` beside the ledger, and `tick` (once a slot,
after the oracle moved) folds each perp market's oracle price into its minute candle.
The ledger is the truth: at start the history catches up from the transactions the
ledger persisted since the last one it recorded, so a crash between the two never
leaves a hole, and a trade is counted once (its signature and place in the logs are
its key). Coarser candles are summed from the minute rows when asked for.
"""

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from driftpy.addresses import get_perp_market_public_key

from rekt_localnet.account import Account
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.ledger import Ledger
from rekt_localnet.markets import PERP_MARKETS
from rekt_localnet.oracle_layout import perp_market_fields
from rekt_localnet.programs.drift import FILL_LOG_PREFIX
from rekt_localnet.programs.drift.constants import BASE_PRECISION
from rekt_localnet.programs.drift.funding import FUNDING_LOG_PREFIX
from rekt_localnet.store import TransactionRecord

HISTORY_FILE = "history.sqlite3"
MINUTE = 60
SCHEMA = """
CREATE TABLE IF NOT EXISTS trades (
    signature TEXT NOT NULL, seq INTEGER NOT NULL, market_type TEXT NOT NULL, market_index INTEGER NOT NULL,
    slot INTEGER NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (signature, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trades_by_market ON trades (market_type, market_index, slot);
CREATE TABLE IF NOT EXISTS funding (
    signature TEXT PRIMARY KEY, market_index INTEGER NOT NULL, slot INTEGER NOT NULL, ts INTEGER NOT NULL,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS candles (
    market_type TEXT NOT NULL, market_index INTEGER NOT NULL, start INTEGER NOT NULL,
    fill_open INTEGER, fill_high INTEGER, fill_low INTEGER, fill_close INTEGER,
    oracle_open INTEGER, oracle_high INTEGER, oracle_low INTEGER, oracle_close INTEGER,
    base_volume INTEGER NOT NULL DEFAULT 0, quote_volume INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (market_type, market_index, start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS progress (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identity (genesis_hash TEXT NOT NULL);
"""
FILL_SQL = """
INSERT INTO candles (market_type, market_index, start, fill_open, fill_high, fill_low, fill_close,
                     base_volume, quote_volume)
VALUES (:type, :index, :start, :price, :price, :price, :price, :base, :quote)
ON CONFLICT DO UPDATE SET
    fill_open = coalesce(fill_open, :price), fill_high = max(coalesce(fill_high, :price), :price),
    fill_low = min(coalesce(fill_low, :price), :price), fill_close = :price,
    base_volume = base_volume + :base, quote_volume = quote_volume + :quote
"""
ORACLE_SQL = """
INSERT INTO candles (market_type, market_index, start, oracle_open, oracle_high, oracle_low, oracle_close)
VALUES ('perp', :index, :start, :price, :price, :price, :price)
ON CONFLICT DO UPDATE SET
    oracle_open = coalesce(oracle_open, :price), oracle_high = max(coalesce(oracle_high, :price), :price),
    oracle_low = min(coalesce(oracle_low, :price), :price), oracle_close = :price
"""


@dataclass(frozen=True, slots=True)
class Candle:
    """One candle; prices in 1e6 (None: no trade, or no oracle sample, in it), volumes in
    base (1e9) and quote (1e6) units."""

    start: int
    fill_open: int | None
    fill_high: int | None
    fill_low: int | None
    fill_close: int | None
    oracle_open: int | None
    oracle_high: int | None
    oracle_low: int | None
    oracle_close: int | None
    base_volume: int
    quote_volume: int


def _logged(record: TransactionRecord, prefix: str) -> list[dict]:
    marker = "Program log: " + prefix
    lines = record.meta.get("logMessages") or ()
    return [json.loads(line[len(marker):]) for line in lines if line.startswith(marker)]


def _merge(candles: list[Candle], start: int) -> Candle:
    """Minute candles (oldest first) as one candle starting at `start`."""
    fills = [c for c in candles if c.fill_open is not None]
    oracles = [c for c in candles if c.oracle_open is not None]
    return Candle(
        start,
        fills[0].fill_open if fills else None,
        max(c.fill_high for c in fills) if fills else None,
        min(c.fill_low for c in fills) if fills else None,
        fills[-1].fill_close if fills else None,
        oracles[0].oracle_open if oracles else None,
        max(c.oracle_high for c in oracles) if oracles else None,
        min(c.oracle_low for c in oracles) if oracles else None,
        oracles[-1].oracle_close if oracles else None,
        sum(c.base_volume for c in candles),
        sum(c.quote_volume for c in candles),
    )


class MarketHistory:
    """Records and answers the market history of one ledger directory."""

    def __init__(
        self, directory: Path, ledger: Ledger, *, clock: Callable[[], float] = time.time,
        oracle_prices: Callable[[], dict[int, int]] | None = None,
    ) -> None:
        """`oracle_prices`: each perp market's oracle price now (1e6) by index, for a ledger whose
        markets are not Drift's (the relaunch's); None reads Drift's PerpMarkets."""
        self._ledger = ledger
        self._clock = clock
        self._oracle_prices = oracle_prices or self._drift_oracle_prices
        self._db = sqlite3.connect(Path(directory) / HISTORY_FILE, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._fields = perp_market_fields()
        self._markets = {
            spec.market_index: get_perp_market_public_key(DRIFT_PROGRAM_ID, spec.market_index) for spec in PERP_MARKETS
        }
        self._belong_to(ledger.genesis_hash)
        row = self._db.execute("SELECT value FROM progress WHERE key = 'slot'").fetchone()
        for record in ledger.landed_since(row[0] if row else 0):
            self.on_transaction(record)
        ledger.add_observer(self)

    def close(self) -> None:
        self._db.close()

    def _belong_to(self, genesis_hash: str) -> None:
        """Forget a history written for another chain (the ledger was started --fresh)."""
        row = self._db.execute("SELECT genesis_hash FROM identity").fetchone()
        if row is not None and row[0] == genesis_hash:
            return
        self._db.execute("BEGIN")
        for table in ("trades", "funding", "candles", "progress", "identity"):
            self._db.execute(f"DELETE FROM {table}")
        self._db.execute("INSERT INTO identity VALUES (?)", (genesis_hash,))
        self._db.execute("COMMIT")

    # Recording

    def on_transaction(self, record: TransactionRecord) -> None:
        if record.err is not None:
            return
        fills, funding = _logged(record, FILL_LOG_PREFIX), _logged(record, FUNDING_LOG_PREFIX)
        if not (fills or funding):
            return
        db = self._db
        db.execute("BEGIN")
        for seq, fill in enumerate(fills):
            fill["signature"] = record.signature
            row = (record.signature, seq, fill["market_type"], fill["market_index"], fill["slot"], fill["ts"])
            added = db.execute("INSERT OR IGNORE INTO trades VALUES (?, ?, ?, ?, ?, ?, ?)", (*row, json.dumps(fill)))
            if added.rowcount:
                quote = fill["price"] * fill["base"] // BASE_PRECISION
                values = {"type": fill["market_type"], "index": fill["market_index"], "price": fill["price"],
                          "start": fill["ts"] - fill["ts"] % MINUTE, "base": fill["base"], "quote": quote}  # fmt: skip
                db.execute(FILL_SQL, values)
        for entry in funding:
            entry["signature"] = record.signature
            row = (record.signature, entry["market_index"], entry["slot"], entry["ts"], json.dumps(entry))
            db.execute("INSERT OR IGNORE INTO funding VALUES (?, ?, ?, ?, ?)", row)
        db.execute("INSERT OR REPLACE INTO progress VALUES ('slot', ?)", (record.slot,))
        db.execute("COMMIT")

    def tick(self, slot: int) -> None:
        """Fold every perp market's oracle price into its minute candle."""
        now = int(self._clock())
        start = now - now % MINUTE
        rows = [{"index": index, "start": start, "price": price} for index, price in self._oracle_prices().items()]
        self._db.execute("BEGIN")
        self._db.executemany(ORACLE_SQL, rows)
        self._db.execute("COMMIT")

    def _drift_oracle_prices(self) -> dict[int, int]:
        prices = {}
        for index, key in self._markets.items():
            account = self._ledger.get(key)
            if account is not None:
                prices[index] = self._fields.last_oracle_price.read(account.data)
        return prices

    def on_slot(self, slot: int) -> None:
        pass

    def on_account(self, key, account: Account | None, slot: int) -> None:
        pass

    # Answers

    def trades(self, market_type: str, index: int, *, limit: int, since_ts: int = 0) -> list[dict]:
        """Trades of one market, newest first."""
        rows = self._db.execute(
            "SELECT body FROM trades WHERE market_type = ? AND market_index = ? AND ts >= ?"
            " ORDER BY slot DESC, signature DESC, seq DESC LIMIT ?",
            (market_type, index, since_ts, limit),
        )
        return [json.loads(body) for (body,) in rows]

    def candles(self, market_type: str, index: int, *, seconds: int, limit: int, newest: int) -> list[Candle]:
        """Up to `limit` candles of `seconds` each, newest first, the newest starting at or
        before `newest`. A span without a minute row has no candle (a gap)."""
        oldest = newest - newest % seconds - (limit - 1) * seconds
        rows = self._db.execute(
            "SELECT start, fill_open, fill_high, fill_low, fill_close, oracle_open, oracle_high, oracle_low,"
            " oracle_close, base_volume, quote_volume FROM candles"
            " WHERE market_type = ? AND market_index = ? AND start >= ? AND start <= ? ORDER BY start",
            (market_type, index, oldest, newest),
        )
        buckets: dict[int, list[Candle]] = {}
        for row in rows:
            minute = Candle(*row)
            buckets.setdefault(minute.start - minute.start % seconds, []).append(minute)
        return [_merge(group, start) for start, group in sorted(buckets.items(), reverse=True)][:limit]

    def funding(self, index: int, *, since_ts: int) -> list[dict]:
        """Funding records of one perp market, oldest first."""
        rows = self._db.execute(
            "SELECT body FROM funding WHERE market_index = ? AND ts >= ? ORDER BY slot", (index, since_ts)
        )
        return [json.loads(body) for (body,) in rows]
