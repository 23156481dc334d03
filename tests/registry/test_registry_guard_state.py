"""The loss ledger and alert log in a real registry: a breach persists across reopening, only a lift clears it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rekt_tui.domain.alerts import Alert, AlertKind, Severity
from rekt_tui.domain.loss_limit import LossBasis, LossLimitRule, LossUnit
from rekt_tui.registry import Registry

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
USD = 10**6
RULE = LossLimitRule(session_max=Decimal(10), day_max=None, unit=LossUnit.USD, basis=LossBasis.PEAK)


@pytest.fixture
async def pubkey(registry: Registry, new_pubkey) -> str:
    key = new_pubkey()
    await registry.create_session(pubkey=key, cluster="localnet", label="", key_backend="localnet-file")
    return key


async def test_a_breach_is_made_once_and_survives_reopening(registry: Registry, pubkey: str, data_dir) -> None:
    assert await registry.get_loss_ledger(pubkey) is None
    ledger, newly = await registry.observe_equity(pubkey, 100 * USD, RULE, T0)
    assert (ledger.start_equity, ledger.peak_equity, newly) == (100 * USD, 100 * USD, False)
    await registry.observe_equity(pubkey, 120 * USD, RULE, T0)
    ledger, newly = await registry.observe_equity(pubkey, 110 * USD, RULE, T0)
    assert newly and ledger.breach is not None and "session loss limit of $10 from its peak" in ledger.breach.sentence
    ledger, newly = await registry.observe_equity(pubkey, 130 * USD, RULE, T0)  # a recovery does not lift it
    assert not newly and ledger.breach is not None and ledger.peak_equity == 130 * USD
    await registry.close()
    async with await Registry.open(data_dir) as reopened:
        kept = await reopened.get_loss_ledger(pubkey)
        assert kept is not None and kept.breach == ledger.breach and kept.equity == 130 * USD
        lifted = await reopened.lift_loss_limit(pubkey, T0 + timedelta(hours=1))
        assert lifted is not None and lifted.breach is None and lifted.start_equity == lifted.peak_equity == 130 * USD
        after, newly = await reopened.observe_equity(pubkey, 125 * USD, RULE, T0 + timedelta(hours=2))
        assert after.breach is None and not newly


async def test_alerts_are_logged_newest_first(registry: Registry, pubkey: str) -> None:
    first = Alert(AlertKind.FILL, Severity.INFO, "SOL-PERP filled.", 5)
    second = Alert(AlertKind.LIQUIDATION, Severity.CRITICAL, "SOL-PERP was liquidated.", None)
    await registry.record_alert(pubkey, first, T0)
    await registry.record_alert(pubkey, second, T0)
    assert await registry.list_alerts(pubkey) == [second, first]


async def test_net_deposits_survive_reopening_and_a_lift(registry: Registry, pubkey: str, data_dir) -> None:
    await registry.observe_equity(pubkey, 98 * USD, RULE, T0, deposits=100 * USD)
    await registry.close()
    async with await Registry.open(data_dir) as reopened:
        ledger, _ = await reopened.observe_equity(pubkey, 148 * USD, RULE, T0, deposits=150 * USD)  # $50 more in
        assert (ledger.start_equity, ledger.peak_equity, ledger.deposits, ledger.breach) == (
            150 * USD, 150 * USD, 150 * USD, None,
        )  # fmt: skip
        lifted = await reopened.lift_loss_limit(pubkey, T0)
        assert lifted is not None and lifted.deposits == 150 * USD and lifted.start_equity == 148 * USD
        # $100 out: the capital a limit in % is a share of stays the most that was in, here and reopened.
        await reopened.observe_equity(pubkey, 48 * USD, RULE, T0, deposits=50 * USD)
    async with await Registry.open(data_dir) as again:
        ledger, _ = await again.observe_equity(pubkey, 48 * USD, RULE, T0, deposits=50 * USD)
        assert (ledger.deposits, ledger.committed) == (50 * USD, 150 * USD)


async def test_a_record_alert_is_claimed_once(registry: Registry, pubkey: str) -> None:
    told = Alert(AlertKind.LIQUIDATION, Severity.CRITICAL, "SOL-PERP liquidated.", 7, ("sig", 2))
    assert await registry.claim_record_alert(pubkey, told, T0)
    assert not await registry.claim_record_alert(pubkey, told, T0)
    assert not await registry.claim_record_alert(pubkey, Alert(told.kind, told.severity, "again", 7, ("sig", 2)), T0)
    assert await registry.claim_record_alert(pubkey, Alert(told.kind, told.severity, "next", 7, ("sig", 3)), T0)
    assert [a.record for a in await registry.list_alerts(pubkey)] == [("sig", 3), ("sig", 2)]
