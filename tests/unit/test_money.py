from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.money import format_sol, format_usd, parse_amount, to_decimal


@pytest.mark.parametrize(
    ("text", "decimals", "expected"),
    [("1", 9, 10**9), ("0.5", 6, 500_000), ("1_000.25", 6, 1_000_250_000), (" 0.000000001 ", 9, 1)],
)
def test_parse_amount_is_exact(text, decimals, expected):
    assert parse_amount(text, decimals) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("-1", "greater than zero"),
        ("0", "greater than zero"),
        ("0.0", "greater than zero"),
        ("NaN", "not a finite number"),
        ("inf", "not a finite number"),
        ("1e3", "exponent"),
        ("abc", "not a number"),
        ("", "Size is empty; type it, like 1.5."),
        ("  ", "Size is empty"),
        ("0.0000001", "more than 6 decimal places"),
    ],
)
def test_parse_amount_refuses_with_one_sentence(text, fragment):
    with pytest.raises(UsageError) as caught:
        parse_amount(text, 6, what="size")
    assert fragment in caught.value.message
    assert "\n" not in caught.value.message


def test_parse_amount_enforces_maximum():
    with pytest.raises(UsageError, match="above the maximum of 100"):
        parse_amount("100.5", 6, maximum=Decimal(100))


@given(st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("1e12"), places=6))
def test_parse_amount_round_trips_any_representable_amount(value):
    assert to_decimal(parse_amount(str(value), 6), 6) == value


def test_formatting_keeps_sign_and_precision():
    assert format_sol(100_000_000) == "0.1000 SOL"
    assert format_usd(-1_234_560_000) == "-$1,234.56"
    assert format_usd(0) == "$0.00"
