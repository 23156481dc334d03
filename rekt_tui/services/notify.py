"""Alert delivery: the log, the cockpit's callback, the bell, the desktop and a webhook.

`deliver` never waits: the log line and the callback run at once, and the slow channels
(a desktop notification over D-Bus, a webhook POST) run as background tasks bounded by a
timeout, their failures logged. A webhook that hangs costs one task until its timeout;
the watcher has moved on long before.

The webhook body is small and has no secret in it: kind, severity, message, session
address, cluster, slot and time.
"""

import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp

from rekt_tui.config.models import AlertSettings
from rekt_tui.domain.alerts import Alert, Severity

log = logging.getLogger(__name__)
AlertSink = Callable[[Alert], None]
_LOG_LEVELS = {Severity.INFO: logging.INFO, Severity.WARNING: logging.WARNING, Severity.CRITICAL: logging.CRITICAL}
CLOSE_WAIT_S = 1.0  # how long closing waits for deliveries still in flight


def terminal_bell() -> None:
    """The headless bell: BEL on stderr, when it is a terminal."""
    if sys.stderr.isatty():
        sys.stderr.write("\a")
        sys.stderr.flush()


def webhook_body(alert: Alert, *, session: str, cluster: str, at: datetime) -> dict[str, Any]:
    return {
        "kind": alert.kind.value, "severity": alert.severity.value, "message": alert.sentence,
        "session": session, "cluster": cluster, "slot": alert.slot, "at": at.isoformat(),
    }  # fmt: skip


class Notifier:
    """Delivers one session's alerts to every configured channel; `close()` when done."""

    def __init__(
        self,
        settings: AlertSettings,
        *,
        session: str,
        cluster: str,
        sink: AlertSink | None = None,
        bell: Callable[[], None] | None = terminal_bell,
    ) -> None:
        self._settings = settings
        self._session = session
        self._cluster = cluster
        self._sink = sink
        self._bell = bell if settings.bell else None
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None
        self._desktop: Any = None
        self.delivered = 0  # webhook POSTs answered with a 2xx, for the log and the tests
        self.failed = 0

    def deliver(self, alert: Alert, at: datetime) -> None:
        log.log(_LOG_LEVELS[alert.severity], "alert %s: %s", alert.kind.value, alert.sentence)
        if self._sink is not None:
            try:
                self._sink(alert)
            except Exception:  # noqa: BLE001 - a broken display must not stop the watcher
                log.exception("alert display failed")
        if self._bell is not None:
            self._bell()
        if self._settings.desktop:
            self._spawn(self._notify_desktop(alert))
        if self._settings.webhook_url is not None:
            self._spawn(self._post(webhook_body(alert, session=self._session, cluster=self._cluster, at=at)))

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, body: dict[str, Any]) -> None:
        url = self._settings.webhook_url
        assert url is not None
        timeout = float(self._settings.webhook_timeout_s)
        if self._http is None:
            self._http = aiohttp.ClientSession()
        try:
            async with self._http.post(url, json=body, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                if response.status >= 300:
                    self.failed += 1
                    log.warning("alert webhook answered HTTP %s", response.status)
                    return
            self.delivered += 1
        except TimeoutError:
            self.failed += 1
            log.warning("alert webhook gave no answer within %s s; alert %s not delivered there", timeout, body["kind"])
        except aiohttp.ClientError as error:
            self.failed += 1
            log.warning("alert webhook failed (%s); alert %s not delivered there", type(error).__name__, body["kind"])

    async def _notify_desktop(self, alert: Alert) -> None:
        try:
            if self._desktop is None:
                from desktop_notifier import DesktopNotifier  # optional: pip install 'rekt-tui[desktop]'

                self._desktop = DesktopNotifier(app_name="rekt-tui")
            async with asyncio.timeout(5):  # unlike wait_for, never loses a cancellation
                await self._desktop.send(title=f"rekt-tui: {alert.kind.value}", message=alert.sentence)
        except ImportError:
            log.warning("desktop notifications need desktop-notifier: pip install 'rekt-tui[desktop]'")
        except Exception as error:  # noqa: BLE001 - no desktop bus (a server, an ssh session) is common
            log.warning("desktop notification failed (%s: %s)", type(error).__name__, error)

    async def close(self) -> None:
        """Give deliveries in flight a moment, cancel the rest, close the HTTP session."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=CLOSE_WAIT_S)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
