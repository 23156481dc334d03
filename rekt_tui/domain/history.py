"""A session's history from the venue's own records, and the figures of its result.

Records are what the exchange logged in the transactions that touched the session's
account (perp fills, spot fills, funding payments, PnL settlements, deposits and
withdrawals, liquidations), one per (signature, index of the record in that transaction).
Every amount is an integer in native precision: quote 1e6, perp base 1e9, spot base in its
mint's decimals. The figures are sums over records, and the accounting identity ties them
to the account as it is now:

    deposits - withdrawals + spot quote - spot fees + realized PnL + funding - fees
        = quote balance + unsettled

where `unsettled` is, per perp position, the quote the position holds beyond its entry
(its realized but not yet settled PnL), and `spot quote` what spot trades moved into the
quote balance (+ a sale's proceeds, - a purchase's cost). Both sides are exact integers.
Spot trades are no part of the perp result (PnL, fees, volume, trades, drawdown): a sale of
SOL to repay a borrow converts collateral, it is not a trade's result, and its fee is kept
apart so the perp fees stay the sum of the per-market ones. The session
wallet's SOL balances the same way, in lamports, against the gas it paid:

    funded - balance now - SOL deposited + SOL withdrawn - sent = fees + rent
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

QUOTE_MARKET_INDEX = 0  # USDC, the market every perp settles in
SOL_MARKET_INDEX = 1  # SOL's spot market: deposits and withdrawals in lamports


class RecordKind(str, Enum):
    FILL = "fill"  # a perp fill
    SPOT_FILL = "spot_fill"  # a spot market's fill: market_index names a spot market
    FUNDING = "funding"
    SETTLE_PNL = "settle_pnl"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    LIQUIDATION = "liquidation"


# Kinds whose market_index names a spot market (spot market 1 is SOL; perp market 1 is another market).
SPOT_KINDS = frozenset({RecordKind.DEPOSIT, RecordKind.WITHDRAWAL, RecordKind.SPOT_FILL})


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """One record the venue logged about the session's account, from this user's side.

    fill: `base`/`quote` are the account's signed change (+ bought / + received), `fee`
    is signed (+ paid, - rebate), `realized_pnl` what the fill closed against the entry.
    spot_fill: `base` (the spot market's token, its decimals) and `quote` signed the same
    way, `fee` signed; the quote balance moved by `quote - fee`.
    funding: `amount` is the payment (+ received). settle_pnl: `amount` moved into the
    quote balance. deposit/withdrawal: `amount` tokens of spot market `market_index`.
    liquidation: `base`/`quote`/`fee` of the closed position (its fill is a fill record too).
    """

    signature: str
    index: int  # the record's position among the venue's records in the transaction
    slot: int
    ts: int
    kind: RecordKind
    market_index: int
    base: int = 0
    quote: int = 0
    fee: int = 0
    realized_pnl: int = 0
    amount: int = 0
    role: str = ""  # fills: "taker", "maker" ("taker" for a liquidation's close)
    order_id: int = 0
    liquidation: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return self.signature, self.index


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Records of the oldest transactions after a cursor, oldest first; `cursor` is the
    newest signature they cover (None: nothing new), `complete` whether none remain."""

    records: list[ChainRecord]
    cursor: str | None
    complete: bool


@dataclass(frozen=True, slots=True)
class Ledger:
    """The account now, in the terms of the identity (quote 1e6)."""

    quote_balance: int  # the quote spot market's token amount (negative: a borrow)
    unsettled: dict[int, int]  # perp market index -> quote beyond entry (realized, unsettled)
    slot: int

    @property
    def collateral(self) -> int:
        return self.quote_balance + sum(self.unsettled.values())


def realized_on_close(base: int, quote: int, closed_base: int, closed_entry: int) -> int:
    """What a fill of `base` for `quote` (signed, the user's change) realized against the
    position it reduced: `closed_base` of it closed a position whose closed part cost
    `closed_entry` (absolute). On a flip, the closed part's quote is what remains after the
    opened part's share, rounded toward zero, as the program books the new entry."""
    if closed_base == 0 or base == 0:
        return 0
    opened = abs(base) - closed_base
    share = abs(quote) * opened // abs(base)
    closed_quote = quote - (share if quote >= 0 else -share)
    entry = closed_entry if base > 0 else -closed_entry  # a short received its entry; a long paid it
    return closed_quote + entry


@dataclass(frozen=True, slots=True)
class MarketFigures:
    market_index: int
    realized_pnl: int
    fees: int  # net of rebates
    funding: int
    volume: int
    trades: int


@dataclass(frozen=True, slots=True)
class SpotFigures:
    """One spot market's trades (base in the market's token decimals, quote 1e6, all positive)."""

    market_index: int
    bought: int
    sold: int
    paid: int  # quote spent on purchases
    received: int  # quote a sale brought in
    fees: int  # net of rebates
    trades: int

    @property
    def quote(self) -> int:
        """What the trades moved into the quote balance before fees (negative: spent)."""
        return self.received - self.paid


@dataclass(frozen=True, slots=True)
class SessionFigures:
    """A session's result from its records (quote 1e6)."""

    realized_pnl: int
    fees_paid: int
    rebates: int
    funding_received: int
    funding_paid: int  # positive: what was paid
    volume: int
    trades: int
    wins: int
    closes: int  # fills that realized PnL (won or lost)
    max_drawdown: int  # the largest fall of the running result, positive
    deposits: int  # quote market tokens
    withdrawals: int
    sol_deposits: int  # lamports, SOL's spot market
    sol_withdrawals: int
    settled_pnl: int
    markets: tuple[MarketFigures, ...]
    spot: tuple[SpotFigures, ...] = ()  # per spot market traded, apart from every perp figure

    @property
    def fees(self) -> int:
        return self.fees_paid - self.rebates

    @property
    def funding(self) -> int:
        return self.funding_received - self.funding_paid

    @property
    def net_result(self) -> int:
        return self.realized_pnl + self.funding - self.fees

    @property
    def spot_quote(self) -> int:
        """Quote the spot trades moved into the balance before fees (+ sold, - bought)."""
        return sum(market.quote for market in self.spot)

    @property
    def spot_fees(self) -> int:
        return sum(market.fees for market in self.spot)

    @property
    def win_rate(self) -> Decimal | None:
        """Won closes over all closes; None before anything closed."""
        return Decimal(self.wins) / Decimal(self.closes) if self.closes else None


def figures(records: list[ChainRecord]) -> SessionFigures:
    """Sum the records (given in chain order; sorting by slot keeps it) into the figures."""
    ordered = sorted(records, key=lambda record: record.slot)
    fills = [record for record in ordered if record.kind is RecordKind.FILL]
    funding = [record for record in ordered if record.kind is RecordKind.FUNDING]
    return SessionFigures(
        realized_pnl=sum(fill.realized_pnl for fill in fills),
        fees_paid=sum(fill.fee for fill in fills if fill.fee > 0),
        rebates=-sum(fill.fee for fill in fills if fill.fee < 0),
        funding_received=sum(record.amount for record in funding if record.amount > 0),
        funding_paid=-sum(record.amount for record in funding if record.amount < 0),
        volume=sum(abs(fill.quote) for fill in fills),
        trades=len(fills),
        wins=sum(1 for fill in fills if fill.realized_pnl > 0),
        closes=sum(1 for fill in fills if fill.realized_pnl != 0),
        max_drawdown=max_drawdown(ordered),
        deposits=_quote_amount(ordered, RecordKind.DEPOSIT),
        withdrawals=_quote_amount(ordered, RecordKind.WITHDRAWAL),
        sol_deposits=_spot_amount(ordered, RecordKind.DEPOSIT, SOL_MARKET_INDEX),
        sol_withdrawals=_spot_amount(ordered, RecordKind.WITHDRAWAL, SOL_MARKET_INDEX),
        settled_pnl=sum(record.amount for record in ordered if record.kind is RecordKind.SETTLE_PNL),
        markets=tuple(_market(index, ordered) for index in sorted({fill.market_index for fill in fills})),
        spot=tuple(_spot(index, ordered) for index in sorted({r.market_index for r in _spot_fills(ordered)})),
    )


def _spot_fills(records: list[ChainRecord]) -> list[ChainRecord]:
    return [record for record in records if record.kind is RecordKind.SPOT_FILL]


def _spot(index: int, records: list[ChainRecord]) -> SpotFigures:
    fills = [fill for fill in _spot_fills(records) if fill.market_index == index]
    return SpotFigures(
        market_index=index,
        bought=sum(fill.base for fill in fills if fill.base > 0),
        sold=-sum(fill.base for fill in fills if fill.base < 0),
        paid=-sum(fill.quote for fill in fills if fill.quote < 0),
        received=sum(fill.quote for fill in fills if fill.quote > 0),
        fees=sum(fill.fee for fill in fills),
        trades=len(fills),
    )


def _spot_amount(records: list[ChainRecord], kind: RecordKind, market_index: int) -> int:
    return sum(record.amount for record in records if record.kind is kind and record.market_index == market_index)


def _quote_amount(records: list[ChainRecord], kind: RecordKind) -> int:
    return _spot_amount(records, kind, QUOTE_MARKET_INDEX)


def _result_change(record: ChainRecord) -> int:
    if record.kind is RecordKind.FILL:
        return record.realized_pnl - record.fee
    return record.amount if record.kind is RecordKind.FUNDING else 0


def max_drawdown(records: list[ChainRecord]) -> int:
    """The largest fall of the running result (realized PnL + funding - fees) from a peak."""
    running = peak = worst = 0
    for record in records:
        running += _result_change(record)
        peak = max(peak, running)
        worst = max(worst, peak - running)
    return worst


def _market(index: int, records: list[ChainRecord]) -> MarketFigures:
    fills = [r for r in records if r.kind is RecordKind.FILL and r.market_index == index]
    return MarketFigures(
        market_index=index,
        realized_pnl=sum(fill.realized_pnl for fill in fills),
        fees=sum(fill.fee for fill in fills),
        funding=sum(r.amount for r in records if r.kind is RecordKind.FUNDING and r.market_index == index),
        volume=sum(abs(fill.quote) for fill in fills),
        trades=len(fills),
    )


@dataclass(frozen=True, slots=True)
class Identity:
    """deposits - withdrawals + spot quote - spot fees + realized PnL + funding - fees
    against the account now."""

    from_records: int
    collateral: int

    @property
    def difference(self) -> int:
        return self.collateral - self.from_records

    @property
    def holds(self) -> bool:
        return self.difference == 0


def identity(result: SessionFigures, ledger: Ledger) -> Identity:
    expected = result.deposits - result.withdrawals + result.spot_quote - result.spot_fees + result.net_result
    return Identity(from_records=expected, collateral=ledger.collateral)


@dataclass(frozen=True, slots=True)
class WalletFlows:
    """The session wallet's SOL (lamports) over every landed transaction naming it, up to `slot`."""

    funded: int  # received in transactions others paid for (airdrops, transfers in)
    sent: int  # moved out by the wallet's own System transfers (a sweep)
    fees: int  # transaction fees it paid, failed transactions included
    rent: int  # left in accounts its transactions opened, less what closing accounts gave back
    balance: int  # the wallet now, at `slot`
    slot: int
    transactions: int

    @property
    def gas(self) -> int:
        return self.fees + self.rent


@dataclass(frozen=True, slots=True)
class WalletIdentity:
    """funded - balance - SOL deposited + SOL withdrawn - sent against the gas paid."""

    from_balances: int
    gas: int

    @property
    def difference(self) -> int:
        return self.gas - self.from_balances

    @property
    def holds(self) -> bool:
        return self.difference == 0


def wallet_identity(records: list[ChainRecord], flows: WalletFlows) -> WalletIdentity:
    """The wallet's side of the identity; SOL deposits and withdrawals counted up to the
    slot the wallet was read at, so a transaction finalized in between is on neither side."""
    seen = [record for record in records if record.slot <= flows.slot]
    deposited = _spot_amount(seen, RecordKind.DEPOSIT, SOL_MARKET_INDEX)
    withdrawn = _spot_amount(seen, RecordKind.WITHDRAWAL, SOL_MARKET_INDEX)
    return WalletIdentity(flows.funded - flows.balance - deposited + withdrawn - flows.sent, flows.gas)
