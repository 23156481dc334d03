from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.markets import MarketSpec, format_base, format_price, resolve_market
from rekt_tui.domain.orders import (
    format_duration,
    parse_duration,
    OrderKind,
    TriggerCondition,
    auction_for,
    free_user_order_id,
    parse_kind,
    parse_order,
    trigger_condition_for,
)
from rekt_tui.domain.records import Direction, MarketType, OrderType

SOL_PERP = MarketSpec("SOL-PERP", MarketType.PERP, 0, "SOL", tick_size=100, step_size=10_000_000,
                      min_order_size=10_000_000, max_order_size=1_000 * 10**9)
BTC_PERP = MarketSpec("BTC-PERP", MarketType.PERP, 1, "BTC", tick_size=100_000, step_size=100_000,
                      min_order_size=1_000_000)
MARKETS = {spec.symbol: spec for spec in (SOL_PERP, BTC_PERP)}
ORACLE = 150_000_000
NOW = 1_800_000_000


def order(market="SOL-PERP", side="buy", size="1", **overrides):
    fields = dict(
        kind=OrderKind.MARKET, price=None, trigger=None, reduce_only=False, post_only=False, expire_s=None,
        default_expiry_s=3600, now=NOW, oracle_price=ORACLE, markets=MARKETS, live_user_order_ids=set(),
    )
    fields.update(overrides)
    return parse_order(market, side, size, **fields)


def refusal(**kwargs) -> str:
    with pytest.raises(UsageError) as caught:
        order(**kwargs)
    message = caught.value.message
    assert "\n" not in message and message.endswith(".")
    return message


def test_a_market_buy_is_exact_and_expires_by_default():
    request = order(size="1.25")
    assert request.market is SOL_PERP
    assert request.direction is Direction.LONG
    assert request.base_amount == 1_250_000_000
    assert request.order_type is OrderType.MARKET
    assert request.price is None and request.trigger_price is None and request.trigger_condition is None
    assert request.max_ts == NOW + 3600
    assert request.user_order_id == 1


@pytest.mark.parametrize("text", ["sol", "SOL", "Sol-Perp", " sol-perp "])
def test_markets_resolve_case_insensitively(text):
    assert order(market=text).market is SOL_PERP


def test_a_spot_symbol_is_found_when_no_perp_shares_it():
    spot = MarketSpec("SOL", MarketType.SPOT, 1, "SOL", tick_size=100, step_size=10_000_000, min_order_size=10_000_000)
    assert resolve_market("sol", {"SOL": spot}) is spot
    assert resolve_market("sol", {"SOL": spot, **MARKETS}) is SOL_PERP


@pytest.mark.parametrize(("side", "direction"), [("buy", Direction.LONG), ("LONG", Direction.LONG),
                                                 ("sell", Direction.SHORT), ("short", Direction.SHORT)])
