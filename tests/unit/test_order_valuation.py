"""Where a preview values the account once the order has filled: today's oracle for what fills
now, the order's own price for what waits for the market to come to it."""

from rekt_tui.domain.order_fills import valuation_price
from rekt_tui.domain.records import OrderType

PRICE, TRIGGER = 140_000_000, 145_000_000


def test_what_fills_now_is_valued_at_todays_oracle():
    assert valuation_price(OrderType.MARKET, price=PRICE, trigger_price=None, rests=True) is None
    assert valuation_price(OrderType.LIMIT, price=PRICE, trigger_price=None, rests=False) is None  # the book fills it


def test_what_waits_is_valued_at_its_own_price():
    assert valuation_price(OrderType.LIMIT, price=PRICE, trigger_price=None, rests=True) == PRICE
    assert valuation_price(OrderType.TRIGGER_MARKET, price=0, trigger_price=TRIGGER, rests=True) == TRIGGER
    assert valuation_price(OrderType.TRIGGER_LIMIT, price=PRICE, trigger_price=TRIGGER, rests=False) == TRIGGER
