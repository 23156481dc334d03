"""The watcher's chain feeds on a live localnet: the funding alert reads the held market's
funding from its PerpMarket account once the keeper pays funding at a premium (the mark
TWAP written $3 above the oracle's, then the localnet's keeper cranks by the program's rule)."""

import base64
from dataclasses import replace
from decimal import Decimal

import pytest

from rekt_localnet.encoding import decode_account, encode_account
from rekt_tui.config.models import AlertSettings
from rekt_tui.domain.alerts import AlertKind
from rekt_tui.domain.market_context import hourly_rate
from rekt_tui.services import watcher as watcher_module
from rekt_tui.services.models import OrderForm
from tests.localnet.test_market_data import SOL_PERP
from tests.services.test_orders_service import close_desk, open_desk
from tests.services.test_watcher import seen_kind, watching

pytestmark = pytest.mark.slow
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
