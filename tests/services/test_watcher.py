"""The watcher on a live localnet: moving the oracle (`rekt_setOraclePrice`) breaches each
alert threshold and the loss limit, the breach makes order planning exit-only, a silent
feed is reported, and with auto-stop the session is torn down to flat by itself. Alerts
go to a webhook server that hangs, and the watcher keeps going regardless.
"""

import asyncio
import contextlib
import time
from dataclasses import replace
from decimal import Decimal

import pytest
from aiohttp import web

from rekt_tui.config.models import AlertSettings, LossLimitSettings
from rekt_tui.domain.alerts import AlertKind
from rekt_tui.domain.guards import RefusalCode
from rekt_tui.domain.loss_limit import LossLedger
from rekt_tui.domain.records import OrderStatus
from rekt_tui.domain.session import SessionStatus
from rekt_tui.services.models import OrderForm
from rekt_tui.services import watcher as watcher_module
from rekt_tui.services.notify import Notifier
from rekt_tui.services.watcher import Watcher
from tests.services.test_orders_service import SOL, close_desk, open_desk, until

pytestmark = pytest.mark.slow


@contextlib.asynccontextmanager
async def hanging_webhook():
    """A local HTTP server on a free port that never answers; yields (url, bodies received)."""
    received: list[dict] = []

    async def hang(request: web.Request) -> web.Response:
        received.append(await request.json())
        await asyncio.sleep(3600)
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hang)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/hook", received
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def watching(desk):
    """The watcher on the desk's link, alerts collected in order."""
    seen: list = []
    settings = desk.services.settings
    notifier = Notifier(settings.alerts, session=desk.pubkey, cluster="localnet", sink=seen.append)
    watcher = Watcher(desk.link, notifier)
    task = asyncio.create_task(watcher.run())
    try:
        yield watcher, seen
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await notifier.close()


def kinds(seen) -> list[AlertKind]:
    return [alert.kind for alert in seen]


async def seen_kind(seen, kind: AlertKind, timeout: float = 15.0):
    async def present() -> bool:
        return kind in kinds(seen)

    await until(present, timeout, what=f"a {kind.value} alert")
    return next(alert for alert in seen if alert.kind is kind)


async def test_the_oracle_breaches_each_threshold_and_the_loss_limit_goes_exit_only(tmp_path):
    async with hanging_webhook() as (url, posted):
        alerts = AlertSettings(health_below=70, liquidation_distance_pct=Decimal(15), feed_stale_after_s=2,
                               webhook_url=url, webhook_timeout_s=Decimal(30))
        limit = LossLimitSettings(unit="usd", session_max=Decimal(100), measured_from="peak")
        desk = await open_desk(tmp_path, alerts=alerts, loss_limit=limit)
        try:
            async with watching(desk) as (watcher, seen):
                await desk.orders.place(OrderForm("SOL-PERP", "buy", "1", kind="limit", price="140", post_only=True,
                                                  expire_s=1))
                ended = await seen_kind(seen, AlertKind.ORDER_ENDED)
                assert "(limit buy on SOL-PERP) was expired by the chain" in ended.sentence
                await desk.orders.place(OrderForm("SOL-PERP", "buy", "16"))  # 4.8x at $150
                await seen_kind(seen, AlertKind.FILL)
                assert not {AlertKind.LOW_HEALTH, AlertKind.NEAR_LIQUIDATION, AlertKind.LOSS_LIMIT} & set(kinds(seen))
                assert not watcher.state.exit_only

                await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "142"])  # ~$130 down, 14 % from liquidation
                near = await seen_kind(seen, AlertKind.NEAR_LIQUIDATION)
                breach = await seen_kind(seen, AlertKind.LOSS_LIMIT)
                assert "SOL-PERP long liquidates at" in near.sentence
                assert "session loss limit of $100 from its peak" in breach.sentence and "exit-only (L lifts it in the cockpit" in breach.sentence
                assert watcher.state.exit_only and watcher.state.loss >= 100 * 10**6
                plan = await desk.orders.plan(OrderForm("SOL-PERP", "buy", "0.1"))
                assert RefusalCode.LOSS_LIMIT in {r.code for r in plan.refusals}
                assert "exit-only" in " ".join(r.sentence for r in plan.refusals)
                exit_plan = await desk.orders.plan(OrderForm("SOL-PERP", "sell", "1", reduce_only=True))
                assert RefusalCode.LOSS_LIMIT not in {r.code for r in exit_plan.refusals}

                await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "129"])
                low = await seen_kind(seen, AlertKind.LOW_HEALTH)
                assert "below the alert threshold of 70" in low.sentence
                assert kinds(seen).count(AlertKind.LOSS_LIMIT) == 1  # a breach is announced once

                await desk.admin.call("rekt_setFaults", [{"wsSilent": True}])
                stale = await seen_kind(seen, AlertKind.FEED_STALE)
                assert "alert limit 2 s" in stale.sentence
                await desk.admin.call("rekt_clearFaults", [])

                async def logged_all() -> bool:  # each alert is logged just after it is told
                    return len(await desk.services.registry.list_alerts(desk.pubkey)) == len(seen)

                await until(logged_all, 10, what="every alert in the alert log")
            # Every alert reached the hanging server and none was held up by it.
            assert [body["kind"] for body in posted] == [a.value for a in kinds(seen)]
            assert posted[0]["session"] == desk.pubkey and posted[0]["cluster"] == "localnet"
            logged = await desk.services.registry.list_alerts(desk.pubkey)
            assert [a.kind for a in reversed(logged)] == kinds(seen)
        finally:
            await close_desk(desk)


