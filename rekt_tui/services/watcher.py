"""The watcher: one session's alerts and loss limit, the same in the cockpit and in `guard`.

It reads the venue's snapshot stream (and a one-second clock for the feed's silence and
the auto-stop's grace), the chain's funding of the markets the session holds, and the
venue's records for liquidations; asks `domain.alerts` what to tell, folds each equity
reading (with the account's net deposits) into the registry's loss ledger (one
transaction per reading, so a breach is on disk before it is announced) and delivers
alerts through a `Notifier`. A breach makes the session
exit-only: `OrderService.plan` reads the same ledger and refuses what adds risk. With
`auto_stop`, once the grace period after the breach has passed, it runs stop-and-withdraw
(the teardown service, under the session's signing lock like any other signer). It also
places the legs of brackets waiting for a resting entry's fill (services/pending_brackets.py),
on a launch too: a bracket left waiting by an earlier run is resumed.
"""

import asyncio
import json
import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rekt_tui.config.models import AlertSettings, LossLimitSettings
from rekt_tui.domain.alerts import Alert, Alerter, AlertKind, AlertThresholds, Severity, recorded_liquidation
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.market_context import MarketDataError
from rekt_tui.domain.money import format_usd
from rekt_tui.domain.loss_limit import (
    LIFT_HOW, Breach, GuardState, LossBasis, LossLedger, LossLimitRule, LossUnit, observe, tightest, worth_storing,
)  # fmt: skip
from rekt_tui.domain.records import MarketType, TeardownStepStatus
from rekt_tui.domain.session import SessionStatus
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.registry import Registry, RegistryError
from rekt_tui.services.history import backfill
from rekt_tui.services.link import SessionLink
from rekt_tui.services.notify import Notifier
from rekt_tui.services.order_book import adopt_orders, cancelled_ids
from rekt_tui.services.orphaned_legs import OrphanedLegs
from rekt_tui.services.pending_brackets import BracketKeeper
from rekt_tui.services.teardown import TeardownService, teardown_in_progress
from rekt_tui.services.venue import MarketData, Stream
from rekt_tui.services.venue_factory import open_market_data
from rekt_tui.services.wakeup import woken_or_timed_out

log = logging.getLogger(__name__)
TICK_S = 1.0
CANCEL_LOOKBACK = 20  # recent transactions searched for our own cancels when orders vanish
CANCEL_RECENT = timedelta(minutes=2)  # a cancel of ours older than this explains no vanished order
FUNDING_POLL_S = 10.0  # how often the funding of held markets is read from the chain
RECORDS_POLL_S = 5.0  # how often the venue's records are read for liquidations
BRACKETS_POLL_S = 5.0  # how often waiting brackets are checked without a new snapshot
LEDGER_EQUITY_S = 1.0  # how stale the stored ledger's last equity may be (what a lift measures from)


def thresholds_from(settings: AlertSettings) -> AlertThresholds:
    return AlertThresholds(
        health_below=settings.health_below, liquidation_distance_pct=settings.liquidation_distance_pct,
        feed_stale_after_s=settings.feed_stale_after_s, funding_rate_pct=settings.funding_rate_pct,
        fills=settings.fills, orders_ended=settings.orders_ended,
    )  # fmt: skip


def rule_from(settings: LossLimitSettings) -> LossLimitRule:
    unit, basis = LossUnit(settings.unit), LossBasis(settings.measured_from)
    return LossLimitRule(settings.session_max, settings.day_max, unit, basis)


def describe(state: GuardState) -> str:
    """The loss limit's state in one line: what `guard` prints and the cockpit's HUD can show."""
    if not state.enabled:
        return "Loss limit: off."
    if state.breach is not None:
        when = f"; auto-stop at {state.auto_stop_at:%H:%M:%S} UTC" if state.auto_stop_at else ""
        return f"Loss limit: EXIT-ONLY since {state.breach.at:%Y-%m-%d %H:%M:%S} UTC{when}."
    if state.equity is None:
        return "Loss limit: watching (no equity read yet)."
    use = f" ({format_usd(state.use.loss)} of {format_usd(state.use.allowed)} used)" if state.use else ""
    return (
        f"Loss limit: watching; equity {format_usd(state.equity)}, {format_usd(state.loss)} below its "
        f"{state.basis.value}{use}."
    )


StateSink = Callable[[GuardState], None]


