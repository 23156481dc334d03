"""The relaunched program's accounts as small typed values, decoded once by the codec.

The codec hands out dictionaries of IDL values; the adapter reads a few dozen of their fields.
Each account kind becomes one frozen dataclass here, so the margin math and the conversion to
our domain values are typed and never index a dictionary by a misspelt name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.binary import CodecError, Value
from rekt_tui.velocity.codec.program import VelocityProgram

PRICE_PRECISION = 10**6
QUOTE_MARKET_INDEX = 0
SOL_MARKET_INDEX = 1
BUILDER_CODES = 0b100  # State.feature_bit_flags
REFERRAL_ROW = 0b100  # RevenueShareOrder.bit_flags; Open (1) and Completed (2) also hold a slot
TAKEN_ROW = 0b111
MAX_ESCROW_ORDERS = 128  # the program's limit on a RevenueShareEscrow's order slots


def _int(value: dict[str, Value], name: str) -> int:
    field = value[name]
    if isinstance(field, bool) or not isinstance(field, int):
        raise CodecError(f"{name} is not an integer.")
    return field


def _key(value: dict[str, Value], name: str) -> Pubkey:
    field = value[name]
    if not isinstance(field, Pubkey):
        raise CodecError(f"{name} is not an address.")
    return field


def _text(value: dict[str, Value], name: str) -> str:
    field = value[name]
    if isinstance(field, bytes):
        return field.decode("utf-8", errors="replace").strip(" \x00")
    if not isinstance(field, str):
        raise CodecError(f"{name} is not a name.")
    return field


def _struct(value: dict[str, Value], name: str) -> dict[str, Value]:
    field = value[name]
    if not isinstance(field, dict):
        raise CodecError(f"{name} is not a struct.")
    return field


def _items(value: dict[str, Value], name: str) -> list[dict[str, Value]]:
    field = value[name]
    if not isinstance(field, list):
        raise CodecError(f"{name} is not a list.")
    return [item for item in field if isinstance(item, dict)]


@dataclass(frozen=True)
class SpotPositionView:
    market_index: int
    scaled_balance: int
    borrow: bool
    open_orders: int


@dataclass(frozen=True)
class PerpPositionView:
    market_index: int
    base_asset_amount: int
    quote_asset_amount: int
    quote_entry_amount: int
    quote_break_even_amount: int
    open_bids: int
    open_asks: int
    open_orders: int
    last_cumulative_funding_rate: int

    @property
    def is_empty(self) -> bool:
        return not (self.base_asset_amount or self.quote_asset_amount or self.open_orders
                    or self.open_bids or self.open_asks)  # fmt: skip


@dataclass(frozen=True)
class OrderView:
    order_id: int
    user_order_id: int
    status: str
    order_type: str
    market_type: str
    market_index: int
    direction: str
    base_asset_amount: int
    base_asset_amount_filled: int
    price: int
    trigger_price: int
    reduce_only: bool
    post_only: bool
    max_ts: int
    slot: int


@dataclass(frozen=True)
class UserView:
    authority: Pubkey
    sub_account_id: int
    spot_positions: tuple[SpotPositionView, ...]
    perp_positions: tuple[PerpPositionView, ...]
    orders: tuple[OrderView, ...]
    total_deposits: int
    total_withdraws: int
    next_order_id: int
    equity_floor: int


@dataclass(frozen=True)
class UserStatsView:
    authority: Pubkey
    referrer: Pubkey


@dataclass(frozen=True)
class PerpMarketView:
    market_index: int
    symbol: str
    oracle: Pubkey
    clob_market: Pubkey
    quoter_slab: Pubkey
    status: str
    paused_operations: int
    tick_size: int
    step_size: int
    min_order_size: int
    margin_ratio_initial: int
    margin_ratio_maintenance: int
    unrealized_pnl_initial_asset_weight: int
    unrealized_pnl_maintenance_asset_weight: int
    imf_factor: int
    last_fill_price: int
    cumulative_funding_rate_long: int
    cumulative_funding_rate_short: int


@dataclass(frozen=True)
class SpotMarketView:
    market_index: int
    symbol: str
    oracle: Pubkey
    oracle_source: str
    mint: Pubkey
    vault: Pubkey
    decimals: int
    status: str
    paused_operations: int
    tick_size: int
    step_size: int
    min_order_size: int
    cumulative_deposit_interest: int
    cumulative_borrow_interest: int
    initial_asset_weight: int
    maintenance_asset_weight: int
    initial_liability_weight: int
    maintenance_liability_weight: int
    token_program_flag: int

    def token_amount(self, position: SpotPositionView) -> int:
        """Signed tokens of a position: deposits round down, borrows up, as the program does."""
        precision: int = 10 ** (19 - self.decimals)
        if position.borrow:
            return -(position.scaled_balance * self.cumulative_borrow_interest) // precision  # -ceil
        return position.scaled_balance * self.cumulative_deposit_interest // precision


@dataclass(frozen=True)
class FeeTierView:
    """The State's first perp fee tier: what an account without volume pays."""

    fee_numerator: int
    fee_denominator: int
    maker_rebate_numerator: int
    maker_rebate_denominator: int
    referee_fee_numerator: int
    referee_fee_denominator: int