async def test_auto_stop_after_the_grace_period_converges_to_flat(tmp_path):
    limit = LossLimitSettings(unit="usd", session_max=Decimal(20), measured_from="start", auto_stop=True, grace_s=1)
    desk = await open_desk(tmp_path, loss_limit=limit)
    try:
        async with watching(desk) as (watcher, seen):
            await desk.orders.place(OrderForm("SOL-PERP", "buy", "5"))
            await seen_kind(seen, AlertKind.FILL)
            await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "145"])  # $25 down
            breach = await seen_kind(seen, AlertKind.LOSS_LIMIT)
            assert "stop-and-withdraw runs by itself in 1 s" in breach.sentence
            started = time.monotonic()
            await asyncio.wait_for(watcher.stopped.wait(), 60)
            assert time.monotonic() - started >= 0.5
        session = await desk.services.registry.get_session(desk.pubkey)
        assert session.status is SessionStatus.ARCHIVED, [a.sentence for a in seen]
        await desk.link.venue.refresh_account()
        assert not desk.link.venue.holdings().holds_anything
        assert any("Auto-stop archive: done" in a.sentence for a in seen)
    finally:
        await close_desk(desk)


async def test_readings_that_only_move_the_equity_are_stored_at_most_once_a_second(tmp_path, monkeypatch):
    """A feed brings about 20 readings a second: each would be a registry commit. Only a reading
    that changes more than the last equity (a peak, a breach) is written at once; the guard's
    state shows every one."""
    monkeypatch.setattr(watcher_module, "LEDGER_EQUITY_S", 3600.0)
    limit = LossLimitSettings(unit="usd", session_max=Decimal(100), measured_from="peak")
    desk = await open_desk(tmp_path, loss_limit=limit)
    usd = 10**6
    try:
        notifier = Notifier(desk.services.settings.alerts, session=desk.pubkey, cluster="localnet", sink=[].append)
        watcher = Watcher(desk.link, notifier)
        now = desk.account()

        async def read(equity: int) -> LossLedger:
            await watcher.handle(replace(now, equity=equity))
            return await desk.services.registry.get_loss_ledger(desk.pubkey)

        stored = await read(500 * usd)  # the first reading is stored
        assert (stored.equity, stored.peak_equity) == (500 * usd, 500 * usd)
        for step in range(1, 20):  # below the peak, within the limit: only the equity moves
            assert (await read(500 * usd - step * usd)) == stored
        assert watcher.state.equity == 481 * usd and watcher.state.loss == 19 * usd
        assert (await read(510 * usd)).peak_equity == 510 * usd  # a new peak: at once
        breached = await read(400 * usd)  # $110 below the peak: the breach is stored at once
        assert breached.breach is not None and breached.equity == 400 * usd and watcher.state.exit_only
        monkeypatch.setattr(watcher_module, "LEDGER_EQUITY_S", 0.0)
        assert (await read(401 * usd)).equity == 401 * usd  # the interval is up: the equity too
        await notifier.close()
    finally:
        await close_desk(desk)


@pytest.mark.parametrize("venue", ["drift", "velocity"])
async def test_a_modified_order_is_not_told_as_cancelled_by_the_chain(tmp_path, venue):
    """A modify replaces the order with a new one: the old id vanishing is ours, not the chain's."""
    desk = await open_desk(tmp_path, venue=venue)
    try:
        async with watching(desk) as (watcher, seen):
            placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140",
                                                       post_only=True))  # fmt: skip
            await desk.fresh()
            old = next(o for o in desk.account().orders if o.user_order_id == placed.record.user_order_id)
            done = await desk.orders.modify(await desk.orders.plan_modify(old.order_id, price="141", size=None,
                                                                          trigger=None))  # fmt: skip

            async def watched_the_new_order() -> bool:
                last = watcher._alerter.last
                return last is not None and {o.order_id for o in last.orders} == {done.chain_order_id}

            await until(watched_the_new_order, what="the watcher to see the modified order")
            await asyncio.sleep(0.5)  # the snapshots after it, too
            assert AlertKind.ORDER_ENDED not in kinds(seen), [a.sentence for a in seen]
    finally:
        await close_desk(desk)


async def test_a_stop_that_fires_ends_its_row_with_no_command_run(tmp_path):
    """The history and `report` read the registry's rows: a stop-loss the chain filled must not
    stay listed as open until some later command brings the rows in line."""
    desk = await open_desk(tmp_path)
    try:
        async with watching(desk):
            await desk.orders.place(OrderForm("SOL-PERP", "buy", "1"))

            async def held() -> bool:
                await desk.fresh()
                return desk.base() == SOL

            await until(held, what="the buy's fill")
            stop = await desk.orders.place(OrderForm("SOL-PERP", "sell", "1", kind="stop-market", trigger="145",
                                                     reduce_only=True))  # fmt: skip
            rows = lambda: desk.services.registry.list_orders(desk.pubkey)  # noqa: E731
            assert {r.id: r.status for r in await rows()}[stop.record.id] is OrderStatus.OPEN
            await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "140"])

            async def row_filled() -> bool:
                return {r.id: r.status for r in await rows()}[stop.record.id] is OrderStatus.FILLED

            await until(row_filled, what="the stop's row to say filled")
    finally:
        await close_desk(desk)