class Watcher:
    """Watches one session over its link until cancelled; `stopped` is set after an auto-stop ends."""

    def __init__(
        self,
        link: SessionLink,
        notifier: Notifier,
        *,
        on_state: StateSink | None = None,
        market_data: MarketData | None = None,
    ) -> None:
        """`market_data` feeds the funding alert (opened from the link's settings when it is
        switched on and none is given; the watcher closes what it opened)."""
        self._link = link
        self._notifier = notifier
        self._on_state = on_state
        settings = link.settings
        self._market_data = market_data
        self._owns_market_data = False
        if market_data is None and settings.alerts.funding_rate_pct is not None:
            self._market_data, self._owns_market_data = open_market_data(settings), True
        self._funding: dict[str, Decimal] = {}  # symbol -> hourly rate in %, of markets the session holds
        self._records_wakeup = asyncio.Event()
        self._brackets_wakeup = asyncio.Event()
        self._limit = settings.loss_limit
        self._rule = rule_from(settings.loss_limit)
        perps = {m.market_index: m.symbol for m in link.venue.markets() if m.market_type is MarketType.PERP}
        self._alerter = Alerter(thresholds_from(settings.alerts), market_names=perps)
        told = lambda severity, sentence: self._tell(severity, sentence, AlertKind.BRACKET)  # noqa: E731
        self._orphaned_legs = OrphanedLegs(link, told, self._symbol)
        self._ledger: LossLedger | None = None  # the last stored, moved by the readings since
        self._ledger_stored_at = -math.inf  # monotonic
        self._stopping: asyncio.Task[None] | None = None
        self.stopped = asyncio.Event()
        self.state = GuardState(self._rule.enabled, self._rule.unit, self._rule.basis, session=link.pubkey)
        self.alerts_seen = 0

    async def run(self) -> None:
        venue = self._link.venue
        snapshots = venue.snapshots()
        try:
            self._ledger = await self._link.registry.get_loss_ledger(self._link.pubkey)
            self._publish()
            if (first := venue.snapshot()) is not None:
                await self.handle(first)
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._follow(snapshots))
                tasks.create_task(self._tick())
                if self._market_data is not None:
                    tasks.create_task(self._follow_funding(self._market_data))
                if not self._link.registry.read_only:
                    tasks.create_task(self._follow_records())
                    tasks.create_task(self._keep_brackets())
                    tasks.create_task(self._orphaned_legs.run())
        finally:
            snapshots.close()
            if self._owns_market_data and self._market_data is not None:
                await self._market_data.close()
            if self._stopping is not None and not self._stopping.done():
                self._stopping.cancel()

    async def _follow(self, snapshots: Stream[AccountSnapshot]) -> None:
        async for snapshot in snapshots:
            await self.handle(snapshot)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            await self.handle(None)

    async def _follow_funding(self, data: MarketData) -> None:
        """The chain's last funding rate of each market the session holds, every `FUNDING_POLL_S`
        (the chain changes it once an hour); a failed read keeps the last rates and is logged."""
        while True:
            held = {p.market_index for p in self._alerter.last.positions} if self._alerter.last else set()
            if held:
                try:
                    markets = await data.chain_markets()
                except MarketDataError as error:
                    log.warning("funding not read: %s", error.message)
                else:
                    self._funding = {m.symbol: m.last_hourly_rate * 100 for m in markets if m.market_index in held}
                    await self.handle(None)
            else:
                self._funding = {}
            await asyncio.sleep(FUNDING_POLL_S)

    async def _follow_records(self) -> None:
        """Liquidations from the venue's own records: the history's backfill, then each
        liquidation record no alert has told, claimed in the alert log before it is told
        (so a cockpit and a `guard` on one session tell it once). Read every
        `RECORDS_POLL_S`, and at once when the account looks liquidated."""
        link = self._link
        while True:
            try:
                await backfill(link.registry, link.venue, link.pubkey)
                records = await link.registry.list_untold_liquidations(link.pubkey)
            except Exception as error:  # noqa: BLE001 - RPC or registry trouble: the next poll tries again
                log.warning("liquidation records not read: %s", error)
                records = []
            for record in records:
                alert = recorded_liquidation(record, self._symbol(record.market_index))
                now = datetime.now(UTC)
                if await link.registry.claim_record_alert(link.pubkey, alert, now):
                    self._notifier.deliver(alert, now)
                    self.alerts_seen += 1
            await woken_or_timed_out(self._records_wakeup, RECORDS_POLL_S)

    async def _keep_brackets(self) -> None:
        """Place waiting brackets' legs as their entries fill: at start (a bracket an earlier run
        left waiting), on each snapshot that shows an entry filled further or gone, and every
        `BRACKETS_POLL_S`. Each placement or failure is told as an alert naming what is known."""
        keeper = BracketKeeper(self._link)
        check_all, told = True, set()
        while True:
            sentences: list[tuple[Severity, str]] = []
            try:
                waiting = await keeper.waiting()
                if waiting and (check_all or keeper.due(self._link.venue.snapshot(), waiting)):
                    reports = await keeper.step()
                    sentences = [(Severity.CRITICAL if r.failed else Severity.INFO, r.sentence) for r in reports]
            except RektError as error:  # the next wakeup tries again
                sentences = [(Severity.CRITICAL, f"A waiting bracket's legs were not placed yet: {error.message}")]
            except Exception as error:  # noqa: BLE001 - RPC or registry trouble: alerts go on, the next wakeup retries
                log.warning("waiting brackets not kept: %s", error, exc_info=True)
                sentences = [(Severity.CRITICAL, "A waiting bracket's legs were not placed yet (a read failed; "
                                                 f"see {self._link.settings.log_file}); the watcher tries again.")]
            for severity, sentence in sentences:
                if severity is Severity.INFO or sentence not in told:  # a failure that repeats is told once
                    told.add(sentence)
                    self._tell(severity, sentence, AlertKind.BRACKET)
            check_all = False
            await woken_or_timed_out(self._brackets_wakeup, BRACKETS_POLL_S)

    def _symbol(self, market_index: int) -> str:
        perps = (m for m in self._link.venue.markets() if m.market_type is MarketType.PERP)
        return next((m.symbol for m in perps if m.market_index == market_index), f"perp market {market_index}")

    async def handle(self, snapshot: AccountSnapshot | None) -> None:
        """One reading (or a clock tick for None): alerts, the loss ledger, the auto-stop."""
        now = datetime.now(UTC)
        previous = self._alerter.last
        ours = await self._ended_by_us(previous, snapshot)
        await self._end_rows(previous, snapshot)
        age = Decimal(f"{self._link.venue.age_s():.3f}")
        alerts = self._alerter.step(
            snapshot, now_ts=int(time.time()), feed_age_s=age, funding_rates_pct=self._funding, ended_by_us=ours
        )
        if snapshot is None and self._ledger is not None and self._ledger.breach is not None:
            self._ledger = await self._link.registry.get_loss_ledger(self._link.pubkey)  # lifted elsewhere?
            self._publish()
        if snapshot is not None and self._rule.enabled:
            if self._stores(snapshot, now):
                self._ledger, newly = await self._link.registry.observe_equity(
                    self._link.pubkey, snapshot.equity, self._rule, now, snapshot.net_deposits
                )
                self._ledger_stored_at = time.monotonic()
                if newly and self._ledger.breach is not None:
                    alerts.append(self._breach_alert(self._ledger.breach, snapshot.slot))
            elif self._ledger is not None:
                self._ledger = observe(self._ledger, snapshot.equity, now.date(), snapshot.net_deposits)
            self._publish()
        if snapshot is not None:
            self._brackets_wakeup.set()
            self._orphaned_legs.seen(previous, snapshot)
        if any(alert.kind is AlertKind.LIQUIDATION for alert in alerts):
            self._records_wakeup.set()  # the chain's record says what happened: read it now
        for alert in alerts:
            self._notifier.deliver(alert, now)
            self.alerts_seen += 1
            try:
                await self._link.registry.record_alert(self._link.pubkey, alert, now)
            except RegistryError as error:  # the log of alerts is an audit; the breach itself is already stored
                log.warning("alert not logged in the registry: %s", error)
        self._maybe_auto_stop(now)

    def _stores(self, snapshot: AccountSnapshot, now: datetime) -> bool:
        """Whether this reading is written to the registry's ledger now: each one that changes
        more than the last equity (a peak, a day, deposits, a breach) is, at once; one that
        only moves the equity waits up to LEDGER_EQUITY_S (a feed brings 20 a second)."""
        ledger = self._ledger
        if ledger is None or time.monotonic() - self._ledger_stored_at >= LEDGER_EQUITY_S:
            return True
        seen = observe(ledger, snapshot.equity, now.date(), snapshot.net_deposits)
        return worth_storing(ledger, seen, self._rule, now)

    def _breach_alert(self, breach: Breach, slot: int) -> Alert:
        then = ""
        if self._limit.auto_stop:
            then = f"; stop-and-withdraw runs by itself in {self._limit.grace_s} s"
        return Alert(
            AlertKind.LOSS_LIMIT, Severity.CRITICAL,
            f"{breach.sentence}; the session is now exit-only ({LIFT_HOW}){then}.", slot,
        )  # fmt: skip

    def _auto_stop_at(self) -> datetime | None:
        breach = self._ledger.breach if self._ledger is not None else None
        if breach is None or not self._limit.auto_stop:
            return None
        return breach.at + timedelta(seconds=self._limit.grace_s)

    def _publish(self) -> None:
        ledger = self._ledger
        reference = None
        if ledger is not None:
            reference = ledger.peak_equity if self._rule.basis is LossBasis.PEAK else ledger.start_equity
        rule = self._rule
        self.state = GuardState(
            enabled=rule.enabled, unit=rule.unit, basis=rule.basis, equity=ledger.equity if ledger else None,
            reference=reference, use=tightest(ledger, rule) if ledger else None,
            breach=ledger.breach if ledger else None, auto_stop_at=self._auto_stop_at(), session=self._link.pubkey,
        )  # fmt: skip
        if self._on_state is not None:
            self._on_state(self.state)

    def _maybe_auto_stop(self, now: datetime) -> None:
        due = self._auto_stop_at()
        if due is None or now < due or self._stopping is not None:
            return
        self._stopping = asyncio.get_running_loop().create_task(self._auto_stop())

    async def _auto_stop(self) -> None:
        link = self._link
        session = await link.refresh_session()
        if session.status is not SessionStatus.ACTIVE:
            self.stopped.set()
            return
        self._tell(Severity.CRITICAL, "The loss limit's grace period is over: stop-and-withdraw starts now.")
        try:
            async for event in TeardownService().run(link):
                if event.state is TeardownStepStatus.RUNNING:
                    continue
                step = event.step.value if event.step else "teardown"
                signature = f" ({event.signature})" if event.signature else ""
                severity = Severity.INFO if event.state is TeardownStepStatus.DONE else Severity.CRITICAL
                self._tell(severity, f"Auto-stop {step}: {event.state.value}{signature}: {event.message}")
        except RektError as error:
            self._tell(Severity.CRITICAL, f"Auto-stop stopped: {error.message} Run `rekt-tui stop` to finish.")
        finally:
            self.stopped.set()

    def _tell(self, severity: Severity, sentence: str, kind: AlertKind = AlertKind.LOSS_LIMIT) -> None:
        self._notifier.deliver(Alert(kind, severity, sentence), datetime.now(UTC))
        self.alerts_seen += 1

    async def _end_rows(self, before: AccountSnapshot | None, after: AccountSnapshot | None) -> None:
        """Orders that left the account (a take-profit or stop-loss that fired, an expiry) end
        their registry rows now, so the history and `report` never list them as open."""
        if before is None or after is None or {o.order_id for o in before.orders} <= {o.order_id for o in after.orders}:
            return
        try:
            await adopt_orders(self._link.registry, self._link)
        except RegistryError as error:  # the next vanishing order, or the next launch, brings them in line
            log.warning("order rows not brought in line with the chain: %s", error)

    async def _ended_by_us(self, before: AccountSnapshot | None, after: AccountSnapshot | None) -> frozenset[int]:
        """Venue order ids this app cancelled or replaced itself, read only when orders vanished.

        A teardown in progress cancels everything; otherwise our recent cancel transactions
        name their orders (none named: all of them), and a modify names the order it replaced
        with a new one.
        """
        if before is None or after is None:
            return frozenset()
        remaining = {o.order_id for o in after.orders}
        gone = frozenset(o.order_id for o in before.orders if o.order_id not in remaining)
        if not gone:
            return gone
        registry, pubkey = self._link.registry, self._link.pubkey
        if await teardown_in_progress(registry, pubkey):
            return gone
        ours: set[int] = set()
        since = datetime.now(UTC) - CANCEL_RECENT
        for record in await registry.list_transactions(pubkey, limit=CANCEL_LOOKBACK):
            if record.created_at < since:
                continue
            if record.kind == "modify_order":  # OrderService.modify: the order it replaced
                ours.add(json.loads(record.intent).get("chain_order_id"))
            else:
                named = cancelled_ids(record)
                ours |= gone if named is None else named
        return frozenset(ours & gone)