def test_sides(side, direction):
    assert order(side=side).direction is direction


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"market": "DOGE-PERP"}, ["Unknown market 'DOGE-PERP'", "BTC-PERP, SOL-PERP"]),
        ({"side": "up"}, ["Unknown side 'up'", "buy or sell"]),
        ({"size": "-1"}, ["greater than zero"]),
        ({"size": "0"}, ["greater than zero"]),
        ({"size": "NaN"}, ["not a finite number"]),
        ({"size": "inf"}, ["not a finite number"]),
        ({"size": "1e2"}, ["exponent"]),
        ({"size": "lots"}, ["not a number"]),
        ({"size": "0.0000000001"}, ["more than 9 decimal places"]),
        ({"size": "1.015"}, ["1.015 SOL", "0.01 SOL step", "use 1.01 SOL or 1.02 SOL"]),
        ({"size": "0.005"}, ["0.01 SOL step", "use 0.01 SOL."]),
        ({"size": "1001"}, ["above SOL-PERP's maximum of 1000 SOL"]),
        ({"market": "btc", "size": "0.0005"}, ["below BTC-PERP's minimum of 0.001 BTC"]),
        ({"price": "150"}, ["market order takes no price", "limit order"]),
        ({"kind": "limit"}, ["needs a price"]),
        ({"kind": "limit", "price": "150.0000001"}, ["Price 150.0000001 has more than 6 decimal places"]),
        ({"kind": "limit", "price": "150.00015"}, ["$150.00015 is not on SOL-PERP's $0.0001 tick",
                                                   "$150.0001 or $150.0002"]),
        ({"kind": "limit", "price": "-3"}, ["greater than zero"]),
        ({"kind": "limit", "price": "150", "trigger": "140"}, ["takes no trigger"]),
        ({"kind": "stop-market"}, ["needs a trigger price"]),
        ({"kind": "stop-market", "price": "140", "trigger": "140"}, ["takes no price", "stop limit"]),
        ({"kind": "stop-limit", "trigger": "140"}, ["needs a price"]),
        ({"kind": "stop-market", "side": "sell", "trigger": "160"},
         ["must be below the oracle price $150.00", "$160.00"]),
        ({"kind": "stop-market", "side": "buy", "trigger": "140"}, ["must be above the oracle price $150.00"]),
        ({"kind": "take-profit", "side": "sell", "trigger": "140"}, ["must be above the oracle price"]),
        ({"kind": "take-profit", "side": "buy", "trigger": "160"}, ["must be below the oracle price"]),
        ({"kind": "take-profit", "side": "buy", "trigger": "150"}, ["must be below the oracle price"]),
        ({"kind": "stop-market", "side": "sell", "trigger": "NaN"}, ["Trigger price 'NaN' is not a finite"]),
        ({"post_only": True}, ["Post-only applies to limit orders only", "market order"]),
        ({"kind": "stop-limit", "price": "140", "trigger": "140", "side": "sell", "post_only": True},
         ["Post-only applies to limit orders only"]),
        ({"expire_s": 0}, ["positive number of seconds"]),
        ({"expire_s": -5}, ["positive number of seconds (got -5)"]),
        ({"expire_s": 30 * 86_400 + 1}, ["beyond 30 days"]),
        ({"kind": "twap"}, ["Unknown order type 'twap'", "stop-limit"]),
        ({"live_user_order_ids": set(range(1, 256))}, ["All 255 order ids", "cancel some orders"]),
    ],
)
def test_bad_input_is_refused_with_one_sentence_naming_the_fix(kwargs, fragments):
    message = refusal(**kwargs)
    for fragment in fragments:
        assert fragment in message


def test_limit_order_with_post_only_and_custom_expiry():
    request = order(kind="limit", price="149.5", post_only=True, expire_s=60, side="sell")
    assert (request.price, request.post_only, request.max_ts) == (149_500_000, True, NOW + 60)
    assert request.order_type is OrderType.LIMIT


@pytest.mark.parametrize(
    ("kind", "side", "trigger", "order_type", "condition"),
    [
        ("stop-market", "sell", "140", OrderType.TRIGGER_MARKET, TriggerCondition.BELOW),
        ("stop-market", "buy", "160", OrderType.TRIGGER_MARKET, TriggerCondition.ABOVE),
        ("take-profit", "sell", "160", OrderType.TRIGGER_MARKET, TriggerCondition.ABOVE),
        ("take-profit", "buy", "140", OrderType.TRIGGER_MARKET, TriggerCondition.BELOW),
    ],
)
def test_trigger_orders_map_to_drift_types_and_conditions(kind, side, trigger, order_type, condition):
    request = order(kind=kind, side=side, trigger=trigger, reduce_only=True)
    assert (request.order_type, request.trigger_condition, request.reduce_only) == (order_type, condition, True)
    assert request.trigger_price == int(Decimal(trigger) * 10**6)


def test_trigger_limit_kinds_carry_both_prices():
    request = order(kind="stop_limit", side="sell", trigger="140", price="139.9")
    assert request.order_type is OrderType.TRIGGER_LIMIT
    assert (request.price, request.trigger_price) == (139_900_000, 140_000_000)
    tp = order(kind=OrderKind.TAKE_PROFIT_LIMIT, side="sell", trigger="160", price="160")
    assert tp.order_type is OrderType.TRIGGER_LIMIT and tp.trigger_condition is TriggerCondition.ABOVE


