"""Drift v2's User, UserStats, PerpMarket, SpotMarket and PrelaunchOracle at fixed offsets.

A read-only command decodes only the fields the margin math and the status need, straight
from the account bytes, so it never loads driftpy's IDL coder (most of a second). The
offsets are those of driftpy's IDL (`idl/drift.json`, discriminator included); a test
decodes the same bytes with driftpy and compares every field. Names follow driftpy's, so
`light_margin` reads like the code it mirrors. Enums are kept as their variant's name.
"""

import struct
from dataclasses import dataclass

from rekt_tui.domain.pubkey import b58encode

# On-chain sizes (discriminator included): the rent of both is what opening a Drift account costs.
USER_ACCOUNT_SIZE = 4376
USER_STATS_ACCOUNT_SIZE = 240
# Where each array of the User starts and how long one element is (8 spot, 8 perp, 32 orders).
SPOT_POSITION_AT, SPOT_POSITION_SIZE = 104, 40
PERP_POSITION_AT, PERP_POSITION_SIZE = 424, 96
ORDERS, ORDER_AT, ORDER_SIZE = 32, 1192, 96

ORACLE_SOURCES = (
    "Pyth", "Switchboard", "QuoteAsset", "Pyth1K", "Pyth1M", "PythStableCoin", "Prelaunch", "PythPull", "Pyth1KPull",
    "Pyth1MPull", "PythStableCoinPull", "SwitchboardOnDemand", "PythLazer", "PythLazer1K", "PythLazer1M",
    "PythLazerStableCoin",
)  # fmt: skip
MARKET_STATUSES = (
    "Initialized", "Active", "FundingPaused", "AmmPaused", "FillPaused", "WithdrawPaused", "ReduceOnly", "Settlement",
    "Delisted",
)  # fmt: skip
CONTRACT_TYPES = ("Perpetual", "Future", "Prediction")
MARGIN_MODES = ("Default", "HighLeverage", "HighLeverageMaintenance")
ORDER_STATUSES = ("Init", "Open", "Filled", "Canceled")
ORDER_TYPES = ("Market", "Limit", "TriggerMarket", "TriggerLimit", "Oracle")
MARKET_TYPES = ("Spot", "Perp")
DIRECTIONS = ("Long", "Short")
BALANCE_TYPES = ("Deposit", "Borrow")


def _u(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at : at + size], "little")


def _i(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at : at + size], "little", signed=True)


def _key(data: bytes, at: int) -> str:
    return b58encode(data[at : at + 32])


def _name(data: bytes, at: int) -> str:
    return data[at : at + 32].decode("utf-8", errors="replace").strip()


@dataclass(frozen=True, slots=True)
class SpotPosition:
    scaled_balance: int
    open_bids: int
    open_asks: int
    market_index: int
    balance_type: str
    open_orders: int


@dataclass(frozen=True, slots=True)
class PerpPosition:
    last_cumulative_funding_rate: int
    base_asset_amount: int
    quote_asset_amount: int
    quote_break_even_amount: int
    quote_entry_amount: int
    open_bids: int
    open_asks: int
    lp_shares: int
    market_index: int
    open_orders: int


@dataclass(frozen=True, slots=True)
class Order:
    slot: int
    price: int
    base_asset_amount: int
    base_asset_amount_filled: int
    trigger_price: int
    max_ts: int
    order_id: int
    market_index: int
    status: str
    order_type: str
    market_type: str
    user_order_id: int
    direction: str
    reduce_only: bool
    post_only: bool


@dataclass(frozen=True, slots=True)
class User:
    authority: str
    spot_positions: tuple[SpotPosition, ...]
    perp_positions: tuple[PerpPosition, ...]
    orders: tuple[Order, ...]
    total_deposits: int
    total_withdraws: int
    max_margin_ratio: int
    status: int
    margin_mode: str


@dataclass(frozen=True, slots=True)
class PerpMarket:
    market_index: int
    name: str
    status: str
    contract_type: str
    paused_operations: int
    oracle: str
    oracle_source: str
    cumulative_funding_rate_long: int
    cumulative_funding_rate_short: int
    order_step_size: int
    order_tick_size: int
    min_order_size: int
    unrealized_pnl_max_imbalance: int
    expiry_price: int
    imf_factor: int
    unrealized_pnl_imf_factor: int
    margin_ratio_initial: int
    margin_ratio_maintenance: int
    unrealized_pnl_initial_asset_weight: int
    unrealized_pnl_maintenance_asset_weight: int
    quote_spot_market_index: int


@dataclass(frozen=True, slots=True)
class SpotMarket:
    market_index: int
    name: str
    status: str
    oracle: str
    oracle_source: str
    last_oracle_price_twap5min: int
    last_oracle_price_twap_ts: int
    deposit_balance: int
    cumulative_deposit_interest: int
    cumulative_borrow_interest: int
    initial_asset_weight: int
    maintenance_asset_weight: int
    initial_liability_weight: int
    maintenance_liability_weight: int
    imf_factor: int
    decimals: int
    scale_initial_asset_weight_start: int


