"""The relaunched program's precisions and flags (as Drift's, which it forked)."""

PRICE_PRECISION = 10**6
QUOTE_PRECISION = 10**6
BASE_PRECISION = 10**9
MARGIN_PRECISION = 10**4
SPOT_WEIGHT_PRECISION = 10**4
CUMULATIVE_INTEREST_PRECISION = 10**10
FEE_DENOMINATOR = 100_000
MAX_SUB_ACCOUNTS = 8
# UserStats.referrer_status bits.
REFERRER_IS_REFERRER = 1
REFERRER_IS_REFERRED = 2
# State.feature_bit_flags: builder codes, and with them referral through escrows, are on.
BUILDER_CODES = 0b100
