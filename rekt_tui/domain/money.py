"""Exact money: Drift's integer precisions and strict parsing of amounts users type.

Nothing here uses float. Amounts typed by a user are parsed into integers in the
token's native precision, and refused with one sentence when they are not a plain
positive decimal the token can represent.
"""

from decimal import Decimal, InvalidOperation

from rekt_tui.domain.errors import UsageError

LAMPORTS_PER_SOL = 10**9
QUOTE_PRECISION = 10**6  # USDC, prices, quote amounts
BASE_PRECISION = 10**9  # perp base asset amounts
PERP_BASE_DECIMALS = 9  # the same, as decimal places
SOL_DECIMALS = 9
USDC_DECIMALS = 6


def parse_amount(text: str, decimals: int, *, what: str = "amount", maximum: Decimal | None = None) -> int:
    """Parse a positive decimal string into an integer with `decimals` places.

    Refuses NaN, infinities, exponents, signs, zero, more places than the token has,
    and values above `maximum`, each with a sentence that names the fix.
    """
    cleaned = text.strip().replace("_", "")
    if not cleaned:
        raise UsageError(f"{what[:1].upper()}{what[1:]} is empty; type it, like 1.5.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UsageError(f"{what} {text!r} is not a number; write it like 1.5.") from None
    if not value.is_finite():
        raise UsageError(f"{what} {text!r} is not a finite number; write it like 1.5.")
    if "e" in cleaned.lower():
        raise UsageError(f"{what} {text!r} uses an exponent; write it out in full, like 0.001.")
    if value <= 0:
        raise UsageError(f"{what} must be greater than zero (got {text.strip()}).")
    if -value.as_tuple().exponent > decimals:  # type: ignore[operator]
        raise UsageError(f"{what} {text.strip()} has more than {decimals} decimal places.")
    if maximum is not None and value > maximum:
        raise UsageError(f"{what} {text.strip()} is above the maximum of {maximum}.")
    return int(value.scaleb(decimals))


def to_decimal(amount: int, decimals: int) -> Decimal:
    return Decimal(amount).scaleb(-decimals)


def format_sol(lamports: int, places: int = 4) -> str:
    return f"{to_decimal(lamports, SOL_DECIMALS):,.{places}f} SOL"


def format_usd(quote: int, places: int = 2) -> str:
    value = to_decimal(quote, USDC_DECIMALS)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{places}f}"
