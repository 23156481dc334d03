"""The loss limit: how much a session (and a UTC day) may lose before it goes exit-only.

A `LossLedger` is what is persisted: the equity the session (its net deposits) and the
day started from and the highest equity each has seen, all moved by later deposits and
withdrawals. `observe` folds a new reading into it (rolling the day over at UTC
midnight); `breach_of` says whether a rule is broken, measured from the start or from the
peak, in USD or in % of the session's net deposits. A breach stays until a person lifts
it: a new day does not lift it.

While breached, an order that could add risk is refused by `exit_only_refusals`: only a
reduce-only order may pass (the guards already refuse one that would not shrink).
Amounts are quote integers (1e6); limits are Decimal.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from enum import Enum

from rekt_tui.domain.guards import Refusal, RefusalCode
from rekt_tui.domain.money import QUOTE_PRECISION, format_usd
from rekt_tui.domain.orders import OrderRequest

LIFT_HOW = "L lifts it in the cockpit, `rekt-tui guard --lift` from a shell"  # where each breach sentence sends the trader


class LossUnit(str, Enum):
    USD = "usd"
    PCT = "pct"  # of the most the session has had deposited (`LossLedger.committed`)


class LossBasis(str, Enum):
    START = "start"  # from the equity at the session's (or day's) start
    PEAK = "peak"  # from the highest equity seen since then (a trailing stop on the account)


@dataclass(frozen=True)
class LossLimitRule:
    session_max: Decimal | None
    day_max: Decimal | None
    unit: LossUnit = LossUnit.PCT
    basis: LossBasis = LossBasis.PEAK

    @property
    def enabled(self) -> bool:
        return self.session_max is not None or self.day_max is not None


@dataclass(frozen=True)
class Breach:
    scope: str  # "session" or "day"
    at: datetime
    sentence: str  # names the limit and the loss


@dataclass(frozen=True)
class LossLedger:
    """Equity figures (quote 1e6) the limits are measured from, net of deposits: when the
    account's net deposits change between two readings, every reference moves by as much,
    so a deposit never reads as profit nor a withdrawal as a loss."""

    start_equity: int
    peak_equity: int
    day: date
    day_start_equity: int
    day_peak_equity: int
    equity: int  # the last equity observed
    breach: Breach | None = None
    deposits: int | None = None  # the account's net deposits at that reading; None: the venue did not say
    # The most the account's net deposits have been: the capital a limit in % is a share of.
    # Withdrawing does not shrink it, so taking the money out after a loss is not itself a loss.
    committed: int | None = None

    @classmethod
    def starting(cls, equity: int, today: date, deposits: int | None = None) -> "LossLedger":
        """A session starts from what was deposited into it (from the first equity seen when
        the venue does not say), so losses made before the watcher first ran still count."""
        start = equity if deposits is None else deposits
        peak = max(start, equity)
        return cls(start, peak, today, start, peak, equity, None, deposits, deposits)


def observe(ledger: LossLedger, equity: int, today: date, deposits: int | None = None) -> LossLedger:
    """The ledger after reading `equity` (and the account's net `deposits`) on `today` (UTC):
    a new day starts from the last equity, deposits move every reference, peaks rise."""
    if today != ledger.day:
        ledger = replace(ledger, day=today, day_start_equity=ledger.equity, day_peak_equity=ledger.equity)
    if deposits is not None:
        moved = 0 if ledger.deposits is None else deposits - ledger.deposits
        committed = deposits if ledger.committed is None else max(ledger.committed, deposits)
        ledger = replace(
            ledger, deposits=deposits, committed=committed,
            start_equity=ledger.start_equity + moved, peak_equity=ledger.peak_equity + moved,
            day_start_equity=ledger.day_start_equity + moved, day_peak_equity=ledger.day_peak_equity + moved,
        )  # fmt: skip
    return replace(
        ledger,
        equity=equity,
        peak_equity=max(ledger.peak_equity, equity),
        day_peak_equity=max(ledger.day_peak_equity, equity),
    )


def worth_storing(stored: LossLedger, seen: LossLedger, rule: LossLimitRule, at: datetime) -> bool:
    """Whether `seen` changes more than the last equity of the `stored` ledger: a peak, a new
    day, deposits, or a breach. A reading that only moves the last equity can wait."""
    return replace(seen, equity=stored.equity) != stored or (
        stored.breach is None and breach_of(seen, rule, at) is not None
    )


def _limit_quote(limit: Decimal, unit: LossUnit, base: int) -> int:
    """The loss in quote units that breaks the limit (a % of a non-positive base allows none)."""
    if unit is LossUnit.USD:
        return int((limit * QUOTE_PRECISION).to_integral_value(rounding=ROUND_DOWN))
    return int((Decimal(max(base, 0)) * limit / 100).to_integral_value(rounding=ROUND_DOWN))


def percent_base(ledger: LossLedger, reference: int) -> int:
    """What a limit in % is a share of: the most the account's net deposits have been, or,
    when the venue does not say, the equity the loss is measured from."""
    if ledger.committed is not None and ledger.committed > 0:
        return ledger.committed
    return reference


def _limit_words(limit: Decimal, unit: LossUnit, basis: LossBasis, scope: str) -> str:
    amount = f"${limit.normalize():f}" if unit is LossUnit.USD else f"{limit.normalize():f}%"
    where = "its peak" if basis is LossBasis.PEAK else f"the {scope}'s start"
    return f"the {scope} loss limit of {amount} from {where}"


@dataclass(frozen=True)
class LimitUse:
    """How much of one limit is used: `loss` from `reference`, against the `allowed` loss (quote 1e6)."""

    scope: str  # "session" or "day"
    limit: Decimal  # as configured, in the rule's unit
    reference: int
    loss: int  # 0 when equity is at or above the reference
    allowed: int
    base: int = 0  # what a limit in % is a share of (see `percent_base`)

    @property
    def headroom(self) -> int:
        return self.allowed - self.loss

    @property
    def broken(self) -> bool:
        """A loss equal to the limit breaks it; no loss never does (a limit of 0% of nothing)."""
        return self.loss > 0 and self.loss >= self.allowed


def limit_uses(ledger: LossLedger, rule: LossLimitRule) -> list[LimitUse]:
    """Each configured limit's use, session before day."""
    scopes = (
        ("session", rule.session_max, ledger.start_equity, ledger.peak_equity),
        ("day", rule.day_max, ledger.day_start_equity, ledger.day_peak_equity),
    )
    uses = []
    for scope, limit, start, peak in scopes:
        if limit is None:
            continue
        reference = peak if rule.basis is LossBasis.PEAK else start
        base = percent_base(ledger, reference)
        allowed = _limit_quote(limit, rule.unit, base)
        uses.append(LimitUse(scope, limit, reference, max(reference - ledger.equity, 0), allowed, base))
    return uses


def tightest(ledger: LossLedger, rule: LossLimitRule) -> LimitUse | None:
    """The limit closest to breaking (the session's on a tie), or None when none is set."""
    return min(limit_uses(ledger, rule), key=lambda use: use.headroom, default=None)


def breach_of(ledger: LossLedger, rule: LossLimitRule, at: datetime) -> Breach | None:
    """The first broken limit (session before day), or None. A loss equal to the limit breaks it."""
    for use in limit_uses(ledger, rule):
        if use.broken:
            words = _limit_words(use.limit, rule.unit, rule.basis, use.scope)
            return Breach(
                use.scope, at,
                f"Equity {format_usd(ledger.equity)} is {format_usd(use.loss)} below {format_usd(use.reference)}, "
                f"breaking {words}",
            )  # fmt: skip
    return None


@dataclass(frozen=True)
class GuardState:
    """What the HUD and `guard` show of the loss limit: off, watching (with the use so far), or exit-only."""

    enabled: bool
    unit: LossUnit = LossUnit.PCT
    basis: LossBasis = LossBasis.PEAK
    equity: int | None = None
    reference: int | None = None  # the equity the session's loss is measured from (start or peak)
    use: LimitUse | None = None  # the limit closest to breaking, once equity was read
    breach: Breach | None = None
    auto_stop_at: datetime | None = None  # when the auto-stop runs, while a breach waits out its grace
    session: str | None = None  # the session's address: what a lift from the cockpit clears

    @property
    def exit_only(self) -> bool:
        return self.breach is not None

    @property
    def loss(self) -> int:
        """Quote (1e6) lost from the reference; 0 without a reading or when above it."""
        if self.equity is None or self.reference is None:
            return 0
        return max(self.reference - self.equity, 0)


def exit_only_refusals(request: OrderRequest, breach: Breach | None) -> list[Refusal]:
    """While a loss limit is breached, anything but a reduce-only order is refused."""
    if breach is None or request.reduce_only:
        return []
    return [Refusal(
        RefusalCode.LOSS_LIMIT,
        f"{breach.sentence}; the session is exit-only: only reduce-only orders and closes are allowed "
        f"until the limit is lifted ({LIFT_HOW}).",
    )]
