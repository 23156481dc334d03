"""Modify and bracket rules in the domain: what an order becomes, and each refusal in one sentence."""

import pytest

from rekt_tui.domain.brackets import NO_EXPIRY, bracket_legs, bracket_lines, fill_legs, leg_pnl
from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.order_modify import kind_of, parse_modify
from rekt_tui.domain.orders import OrderKind, TriggerCondition
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import Order
from tests.unit.test_orders import MARKETS, NOW, ORACLE, SOL_PERP, order

USDC = 10**6
SOL = 10**9


def resting(order_type=OrderType.LIMIT, direction=Direction.LONG, *, price=140 * USDC, trigger=None, filled=0,
            reduce_only=False, post_only=False) -> Order:  # fmt: skip
    return Order(7, 3, MarketType.PERP, 0, order_type, direction, SOL, filled, price, trigger, reduce_only,
                 post_only, NOW + 600, 1)  # fmt: skip


def test_a_limit_takes_a_new_price_and_size_and_keeps_its_ids_and_expiry():
    request = parse_modify(resting(filled=SOL // 4), SOL_PERP, price="141.5", size=None, trigger=None, oracle_price=ORACLE)
    assert (request.price, request.base_amount, request.user_order_id, request.max_ts) == (
        141_500_000, 3 * SOL // 4, 3, NOW + 600,
    )  # fmt: skip
    assert request.kind is OrderKind.LIMIT and request.trigger_price is None
    assert parse_modify(resting(), SOL_PERP, price=None, size="0.7", trigger=None, oracle_price=ORACLE).base_amount == 7 * SOL // 10


@pytest.mark.parametrize(("direction", "trigger", "kind"), [
    (Direction.SHORT, 140, OrderKind.STOP_MARKET),  # a sell below the oracle: a long's stop-loss
    (Direction.SHORT, 160, OrderKind.TAKE_PROFIT),
    (Direction.LONG, 160, OrderKind.STOP_MARKET),
    (Direction.LONG, 140, OrderKind.TAKE_PROFIT),
])  # fmt: skip
def test_a_trigger_order_is_read_back_as_its_kind(direction, trigger, kind):
    order = resting(OrderType.TRIGGER_MARKET, direction, price=0, trigger=trigger * USDC)
    assert kind_of(order, ORACLE) is kind
    moved = parse_modify(order, SOL_PERP, price=None, size=None, trigger=f"{trigger - 1 if trigger < 150 else trigger + 1}",
                         oracle_price=ORACLE)  # fmt: skip
    assert moved.kind is kind and moved.trigger_condition is (
        TriggerCondition.BELOW if trigger < 150 else TriggerCondition.ABOVE
    )


@pytest.mark.parametrize(("order", "changes", "sentence"), [
    (resting(), {}, "Give a new price, size or trigger to modify order #7."),
    (resting(), {"trigger": "150"}, "Order #7 is a limit order with no trigger; change its price or size."),
    (resting(OrderType.TRIGGER_MARKET, Direction.SHORT, price=0, trigger=140 * USDC), {"price": "139"},
     "Order #7 is a stop market order with no limit price; change its trigger or size."),
    (resting(OrderType.MARKET, price=0), {"size": "1"}, "Order #7 is a market order in its auction"),
    (resting(), {"price": "140.00005"}, "Price $140.00005 is not on SOL-PERP's $0.0001 tick"),
    (resting(), {"size": "-1"}, "Size"),
    (resting(), {"price": "140", "size": "1"}, "Order #7 already rests with that price, size and trigger"),
    (resting(OrderType.TRIGGER_MARKET, Direction.SHORT, price=0, trigger=140 * USDC), {"trigger": "155"},
     "must be below the oracle price $150.00"),
])  # fmt: skip
def test_a_bad_change_is_one_sentence(order, changes, sentence):
    fields = {"price": None, "size": None, "trigger": None, **changes}
    with pytest.raises(UsageError) as refused:
        parse_modify(order, SOL_PERP, oracle_price=ORACLE, **fields)
    assert sentence in str(refused.value) and "\n" not in str(refused.value)


def legs(entry, **fields):
    return bracket_legs(entry, entry_price=fields.pop("entry_price", ORACLE), oracle_price=ORACLE, markets=MARKETS,
                        taken=fields.pop("taken", set()), now=NOW, **{"take_profit": None, "stop_loss": None, **fields})  # fmt: skip


def test_legs_at_a_fill_are_sized_to_it_with_the_triggers_checked_at_placement():
    take_profit, stop_loss = fill_legs(
        SOL_PERP, Direction.LONG, 3 * SOL // 10, take_profit=160 * USDC, stop_loss=140 * USDC,
        entry_price=148 * USDC, oracle_price=ORACLE, markets=MARKETS, taken={1, 2}, now=NOW,
    )  # fmt: skip
    for leg in (take_profit.request, stop_loss.request):
        assert leg.reduce_only and leg.direction is Direction.SHORT and leg.base_amount == 3 * SOL // 10
        assert leg.max_ts == NO_EXPIRY and leg.user_order_id not in {1, 2}
    assert (take_profit.request.trigger_price, stop_loss.request.trigger_price) == (160 * USDC, 140 * USDC)
    [short_stop] = fill_legs(SOL_PERP, Direction.SHORT, SOL, take_profit=None, stop_loss=155 * USDC,
                             entry_price=152 * USDC, oracle_price=ORACLE, markets=MARKETS, taken=set(), now=NOW)  # fmt: skip
    assert short_stop.request.direction is Direction.LONG and short_stop.request.base_amount == SOL


def test_bracket_legs_are_reduce_only_triggers_the_other_way_without_expiry():
    entry = order(size="2")
    take_profit, stop_loss = legs(entry, take_profit="160", stop_loss="140", taken={1, 2})
    assert (take_profit.name, take_profit.request.kind, stop_loss.request.kind) == (
        "take-profit", OrderKind.TAKE_PROFIT, OrderKind.STOP_MARKET,
    )  # fmt: skip
    for leg in (take_profit.request, stop_loss.request):
        assert leg.reduce_only and leg.direction is Direction.SHORT and leg.base_amount == 2 * SOL
        assert leg.max_ts == NO_EXPIRY
    ids = {take_profit.request.user_order_id, stop_loss.request.user_order_id}
    assert ids == {3, 4}  # neither the entry's (1) nor one taken (2)
    assert leg_pnl(take_profit.request, ORACLE) == 20 * USDC and leg_pnl(stop_loss.request, ORACLE) == -20 * USDC
    assert bracket_lines((take_profit, stop_loss), ORACLE) == [
        "Take-profit $160.00 (+6.67% from entry), PnL +$20.00",
        "Stop-loss $140.00 (-6.67% from entry), PnL -$20.00",
        "Both legs: reduce-only, no expiry",
    ]
    assert bracket_lines((take_profit,), ORACLE, at_fill=True) == [
        "Take-profit $160.00 (+6.67% from entry), PnL +$20.00",
        "The take-profit: reduce-only, no expiry, placed as the entry fills",
    ]
    [short_stop] = legs(order(side="sell"), stop_loss="155")
    assert short_stop.request.direction is Direction.LONG and short_stop.request.trigger_condition is TriggerCondition.ABOVE


@pytest.mark.parametrize(("entry", "fields", "sentence"), [
    (order(), {"take_profit": "145"}, "fires when the oracle moves above its trigger"),
    (order(kind="limit", price="148"), {"stop_loss": "149", "entry_price": 148 * USDC},
     "The stop-loss $149.00 of a buy must be below its entry $148.00."),
    (order(side="sell", kind="limit", price="152"), {"take_profit": "148", "entry_price": 152 * USDC}, None),
    (order(reduce_only=True), {"stop_loss": "140"}, "A bracket protects an entry that opens risk"),
])  # fmt: skip
def test_a_leg_on_the_wrong_side_is_refused(entry, fields, sentence):
    if sentence is None:
        assert legs(entry, **fields)
        return
    with pytest.raises(UsageError, match=sentence.replace("$", r"\$").replace(".", r"\.")):
        legs(entry, **fields)