LIFT_WORD = "lift"  # what the trader types to lift a breached limit, in `guard --lift` and the cockpit


async def breached_ledger(registry: Registry, pubkey: str) -> LossLedger:
    """The session's ledger while its limit is breached; one sentence when there is nothing to lift."""
    ledger = await registry.get_loss_ledger(pubkey)
    if ledger is None or ledger.breach is None:
        raise RektError(f"Session {pubkey}'s loss limit is not breached; there is nothing to lift.")
    return ledger


def lift_question(ledger: LossLedger) -> str:
    """What the trader reads before typing the word."""
    assert ledger.breach is not None
    return (
        f"{ledger.breach.sentence}. Lifting it lets this session add risk again; the limit then measures "
        f"from the current equity {format_usd(ledger.equity)}."
    )


async def lift_loss_limit(registry: Registry, pubkey: str) -> str:
    """Clear a breach (after the caller's confirmation); the limit restarts from the last equity.
    Returns the sentence that says so; one sentence when there was nothing to lift."""
    await breached_ledger(registry, pubkey)
    ledger = await registry.lift_loss_limit(pubkey, datetime.now(UTC))
    assert ledger is not None  # a breached ledger exists
    return f"Loss limit lifted for session {pubkey}; it measures again from {format_usd(ledger.equity)}."