@dataclass(frozen=True)
class StateView:
    exchange_status: int
    number_of_markets: int
    number_of_spot_markets: int
    perp_fee_tier: FeeTierView
    builder_codes: bool  # `feature_bit_flags` BuilderCodes: referral is paid through escrows


@dataclass(frozen=True)
class EscrowView:
    """The trader's RevenueShareEscrow: the referrer it pays, and its order slots (a referred
    fill takes one slot per market for good, and earns nothing when none is free)."""

    referrer: Pubkey
    referral_markets: frozenset[int]
    free_slots: int
    slots: int

    def refers(self, market_index: int) -> bool:
        """True when a taker fill in the market earns the referee discount: its market has a
        referral slot, a free one, or one the taker's transaction adds (`referral_room`)."""
        if self.referrer == Pubkey.default():
            return False
        return market_index in self.referral_markets or self.free_slots > 0 or self.slots < MAX_ESCROW_ORDERS

    def slots_for(self, market_indexes: Iterable[int]) -> int:
        """How many slots the escrow needs so that each of these markets has a referral slot."""
        wanted = len(set(market_indexes) - self.referral_markets) - self.free_slots
        return min(self.slots + max(wanted, 0), MAX_ESCROW_ORDERS)


def user(program: VelocityProgram, data: bytes) -> UserView:
    raw = program.accounts.decode("User", data)
    spots = tuple(
        SpotPositionView(_int(p, "market_index"), _int(p, "scaled_balance"), p["balance_type"] == "Borrow",
                         _int(p, "open_orders"))
        for p in _items(raw, "spot_positions")
    )  # fmt: skip
    perps = tuple(
        PerpPositionView(
            _int(p, "market_index"), _int(p, "base_asset_amount"), _int(p, "quote_asset_amount"),
            _int(p, "quote_entry_amount"), _int(p, "quote_break_even_amount"), _int(p, "open_bids"),
            _int(p, "open_asks"), _int(p, "open_orders"), _int(p, "last_cumulative_funding_rate"),
        )
        for p in _items(raw, "perp_positions")
    )  # fmt: skip
    orders = tuple(
        OrderView(
            _int(o, "order_id"), _int(o, "user_order_id"), str(o["status"]), str(o["order_type"]),
            str(o["market_type"]), _int(o, "market_index"), str(o["direction"]), _int(o, "base_asset_amount"),
            _int(o, "base_asset_amount_filled"), _int(o, "price"), _int(o, "trigger_price"), bool(o["reduce_only"]),
            bool(o["post_only"]), _int(o, "max_ts"), _int(o, "slot"),
        )
        for o in _items(raw, "orders")
    )  # fmt: skip
    return UserView(
        _key(raw, "authority"), _int(raw, "sub_account_id"), spots, perps, orders, _int(raw, "total_deposits"),
        _int(raw, "total_withdraws"), _int(raw, "next_order_id"), _int(raw, "equity_floor"),
    )  # fmt: skip


def user_stats(program: VelocityProgram, data: bytes) -> UserStatsView:
    raw = program.accounts.decode("UserStats", data)
    return UserStatsView(_key(raw, "authority"), _key(raw, "referrer"))


