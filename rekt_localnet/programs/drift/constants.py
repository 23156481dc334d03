"""Drift's fixed-point precisions and status bit flags, as the program defines them.

Bit flags are `1 << index` of the IDL enum variants (ExchangeStatus, PerpOperation,
SpotOperation, ReferrerStatus): the program stores sets of them in a single u8.
"""

PRICE_PRECISION = 10**6
QUOTE_PRECISION = 10**6
BASE_PRECISION = 10**9
MARGIN_PRECISION = 10**4
SPOT_WEIGHT_PRECISION = 10**4
PERCENTAGE_PRECISION = 10**6
# Each open order adds one cent to the margin requirement (OPEN_ORDER_MARGIN_REQUIREMENT).
OPEN_ORDER_MARGIN_REQUIREMENT = QUOTE_PRECISION // 100
QUOTE_SPOT_MARKET_INDEX = 0

MAX_PERP_POSITIONS = 8
MAX_SPOT_POSITIONS = 8

# ExchangeStatus
EXCHANGE_DEPOSIT_PAUSED = 1 << 0
EXCHANGE_WITHDRAW_PAUSED = 1 << 1
EXCHANGE_AMM_PAUSED = 1 << 2
EXCHANGE_FILL_PAUSED = 1 << 3
EXCHANGE_LIQ_PAUSED = 1 << 4
EXCHANGE_FUNDING_PAUSED = 1 << 5
EXCHANGE_SETTLE_PNL_PAUSED = 1 << 6

# PerpOperation
PERP_OP_UPDATE_FUNDING = 1 << 0
PERP_OP_AMM_FILL = 1 << 1
PERP_OP_FILL = 1 << 2
PERP_OP_SETTLE_PNL = 1 << 3
PERP_OP_LIQUIDATION = 1 << 5

# SpotOperation
SPOT_OP_FILL = 1 << 1
SPOT_OP_DEPOSIT = 1 << 2
SPOT_OP_WITHDRAW = 1 << 3

# ReferrerStatus
REFERRER_IS_REFERRER = 1 << 0
REFERRER_IS_REFERRED = 1 << 1

# Market orders without an explicit auction get one of this many slots, whose end price
# is this far (in PERCENTAGE_PRECISION) from the oracle, capped by the order's limit.
DEFAULT_AUCTION_END_OFFSET = 5_000
