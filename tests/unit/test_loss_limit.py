"""The loss limit: from start or peak, in USD or %, per session and per UTC day; exit-only refusals."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from rekt_tui.domain.guards import RefusalCode
from rekt_tui.domain.loss_limit import (
    LossBasis, LossLedger, LossLimitRule, LossUnit, breach_of, exit_only_refusals, limit_uses, observe, tightest,
)  # fmt: skip
from tests.unit.test_guards import REQUEST

D1, D2 = date(2026, 12, 1), date(2026, 12, 2)
AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
USD = 10**6


def test_peak_basis_trails_the_highest_equity():
    rule = LossLimitRule(session_max=Decimal(10), day_max=None, unit=LossUnit.PCT, basis=LossBasis.PEAK)
    ledger = observe(LossLedger.starting(100 * USD, D1), 150 * USD, D1)
    assert ledger.peak_equity == 150 * USD
    assert breach_of(observe(ledger, 136 * USD, D1), rule, AT) is None  # 9.33 % below the peak
    breach = breach_of(observe(ledger, 135 * USD, D1), rule, AT)  # exactly 10 %: broken
    assert breach is not None and breach.scope == "session"
    assert "10% from its peak" in breach.sentence and "$15.00 below $150.00" in breach.sentence


def test_start_basis_ignores_the_peak():
    rule = LossLimitRule(session_max=Decimal(10), day_max=None, unit=LossUnit.PCT, basis=LossBasis.START)
    ledger = observe(LossLedger.starting(100 * USD, D1), 150 * USD, D1)
    assert breach_of(observe(ledger, 91 * USD, D1), rule, AT) is None
    assert breach_of(observe(ledger, 90 * USD, D1), rule, AT) is not None


def test_usd_limit_and_a_gain_never_breaches():
    rule = LossLimitRule(session_max=Decimal("2.5"), day_max=None, unit=LossUnit.USD, basis=LossBasis.START)
    ledger = LossLedger.starting(100 * USD, D1)
    assert breach_of(observe(ledger, 97_500_001, D1), rule, AT) is None
    assert breach_of(observe(ledger, 97_500_000, D1), rule, AT) is not None
    assert breach_of(observe(ledger, 200 * USD, D1), rule, AT) is None


def test_the_day_limit_restarts_from_the_last_equity_of_the_previous_day():
    rule = LossLimitRule(session_max=None, day_max=Decimal(5), unit=LossUnit.USD, basis=LossBasis.START)
    ledger = observe(LossLedger.starting(100 * USD, D1), 96 * USD, D1)
    assert breach_of(ledger, rule, AT) is None
    next_day = observe(ledger, 92 * USD, D2)
    assert next_day.day_start_equity == 96 * USD and breach_of(next_day, rule, AT) is None
    breach = breach_of(observe(next_day, 91 * USD, D2), rule, AT)
    assert breach is not None and breach.scope == "day" and "day loss limit of $5" in breach.sentence


def test_exit_only_refuses_anything_but_reduce_only():
    rule = LossLimitRule(session_max=Decimal(1), day_max=None, unit=LossUnit.USD)
    breach = breach_of(observe(LossLedger.starting(100 * USD, D1), 98 * USD, D1), rule, AT)
    [refusal] = exit_only_refusals(REQUEST, breach)
    assert refusal.code is RefusalCode.LOSS_LIMIT and "exit-only" in refusal.sentence
    assert "session loss limit of $1" in refusal.sentence
    assert exit_only_refusals(replace(REQUEST, reduce_only=True), breach) == []
    assert exit_only_refusals(REQUEST, None) == []


def test_tightest_is_the_limit_with_the_least_headroom():
    rule = LossLimitRule(session_max=Decimal(50), day_max=Decimal(20), unit=LossUnit.USD, basis=LossBasis.START)
    ledger = observe(LossLedger.starting(100 * USD, D1), 120 * USD, D1)
    ledger = observe(ledger, 110 * USD, D2)  # the new day starts from the last equity, $120
    use = tightest(ledger, rule)
    assert use is not None and use.scope == "day" and use.loss == 10 * USD and use.allowed == 20 * USD
    assert tightest(ledger, LossLimitRule(session_max=None, day_max=None)) is None
    session_only = tightest(observe(ledger, 90 * USD, D2), replace(rule, day_max=None))
    assert session_only is not None and (session_only.loss, session_only.headroom) == (10 * USD, 40 * USD)


def test_a_session_starts_from_its_deposits_and_a_deposit_is_not_profit():
    rule = LossLimitRule(session_max=Decimal(10), day_max=Decimal(20), unit=LossUnit.PCT, basis=LossBasis.START)
    # First read after $100 went in and $4 was already lost: the loss counts from the deposits.
    ledger = LossLedger.starting(96 * USD, D1, deposits=100 * USD)
    assert (ledger.start_equity, ledger.peak_equity, ledger.equity) == (100 * USD, 100 * USD, 96 * USD)
    # $50 more is deposited: equity $146 reads as $4 down, not as $46 up.
    ledger = observe(ledger, 146 * USD, D1, deposits=150 * USD)
    assert (ledger.start_equity, ledger.day_start_equity) == (150 * USD, 150 * USD)
    [session, day] = limit_uses(ledger, rule)
    assert (session.loss, session.base, session.allowed) == (4 * USD, 150 * USD, 15 * USD)
    assert breach_of(observe(ledger, 136 * USD, D1, deposits=150 * USD), rule, AT) is None  # $14 of $15
    assert breach_of(observe(ledger, 135 * USD, D1, deposits=150 * USD), rule, AT) is not None  # 10 % of $150
    # $60 withdrawn: equity $86 is still $4 down, and the % is still of the $150 put in.
    ledger = observe(ledger, 86 * USD, D1, deposits=90 * USD)
    assert tightest(ledger, rule) == limit_uses(ledger, rule)[0]
    assert (limit_uses(ledger, rule)[0].loss, limit_uses(ledger, rule)[0].allowed) == (4 * USD, 15 * USD)
    # Everything withdrawn after the $4 loss (a stop): net deposits are $4 and equity $0, which
    # is the same $4 loss of the $150 put in, not a loss of 100 % of what is left deposited.
    ledger = observe(ledger, 0, D1, deposits=4 * USD)
    assert (limit_uses(ledger, rule)[0].loss, limit_uses(ledger, rule)[0].base) == (4 * USD, 150 * USD)
    assert breach_of(ledger, rule, AT) is None


def test_the_peak_moves_with_deposits_and_without_them_the_reference_is_the_base():
    rule = LossLimitRule(session_max=Decimal(10), day_max=None, unit=LossUnit.PCT, basis=LossBasis.PEAK)
    ledger = observe(LossLedger.starting(100 * USD, D1, deposits=100 * USD), 120 * USD, D1, deposits=100 * USD)
    # 10 % of the $100 deposited, not of the $120 peak: $10 from the peak breaks it.
    assert breach_of(observe(ledger, 110 * USD, D1, deposits=100 * USD), rule, AT) is not None
    ledger = observe(ledger, 170 * USD, D1, deposits=150 * USD)  # $50 in at a $120 peak: the peak is $170
    assert ledger.peak_equity == 170 * USD and tightest(ledger, rule).loss == 0
    unknown = observe(LossLedger.starting(100 * USD, D1), 150 * USD, D1)  # the venue never says: as before
    [use] = limit_uses(unknown, rule)
    assert unknown.start_equity == 100 * USD and use.base == use.reference == 150 * USD