def perp_market(program: VelocityProgram, data: bytes) -> PerpMarketView:
    raw = program.accounts.decode("PerpMarket", data)
    amm = _struct(raw, "amm")
    return PerpMarketView(
        market_index=_int(raw, "market_index"), symbol=_text(raw, "name"), oracle=_key(raw, "oracle"),
        clob_market=_key(raw, "clob_market"), quoter_slab=_key(raw, "quoter_slab"), status=str(raw["status"]),
        paused_operations=_int(raw, "paused_operations"), tick_size=_int(raw, "order_tick_size"),
        step_size=_int(raw, "order_step_size"), min_order_size=_min_order_size(raw, amm),
        margin_ratio_initial=_int(raw, "margin_ratio_initial"),
        margin_ratio_maintenance=_int(raw, "margin_ratio_maintenance"),
        unrealized_pnl_initial_asset_weight=_int(raw, "unrealized_pnl_initial_asset_weight"),
        unrealized_pnl_maintenance_asset_weight=_int(raw, "unrealized_pnl_maintenance_asset_weight"),
        imf_factor=_int(raw, "imf_factor"), last_fill_price=_int(raw, "last_fill_price"),
        cumulative_funding_rate_long=_int(raw, "cumulative_funding_rate_long"),
        cumulative_funding_rate_short=_int(raw, "cumulative_funding_rate_short"),
    )  # fmt: skip


def _min_order_size(raw: dict[str, Value], amm: dict[str, Value]) -> int:
    """The relaunch moved tick and step from the AMM onto the market and the minimum size into
    `market_stats`; the program refuses less than the larger of it and one step."""
    return max(_int(_struct(raw, "market_stats"), "min_order_size"), _int(raw, "order_step_size"))


def spot_market(program: VelocityProgram, data: bytes) -> SpotMarketView:
    raw = program.accounts.decode("SpotMarket", data)
    return SpotMarketView(
        market_index=_int(raw, "market_index"), symbol=_text(raw, "name"), oracle=_key(raw, "oracle"),
        oracle_source=str(raw["oracle_source"]), mint=_key(raw, "mint"), vault=_key(raw, "vault"),
        decimals=_int(raw, "decimals"), status=str(raw["status"]), paused_operations=_int(raw, "paused_operations"),
        tick_size=max(_int(raw, "order_tick_size"), 1), step_size=max(_int(raw, "order_step_size"), 1),
        min_order_size=max(_int(raw, "min_order_size"), 1),
        cumulative_deposit_interest=_int(raw, "cumulative_deposit_interest"),
        cumulative_borrow_interest=_int(raw, "cumulative_borrow_interest"),
        initial_asset_weight=_int(raw, "initial_asset_weight"),
        maintenance_asset_weight=_int(raw, "maintenance_asset_weight"),
        initial_liability_weight=_int(raw, "initial_liability_weight"),
        maintenance_liability_weight=_int(raw, "maintenance_liability_weight"),
        token_program_flag=_int(raw, "token_program_flag"),
    )  # fmt: skip


def state(program: VelocityProgram, data: bytes) -> StateView:
    raw = program.accounts.decode("State", data)
    tier = _items(_struct(raw, "perp_fee_structure"), "fee_tiers")[0]
    fees = FeeTierView(*(_int(tier, name) for name in (
        "fee_numerator", "fee_denominator", "maker_rebate_numerator", "maker_rebate_denominator",
        "referee_fee_numerator", "referee_fee_denominator",
    )))  # fmt: skip
    return StateView(
        _int(raw, "exchange_status"), _int(raw, "number_of_markets"), _int(raw, "number_of_spot_markets"), fees,
        bool(_int(raw, "feature_bit_flags") & BUILDER_CODES),
    )


def escrow(program: VelocityProgram, data: bytes) -> EscrowView:
    raw = program.accounts.decode("RevenueShareEscrow", data)
    rows = _items(raw, "orders")
    flags = [_int(row, "bit_flags") for row in rows]
    referral = frozenset(
        _int(row, "market_index") for row, bits in zip(rows, flags)
        if bits & REFERRAL_ROW and row["market_type"] == "Perp"
    )  # fmt: skip
    return EscrowView(_key(raw, "referrer"), referral, sum(1 for bits in flags if not bits & TAKEN_ROW), len(rows))


def oracle_price(program: VelocityProgram, data: bytes | None, source: str) -> int | None:
    """An oracle's price in PRICE_PRECISION (1e6), by the account's own discriminator:
    a PrelaunchOracle stores 1e6 already, a PythLazerOracle an integer and its exponent.
    The quote asset's "oracle" is fixed at 1. None: no account, or not an oracle we read."""
    if source == "QuoteAsset":
        return PRICE_PRECISION
    if data is None:
        return None
    try:
        kind = program.accounts.identify(data)
        if kind not in ("PrelaunchOracle", "PythLazerOracle"):
            return None
        raw = program.accounts.decode(kind, data)
    except CodecError:
        return None
    price = _int(raw, "price")
    if kind == "PrelaunchOracle":
        return price
    exponent = _int(raw, "exponent") + 6
    scale: int = 10 ** abs(exponent)
    return price * scale if exponent >= 0 else price // scale