@given(st.sets(st.integers(1, 255), max_size=254))
def test_user_order_id_is_the_lowest_free(live):
    chosen = free_user_order_id(live)
    assert chosen not in live and 1 <= chosen <= 255
    assert all(candidate in live for candidate in range(1, chosen))


def test_parse_kind_accepts_underscores_and_case():
    assert parse_kind("Stop_Market") is OrderKind.STOP_MARKET
    assert trigger_condition_for(OrderKind.LIMIT, Direction.LONG) is None


@given(
    st.sampled_from(Direction),
    st.integers(1, 10**12),
    st.integers(0, 9_999),
    st.integers(0, 60),
    st.sampled_from([1, 100, 10_000, 100_000]),
)
def test_auction_never_exceeds_the_slippage_and_sits_on_the_tick(direction, oracle, bps, duration, tick):
    start, end, slots = auction_for(direction, oracle, bps, duration, tick_size=tick)
    assert start % tick == 0 and end % tick == 0
    if direction is Direction.LONG:
        assert start <= oracle and start <= end
        assert end * 10_000 <= oracle * (10_000 + bps)
        assert end + tick > oracle * (10_000 + bps) // 10_000  # the furthest tick inside the slippage
    else:
        assert start >= oracle and start >= end
        assert end * 10_000 >= oracle * (10_000 - bps)
    assert 0 <= slots <= 255 and slots * 400 >= min(duration * 1000, 255 * 400)


def test_auction_examples():
    assert auction_for(Direction.LONG, 150_000_000, 50, 5, tick_size=100) == (150_000_000, 150_750_000, 13)
    assert auction_for(Direction.SHORT, 150_000_050, 50, 3, slot_ms=500, tick_size=100) == (150_000_100, 149_250_100, 6)
    with pytest.raises(ValueError):
        auction_for(Direction.LONG, 0, 50, 5)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2))
def test_any_size_on_the_step_is_accepted_exactly(size):
    assert order(size=str(size)).base_amount == int(size * 10**9)


def test_formatting():
    assert format_base(10_000_000, SOL_PERP) == "0.01 SOL"
    assert format_base(100 * 10**9, SOL_PERP) == "100 SOL"
    assert format_price(150_000_000) == "$150.00"
    assert format_price(1_234_567_891) == "$1,234.567891"


def test_a_usd_notional_sizes_at_the_order_price_rounded_down_to_the_step():
    common = dict(default_expiry_s=3600, now=1_000, oracle_price=150_000_000, markets=MARKETS,
                  live_user_order_ids=set())
    assert parse_order("SOL-PERP", "buy", "$300", **common).base_amount == 2_000_000_000
    limit = parse_order("SOL-PERP", "buy", "$100", kind="limit", price="120", **common)
    assert limit.base_amount == 830_000_000  # 0.8333… SOL down to the 0.01 step
    with pytest.raises(UsageError, match="greater than zero"):
        parse_order("SOL-PERP", "buy", "-1", **common)
    with pytest.raises(UsageError, match=r"\$0\.5 buys less than SOL-PERP's minimum"):
        parse_order("SOL-PERP", "buy", "$0.5", **common)


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("90s", 90), ("30m", 1800), ("4H", 14_400), ("2d", 172_800)])
def test_expiry_durations(text, seconds):
    assert parse_duration(text) == seconds
    assert parse_duration(" ") is None


@pytest.mark.parametrize("text", ["m", "1.5h", "31d", "0s"])
def test_a_bad_expiry_is_refused(text):
    with pytest.raises(UsageError, match="Expiry"):
        parse_duration(text)


def test_durations_read_as_a_trader_reads_them():
    assert [format_duration(s) for s in (20, 60, 5400, 86_400 + 4 * 3600 + 5)] == ["20s", "1m", "1h 30m", "1d 4h"]
    assert format_duration(1799) == "30m"