def _spot_position(data: bytes, at: int) -> SpotPosition:
    return SpotPosition(
        scaled_balance=_u(data, at, 8), open_bids=_i(data, at + 8, 8), open_asks=_i(data, at + 16, 8),
        market_index=_u(data, at + 32, 2), balance_type=BALANCE_TYPES[data[at + 34]], open_orders=data[at + 35],
    )  # fmt: skip


def _perp_position(data: bytes, at: int) -> PerpPosition:
    last_funding, base, quote, break_even, entry, bids, asks = struct.unpack_from("<7q", data, at)
    return PerpPosition(
        last_cumulative_funding_rate=last_funding, base_asset_amount=base, quote_asset_amount=quote,
        quote_break_even_amount=break_even, quote_entry_amount=entry, open_bids=bids, open_asks=asks,
        lp_shares=_u(data, at + 64, 8), market_index=_u(data, at + 92, 2), open_orders=data[at + 94],
    )  # fmt: skip


def _order(data: bytes, at: int) -> Order:
    slot, price, base, filled, _quote_filled, trigger = struct.unpack_from("<6Q", data, at)
    return Order(
        slot=slot, price=price, base_asset_amount=base, base_asset_amount_filled=filled, trigger_price=trigger,
        max_ts=_i(data, at + 64, 8), order_id=_u(data, at + 76, 4), market_index=_u(data, at + 80, 2),
        status=ORDER_STATUSES[data[at + 82]], order_type=ORDER_TYPES[data[at + 83]],
        market_type=MARKET_TYPES[data[at + 84]], user_order_id=data[at + 85], direction=DIRECTIONS[data[at + 87]],
        reduce_only=bool(data[at + 88]), post_only=bool(data[at + 89]),
    )  # fmt: skip


def decode_user(data: bytes) -> User:
    return User(
        authority=_key(data, 8),
        spot_positions=tuple(_spot_position(data, SPOT_POSITION_AT + i * SPOT_POSITION_SIZE) for i in range(8)),
        perp_positions=tuple(_perp_position(data, PERP_POSITION_AT + i * PERP_POSITION_SIZE) for i in range(8)),
        orders=tuple(_order(data, ORDER_AT + i * ORDER_SIZE) for i in range(ORDERS)),
        total_deposits=_u(data, 4272, 8),
        total_withdraws=_u(data, 4280, 8),
        max_margin_ratio=_u(data, 4340, 4),
        status=data[4348],
        margin_mode=MARGIN_MODES[data[4355]],
    )  # fmt: skip


def decode_user_stats_referrer(data: bytes) -> str:
    return _key(data, 40)


def decode_perp_market(data: bytes) -> PerpMarket:
    return PerpMarket(
        market_index=_u(data, 1160, 2), name=_name(data, 1000), status=MARKET_STATUSES[data[1162]],
        contract_type=CONTRACT_TYPES[data[1163]], paused_operations=data[1165], oracle=_key(data, 40),
        oracle_source=ORACLE_SOURCES[data[926]], cumulative_funding_rate_long=_i(data, 608, 16),
        cumulative_funding_rate_short=_i(data, 624, 16), order_step_size=_u(data, 808, 8),
        order_tick_size=_u(data, 816, 8), min_order_size=_u(data, 824, 8),
        unrealized_pnl_max_imbalance=_u(data, 1072, 8), expiry_price=_i(data, 1088, 8), imf_factor=_u(data, 1120, 4),
        unrealized_pnl_imf_factor=_u(data, 1124, 4), margin_ratio_initial=_u(data, 1136, 4),
        margin_ratio_maintenance=_u(data, 1140, 4), unrealized_pnl_initial_asset_weight=_u(data, 1144, 4),
        unrealized_pnl_maintenance_asset_weight=_u(data, 1148, 4), quote_spot_market_index=_u(data, 1166, 2),
    )  # fmt: skip


def decode_spot_market(data: bytes) -> SpotMarket:
    return SpotMarket(
        market_index=_u(data, 684, 2), name=_name(data, 136), status=MARKET_STATUSES[data[688]],
        oracle=_key(data, 40), oracle_source=ORACLE_SOURCES[data[687]], last_oracle_price_twap5min=_i(data, 200, 8),
        last_oracle_price_twap_ts=_i(data, 208, 8), deposit_balance=_u(data, 432, 16),
        cumulative_deposit_interest=_u(data, 464, 16), cumulative_borrow_interest=_u(data, 480, 16),
        initial_asset_weight=_u(data, 640, 4), maintenance_asset_weight=_u(data, 644, 4),
        initial_liability_weight=_u(data, 648, 4), maintenance_liability_weight=_u(data, 652, 4),
        imf_factor=_u(data, 656, 4), decimals=_u(data, 680, 4), scale_initial_asset_weight_start=_u(data, 720, 8),
    )  # fmt: skip


def decode_prelaunch_price(data: bytes) -> int:
    return _i(data, 8, 8)
