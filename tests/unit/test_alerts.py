"""Alert rules: levels warn once per episode, events once each, thresholds are exclusive or inclusive as documented."""

from dataclasses import replace
from decimal import Decimal

from rekt_tui.domain.alerts import Alerter, AlertKind, AlertThresholds, Severity, event_alerts, level_alerts
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import Order, Position
from tests.unit.test_guards import ACCOUNT

THRESHOLDS = AlertThresholds(health_below=30, liquidation_distance_pct=Decimal(10), feed_stale_after_s=20,
                             funding_rate_pct=Decimal("0.05"))


def position(base=10**9, oracle=150_000_000, liquidation=100_000_000):
    return Position(0, "SOL-PERP", base, -150_000_000, 150_000_000, oracle, 0, liquidation)


def order(order_id=7, filled=0, max_ts=None):
    return Order(order_id, 3, MarketType.PERP, 0, OrderType.LIMIT, Direction.LONG, 10**9, filled, 140_000_000,
                 None, False, False, max_ts, 1)


def account(slot=1, health=100, positions=(), orders=(), collateral=100_000_000, maintenance=0):
    return replace(ACCOUNT, slot=slot, health=health, positions=tuple(positions), orders=tuple(orders),
                   total_collateral=collateral, maintenance_margin=maintenance)


def kinds(alerts):
    return [a.kind for a in alerts]


def test_health_below_threshold_fires_only_below_and_only_with_a_position():
    assert "health" not in level_alerts(account(health=30, positions=[position()]), THRESHOLDS)
    low = level_alerts(account(health=29, positions=[position()]), THRESHOLDS)["health"]
    assert low.kind is AlertKind.LOW_HEALTH and "29" in low.sentence and "30" in low.sentence
    assert level_alerts(account(health=10, positions=[position()]), THRESHOLDS)["health"].severity is Severity.CRITICAL
    assert level_alerts(account(health=0), THRESHOLDS) == {}


def test_liquidation_distance_under_the_threshold():
    # oracle 150, liquidation 136: 9.33 % away, under 10 %
    near = level_alerts(account(positions=[position(liquidation=136_000_000)]), THRESHOLDS)
    assert near["liquidation:0"].kind is AlertKind.NEAR_LIQUIDATION
    assert "9.33%" in near["liquidation:0"].sentence and "$136.00" in near["liquidation:0"].sentence
    assert level_alerts(account(positions=[position(liquidation=135_000_000)]), THRESHOLDS) == {}  # exactly 10 %
    assert level_alerts(account(positions=[position(liquidation=None)]), THRESHOLDS) == {}


def test_stale_feed_and_funding_levels():
    levels = level_alerts(None, THRESHOLDS, feed_age_s=Decimal("20.5"),
                          funding_rates_pct={"SOL-PERP": Decimal("-0.06"), "BTC-PERP": Decimal("0.01")})
    assert kinds(levels.values()) == [AlertKind.FEED_STALE, AlertKind.FUNDING]
    assert "shorts pay longs" in levels["funding:SOL-PERP"].sentence
    assert level_alerts(None, THRESHOLDS, feed_age_s=Decimal(20)) == {}


def test_a_level_warns_once_per_episode():
    alerter = Alerter(THRESHOLDS)
    low = account(slot=2, health=20, positions=[position()])
    assert kinds(alerter.step(low, now_ts=0)) == [AlertKind.LOW_HEALTH]
    assert alerter.step(replace(low, slot=3), now_ts=0) == []
    assert alerter.step(None, now_ts=0) == []  # a clock tick re-reads the last snapshot
    assert alerter.step(replace(low, slot=4, health=80), now_ts=0) == []
    assert kinds(alerter.step(replace(low, slot=5), now_ts=0)) == [AlertKind.LOW_HEALTH]


def test_a_stale_feed_clears_on_a_tick_and_warns_again():
    alerter = Alerter(THRESHOLDS)
    assert kinds(alerter.step(None, now_ts=0, feed_age_s=Decimal(25))) == [AlertKind.FEED_STALE]
    assert alerter.step(None, now_ts=0, feed_age_s=Decimal(26)) == []
    assert alerter.step(None, now_ts=0, feed_age_s=Decimal(1)) == []
    assert kinds(alerter.step(None, now_ts=0, feed_age_s=Decimal(25))) == [AlertKind.FEED_STALE]


def test_a_fill_is_an_event():
    before = account(slot=1, orders=[order()])
    after = account(slot=2, positions=[position()])
    alerts = event_alerts(before, after, THRESHOLDS, now_ts=0)
    assert kinds(alerts) == [AlertKind.FILL] and "the position is now long 1 SOL." in alerts[0].sentence
    assert event_alerts(before, after, replace(THRESHOLDS, fills=False), now_ts=0) == []


def test_an_order_ended_by_the_chain_but_not_by_us():
    before = account(slot=1, orders=[order(max_ts=100)])
    after = account(slot=2)
    [expired] = event_alerts(before, after, THRESHOLDS, now_ts=100)
    assert expired.kind is AlertKind.ORDER_ENDED and "expired" in expired.sentence
    [cancelled] = event_alerts(before, after, THRESHOLDS, now_ts=99)
    assert cancelled.sentence == "Order 7 (limit buy on perp market 0) was cancelled by the chain before it filled."
    held = [position()]  # a position names its market
    [named] = event_alerts(account(slot=1, positions=held, orders=[order()]), account(slot=2, positions=held),
                           THRESHOLDS, now_ts=0)  # fmt: skip
    assert named.sentence == "Order 7 (limit buy on SOL-PERP) was cancelled by the chain before it filled."
    assert event_alerts(before, after, THRESHOLDS, now_ts=100, ended_by_us=[7]) == []


def test_a_liquidation_is_a_shrink_below_maintenance_without_an_order():
    before = account(slot=1, positions=[position()], collateral=5_000_000, maintenance=6_000_000)
    after = account(slot=2, positions=[position(base=4 * 10**8)])
    [liquidated] = event_alerts(before, after, THRESHOLDS, now_ts=0)
    assert liquidated.kind is AlertKind.LIQUIDATION and liquidated.severity is Severity.CRITICAL
    assert "from long 1 SOL to long 0.4 SOL" in liquidated.sentence
    healthy = replace(before, total_collateral=7_000_000)
    assert kinds(event_alerts(healthy, after, THRESHOLDS, now_ts=0)) == [AlertKind.FILL]


def test_an_older_snapshot_raises_no_event():
    alerter = Alerter(THRESHOLDS)
    alerter.step(account(slot=5, orders=[order()]), now_ts=0)
    assert alerter.step(account(slot=4), now_ts=0) == []
