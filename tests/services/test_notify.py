"""Alert delivery to a real local HTTP server: the webhook's JSON, and a server that hangs,
fails or is not there costs a logged warning and never holds the caller up."""

import asyncio
import logging
import time
from datetime import UTC, datetime
from decimal import Decimal

from aiohttp import web

from rekt_tui.config.models import AlertSettings
from rekt_tui.domain.alerts import Alert, AlertKind, Severity
from rekt_tui.services.notify import Notifier
from tests.localnet.conftest import free_port_pair

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ALERT = Alert(AlertKind.NEAR_LIQUIDATION, Severity.CRITICAL, "SOL-PERP long liquidates at $122.00.", 42)


async def serve(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/hook"


def notifier(url: str, timeout: str = "5", sink=None) -> Notifier:
    settings = AlertSettings(webhook_url=url, webhook_timeout_s=Decimal(timeout))
    return Notifier(settings, session="Sess1on", cluster="localnet", sink=sink, bell=None)


async def test_the_webhook_posts_a_small_json():
    received: list[dict] = []

    async def ok(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=204)

    runner, url = await serve(ok)
    shown: list[Alert] = []
    sender = notifier(url, sink=shown.append)
    try:
        sender.deliver(ALERT, AT)
        assert shown == [ALERT]  # the cockpit's callback runs at once
        while sender.delivered + sender.failed == 0:
            await asyncio.sleep(0.01)
        assert (sender.delivered, sender.failed) == (1, 0)
        assert received == [{
            "kind": "near_liquidation", "severity": "critical", "message": ALERT.sentence, "session": "Sess1on",
            "cluster": "localnet", "slot": 42, "at": "2026-12-06T12:00:00+00:00",
        }]  # fmt: skip
    finally:
        await sender.close()
        await runner.cleanup()


async def test_a_hanging_server_times_out_logged_and_blocks_nothing(caplog):
    arrived = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        arrived.set()
        await asyncio.sleep(3600)
        return web.Response()

    runner, url = await serve(hang)
    sender = notifier(url, timeout="0.3")
    try:
        started = time.monotonic()
        for _ in range(3):
            sender.deliver(ALERT, AT)
        assert time.monotonic() - started < 0.05  # delivery never waits on the server
        await asyncio.wait_for(arrived.wait(), 5)
        with caplog.at_level(logging.WARNING, logger="rekt_tui.services.notify"):
            while sender.failed < 3:
                assert time.monotonic() - started < 3, "the hanging POSTs were never given up"
                await asyncio.sleep(0.02)
        assert sender.delivered == 0
        assert "alert webhook gave no answer within 0.3 s" in caplog.text
    finally:
        await sender.close()
        await runner.cleanup()


async def test_an_error_status_or_a_closed_port_is_a_logged_failure(caplog):
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500)

    runner, url = await serve(broken)
    closed = f"http://127.0.0.1:{free_port_pair()}/hook"
    failing, refused = notifier(url), notifier(closed)
    try:
        with caplog.at_level(logging.WARNING, logger="rekt_tui.services.notify"):
            failing.deliver(ALERT, AT)
            refused.deliver(ALERT, AT)
            while failing.failed + refused.failed < 2:
                await asyncio.sleep(0.02)
        assert "answered HTTP 500" in caplog.text and "ClientConnectorError" in caplog.text
    finally:
        await failing.close()
        await refused.close()
        await runner.cleanup()
