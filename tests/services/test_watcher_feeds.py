"""The watcher's chain feeds on a live localnet: the funding alert reads the held market's
funding from its PerpMarket account once the keeper pays funding at a premium (the mark
TWAP written $3 above the oracle's, then the localnet's keeper cranks by the program's
rule); a liquidation by the localnet's keeper is told from the chain's liquidation record,
once, however many watchers read it; a deposit mid-session moves the loss limit's
references (the account's own net deposits), so it never reads as profit."""

import asyncio
import base64
from dataclasses import replace
from decimal import Decimal

import pytest

from rekt_localnet.encoding import decode_account, encode_account
from rekt_tui.config.models import AlertSettings, LossLimitSettings
from rekt_tui.domain.alerts import AlertKind
from rekt_tui.domain.history import RecordKind
from rekt_tui.domain.market_context import hourly_rate
from rekt_tui.services import watcher as watcher_module
from rekt_tui.services.models import OrderForm
from tests.localnet.test_market_data import SOL_PERP
from tests.services.test_orders_service import close_desk, open_desk, until
from tests.services.test_watcher import seen_kind, watching

pytestmark = pytest.mark.slow
USD = 10**6
QUIET = {"health_below": "off", "liquidation_distance_pct": "off", "feed_stale_after_s": "off", "orders_ended": False}


async def sol_perp(desk):
    info = await desk.admin.call("getAccountInfo", [str(SOL_PERP), {"encoding": "base64"}])
    return decode_account(base64.b64decode(info["value"]["data"][0]))


async def test_funding_beyond_the_threshold_on_a_held_market_alerts(tmp_path, monkeypatch):
    monkeypatch.setattr(watcher_module, "FUNDING_POLL_S", 0.5)
    alerts = AlertSettings(**QUIET)  # the default threshold, 0.05 % an hour
    desk = await open_desk(tmp_path, alerts=alerts)
    try:
        async with watching(desk) as (watcher, seen):
            await desk.orders.place(OrderForm("SOL-PERP", "buy", "5"))
            await seen_kind(seen, AlertKind.FILL)
            assert (await sol_perp(desk)).amm.last_funding_rate == 0  # genesis: nothing paid yet
            # SOL-PERP traded $3 above its oracle for the hour, and the hour is over: the keeper
            # pays funding by the program's rule (premium of the mark TWAP over the oracle TWAP).
            account = desk.chain.ledger.get(SOL_PERP)
            market = decode_account(account.data)
            market.amm.last_mark_price_twap = market.amm.historical_oracle_data.last_oracle_price_twap + 3 * 10**6
            market.amm.last_funding_rate_ts -= market.amm.funding_period
            desk.chain.ledger.put(SOL_PERP, replace(account, data=encode_account("PerpMarket", market)))
            alert = await seen_kind(seen, AlertKind.FUNDING, timeout=30)
            amm = (await sol_perp(desk)).amm
            assert amm.last_funding_rate > 0, "the keeper paid funding at a premium"
            pct = hourly_rate(amm.last_funding_rate, amm.last_funding_oracle_twap) * 100
            shown = pct.quantize(Decimal("0.01"), rounding="ROUND_DOWN").normalize()
            assert alert.sentence.startswith(f"SOL-PERP funding is {shown:f}% an hour (longs pay shorts)")
            assert pct >= Decimal("0.05") and "beyond the 0.05% alert threshold" in alert.sentence
            assert [a.kind for a in seen].count(AlertKind.FUNDING) == 1  # a level: told once while it lasts
    finally:
        await close_desk(desk)


async def test_a_keeper_liquidation_is_told_once_from_the_chain_record(tmp_path, monkeypatch):
    monkeypatch.setattr(watcher_module, "RECORDS_POLL_S", 0.5)
    desk = await open_desk(tmp_path, alerts=AlertSettings(**QUIET, fills=False, funding_rate_pct="off"))
    try:
        async with watching(desk) as (watcher, seen):
            await desk.orders.place(OrderForm("SOL-PERP", "buy", "16"))  # 4.8x on $500 at $150
            # The keeper fills a market order after its auction: filled at $120, it would not be liquidated.
            await until(lambda: _held(desk, 16 * 10**9), 20, what="the 16 SOL filled")
            await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "120"])  # below maintenance: the keeper acts

            async def recorded() -> bool:
                return any(alert.record is not None for alert in seen)

            await until(recorded, 60, what="the liquidation record's alert")
            [told] = [alert for alert in seen if alert.record is not None]
            [record] = [r for r in await desk.services.registry.list_records(desk.pubkey)
                        if r.kind is RecordKind.LIQUIDATION]  # fmt: skip
            assert told.kind is AlertKind.LIQUIDATION and told.record == record.key and told.slot == record.slot
            assert told.sentence.startswith("The chain recorded a liquidation of SOL-PERP: 16 SOL closed at $120.00")
            assert f"(transaction {record.signature}, record {record.index})" in told.sentence
        # A second watcher (a relaunch, or `guard` beside the cockpit) reads the same record: not told again.
        async with watching(desk) as (_, again):
            await until(lambda: _backfilled(desk), 20, what="a second read of the records")
            await asyncio.sleep(1.5)  # three polls
            assert [a for a in again if a.record is not None] == []
        logged = [a for a in await desk.services.registry.list_alerts(desk.pubkey) if a.record is not None]
        assert [(a.kind, a.record) for a in logged] == [(AlertKind.LIQUIDATION, record.key)]
    finally:
        await close_desk(desk)


async def _held(desk, base: int) -> bool:
    await desk.fresh()
    return desk.base() == base


async def _backfilled(desk) -> bool:
    return await desk.services.registry.get_record_cursor(desk.pubkey) is not None


async def test_a_mid_session_deposit_is_not_profit_and_the_limit_is_a_share_of_deposits(tmp_path):
    limit = LossLimitSettings(unit="pct", session_max=Decimal(5), measured_from="start")
    desk = await open_desk(tmp_path, alerts=AlertSettings(**QUIET, funding_rate_pct="off"), loss_limit=limit)
    try:
        async with watching(desk) as (watcher, seen):
            async def read(deposits: int) -> bool:
                use = watcher.state.use
                return use is not None and use.base == deposits * USD

            await until(lambda: read(500), 20, what="the $500 deposited")
            assert watcher.state.reference == 500 * USD
            await desk.setup.airdrop("300", "USDC")
            await desk.setup.deposit("300", "USDC")  # mid-session, through the real setup service
            await until(lambda: read(800), 20, what="the $800 deposited")
            assert watcher.state.reference == 800 * USD and watcher.state.loss < USD  # not $300 of profit
            await desk.orders.place(OrderForm("SOL-PERP", "buy", "10"))
            await seen_kind(seen, AlertKind.FILL)
            await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "144"])  # about $60 down: over 5 % of $800
            breach = await seen_kind(seen, AlertKind.LOSS_LIMIT)
            assert "below $800.00, breaking the session loss limit of 5% from the session's start" in breach.sentence
    finally:
        await close_desk(desk)
