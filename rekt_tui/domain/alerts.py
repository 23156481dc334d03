"""Alert rules: what about an account, its feed or its markets deserves a trader's attention.

Pure functions over two consecutive `AccountSnapshot`s (and the feed's age, the markets'
funding). Conditions that last (low health, near liquidation, a stale feed, funding
beyond a threshold) are *levels*: each has a key, and `Alerter.step` reports a level only
when its key becomes active, so a health of 20 read a hundred times warns once, and again
only after it recovered. Changes between snapshots (a fill, an order the chain ended, a
liquidation) are *events*, reported once each.

Money stays integers in Drift's precisions; percentages are Decimal.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from enum import Enum

from rekt_tui.domain.history import ChainRecord
from rekt_tui.domain.markets import format_price
from rekt_tui.domain.money import PERP_BASE_DECIMALS, format_usd, to_decimal
from rekt_tui.domain.orders import side_label
from rekt_tui.domain.trading import AccountSnapshot, Order, Position




class AlertKind(str, Enum):
    LOW_HEALTH = "low_health"
    NEAR_LIQUIDATION = "near_liquidation"
    FILL = "fill"
    ORDER_ENDED = "order_ended"  # cancelled or expired by the chain, not by us
    FEED_STALE = "feed_stale"
    FUNDING = "funding"
    LIQUIDATION = "liquidation"
    LOSS_LIMIT = "loss_limit"
    BRACKET = "bracket"  # a resting entry's take-profit / stop-loss placed at its fill, or why not


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    severity: Severity
    sentence: str
    slot: int | None = None  # the account slot that showed it, when it came from a snapshot
    record: tuple[str, int] | None = None  # (signature, index) of the venue's record it was read from


@dataclass(frozen=True)
class AlertThresholds:
    """Where each rule fires. None switches a level rule off; the event switches take bools."""

    health_below: int | None = 30  # Drift health 0..100
    liquidation_distance_pct: Decimal | None = Decimal(10)  # oracle within this % of a liquidation price
    feed_stale_after_s: int | None = 30
    funding_rate_pct: Decimal | None = None  # |hourly funding rate| at or beyond this %
    fills: bool = True
    orders_ended: bool = True


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_DOWN).normalize():f}%"


def liquidation_distance_pct(position: Position) -> Decimal | None:
    """How far (in % of the oracle) the oracle may move before the position liquidates."""
    if position.liquidation_price is None or position.oracle_price <= 0:
        return None
    return Decimal(abs(position.oracle_price - position.liquidation_price)) * 100 / position.oracle_price


def level_alerts(
    account: AccountSnapshot | None,
    thresholds: AlertThresholds,
    *,
    feed_age_s: Decimal | None = None,
    funding_rates_pct: Mapping[str, Decimal] | None = None,
) -> dict[str, Alert]:
    """Every level condition that holds now, by key (the key names what it is about)."""
    levels: dict[str, Alert] = {}
    limit = thresholds.feed_stale_after_s
    if limit is not None and feed_age_s is not None and feed_age_s > limit:
        seconds = feed_age_s.quantize(Decimal(1), rounding=ROUND_DOWN)
        levels["feed"] = Alert(
            AlertKind.FEED_STALE, Severity.WARNING,
            f"The account feed has been silent for {seconds} s (alert limit {limit} s); the figures shown may be old.",
        )  # fmt: skip
    for symbol, rate in sorted((funding_rates_pct or {}).items()):
        cap = thresholds.funding_rate_pct
        if cap is not None and abs(rate) >= cap:
            payer = "longs pay shorts" if rate > 0 else "shorts pay longs"
            levels[f"funding:{symbol}"] = Alert(
                AlertKind.FUNDING, Severity.INFO,
                f"{symbol} funding is {_pct(rate)} an hour ({payer}), beyond the {_pct(cap)} alert threshold.",
            )  # fmt: skip
    if account is None:
        return levels
    floor = thresholds.health_below
    if floor is not None and account.positions and account.health < floor:
        levels["health"] = Alert(
            AlertKind.LOW_HEALTH, Severity.CRITICAL if account.health < floor // 2 else Severity.WARNING,
            f"Account health is {account.health}, below the alert threshold of {floor}; "
            "reduce a position or deposit more.",
            account.slot,
        )  # fmt: skip
    distance_cap = thresholds.liquidation_distance_pct
    for position in account.positions:
        distance = liquidation_distance_pct(position)
        if distance_cap is None or distance is None or distance >= distance_cap:
            continue
        assert position.liquidation_price is not None  # distance is None otherwise
        levels[f"liquidation:{position.market_index}"] = Alert(
            AlertKind.NEAR_LIQUIDATION, Severity.CRITICAL,
            f"{position.symbol} {position.direction.value} liquidates at {format_price(position.liquidation_price)}, "
            f"{_pct(distance)} from the oracle {format_price(position.oracle_price)} "
            f"(alert under {_pct(distance_cap)}).",
            account.slot,
        )  # fmt: skip
    return levels


def _bases(account: AccountSnapshot) -> dict[int, int]:
    return {p.market_index: p.base_amount for p in account.positions}


def _symbols(*accounts: AccountSnapshot) -> dict[int, str]:
    return {p.market_index: p.symbol for account in accounts for p in account.positions}


def event_alerts(
    before: AccountSnapshot,
    after: AccountSnapshot,
    thresholds: AlertThresholds,
    *,
    now_ts: int,
    ended_by_us: Iterable[int] = (),
    market_names: Mapping[int, str] | None = None,
) -> list[Alert]:
    """What changed from `before` to `after`: fills, orders the chain ended, liquidations.

    `ended_by_us` holds the venue order ids this app cancelled itself (not the chain's
    doing); `market_names` names perp markets by index where no position does. A position that shrank while the account was below maintenance margin, with
    no order of ours to explain it, was liquidated.
    """
    alerts: list[Alert] = []
    old, new = _bases(before), _bases(after)
    symbols = {**(market_names or {}), **_symbols(before, after)}
    now_orders = {o.order_id: o for o in after.orders}
    gone = [o for o in before.orders if o.order_id not in now_orders]
    filled_now = {
        o.market_index for o in before.orders if o.order_id in now_orders and now_orders[o.order_id].filled > o.filled
    }
    liquidatable = before.total_collateral < before.maintenance_margin
    for market in sorted(set(old) | set(new)):
        was, now = old.get(market, 0), new.get(market, 0)
        if was == now:
            continue
        explained = market in filled_now or any(o.market_index == market for o in gone)
        shrank = abs(now) < abs(was) and (now == 0 or (now > 0) == (was > 0))
        symbol = symbols.get(market, f"market {market}")
        if shrank and liquidatable and not explained:
            alerts.append(Alert(
                AlertKind.LIQUIDATION, Severity.CRITICAL,
                f"{symbol} was liquidated: the position went from {_position_words(was, symbol)} to "
                f"{_position_words(now, symbol)} "
                f"while collateral {format_usd(before.total_collateral)} was below the "
                f"{format_usd(before.maintenance_margin)} maintenance margin.",
                after.slot,
            ))  # fmt: skip
        elif thresholds.fills:
            alerts.append(Alert(
                AlertKind.FILL, Severity.INFO, f"{symbol} filled: the position is now {_position_words(now, symbol)}.",
                after.slot,
            ))  # fmt: skip
    if thresholds.orders_ended:
        ours = set(ended_by_us)
        for order in gone:
            if order.order_id in ours or new.get(order.market_index, 0) != old.get(order.market_index, 0):
                continue  # ours, or it filled (reported above)
            expired = order.max_ts is not None and order.max_ts <= now_ts
            alerts.append(Alert(
                AlertKind.ORDER_ENDED, Severity.WARNING,
                f"Order {order.order_id} ({_order_words(order, symbols)}) was {'expired' if expired else 'cancelled'} "
                "by the chain before it filled.",
                after.slot,
            ))  # fmt: skip
    return alerts


def recorded_liquidation(record: ChainRecord, symbol: str) -> Alert:
    """A liquidation the venue recorded about the account: what it closed, at what price, for what fees."""
    amount = to_decimal(abs(record.base), PERP_BASE_DECIMALS).normalize()
    price = abs(record.quote) * 10**PERP_BASE_DECIMALS // abs(record.base) if record.base else 0
    at = f" at {format_price(price)}" if price else ""
    return Alert(
        AlertKind.LIQUIDATION, Severity.CRITICAL,
        f"The chain recorded a liquidation of {symbol}: {amount:f} {symbol.removesuffix('-PERP')} closed{at}, "
        f"{format_usd(record.fee)} in liquidation fees (transaction {record.signature}, record {record.index}).",
        record.slot, record.key,
    )  # fmt: skip


def _position_words(base: int, symbol: str) -> str:
    """"long 16 SOL" (perp base amounts are 1e9), or "flat"."""
    if base == 0:
        return "flat"
    amount = to_decimal(abs(base), PERP_BASE_DECIMALS).normalize()
    return f"{'long' if base > 0 else 'short'} {amount:f} {symbol.removesuffix('-PERP')}"


def _order_words(order: Order, symbols: dict[int, str]) -> str:
    kind = order.order_type.value.replace("_", " ")
    return f"{kind} {side_label(order.direction)} on {symbols.get(order.market_index, f'perp market {order.market_index}')}"


@dataclass
class Alerter:
    """Remembers what was last seen, so each level warns once per episode and each event once."""

    thresholds: AlertThresholds
    active: set[str] = field(default_factory=set)
    last: AccountSnapshot | None = None
    market_names: Mapping[int, str] = field(default_factory=dict)  # perp market index -> symbol

    def step(
        self,
        account: AccountSnapshot | None,
        *,
        now_ts: int,
        feed_age_s: Decimal | None = None,
        funding_rates_pct: Mapping[str, Decimal] | None = None,
        ended_by_us: Iterable[int] = (),
    ) -> list[Alert]:
        """The alerts `account` (a new snapshot, or None for a clock tick) raises now."""
        alerts: list[Alert] = []
        current = account if account is not None else self.last
        if account is not None and self.last is not None and account.slot > self.last.slot:
            alerts += event_alerts(self.last, account, self.thresholds, now_ts=now_ts, ended_by_us=ended_by_us,
                                   market_names=self.market_names)  # fmt: skip
        if account is not None and (self.last is None or account.slot >= self.last.slot):
            self.last = account
        levels = level_alerts(current, self.thresholds, feed_age_s=feed_age_s, funding_rates_pct=funding_rates_pct)
        alerts += [alert for key, alert in levels.items() if key not in self.active]
        self._settle(levels, account is None)
        return alerts

    def _settle(self, levels: Mapping[str, Alert], tick: bool) -> None:
        """On a tick only the clock-driven level (the feed) can clear; a snapshot settles all."""
        if tick:
            self.active = {key for key in self.active if key != "feed" or key in levels} | set(levels)
        else:
            self.active = set(levels)


def worst(alerts: Sequence[Alert]) -> Severity | None:
    order = [Severity.INFO, Severity.WARNING, Severity.CRITICAL]
    return max((a.severity for a in alerts), key=order.index, default=None)
