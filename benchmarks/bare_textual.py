"""The floor for `tui_latency`: a minimal Textual app fed the same two websocket streams.

One `Static` per path shows the newest SOL oracle price: the DLOB websocket's
`orderbook_perp_0` messages (double-encoded JSON, as the cockpit reads them) and the
Solana websocket's `accountNotification`s of the SOL oracle account (base64, price read
at the oracle layout's offset). It connects with aiohttp as the cockpit does, and stamps
its frames the same way (after encoding them for a terminal), so the cockpit's latency
divided by this one is the cost of everything the cockpit adds: the gateway's account
figures, the pacer, the panels. `run_bare` drives it against a running localnet.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable

import aiohttp
from textual.app import App, ComposeResult
from textual.widgets import Static

Stamp = Callable[[str, str, int, int | None], None]  # (path, stage, slot, price)


def bare_app(stamp: Stamp, frame: Callable[[float], None], rendered: dict[str, set]) -> type[App[None]]:
    from textual._compositor import CompositorUpdate

    class PriceLine(Static):
        def __init__(self, path: str) -> None:
            super().__init__(f"{path}: waiting", id=path)
            self.path = path
            self.key: tuple[int, int] | None = None

        def show(self, slot: int, price: int) -> None:
            stamp(self.path, "applied", slot, price)
            self.key = (slot, price)
            self.update(f"{self.path}: SOL {price / 1e6:.6f} at slot {slot}")

        def render(self):
            if self.key is not None:
                rendered[self.path].add(self.key)
            return super().render()

    class BareApp(App[None]):
        def compose(self) -> ComposeResult:
            yield PriceLine("book")
            yield PriceLine("account")

        def _display(self, screen, renderable) -> None:
            super()._display(screen, renderable)
            if renderable is None or self._batch_count:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)
            frame(time.monotonic())

    return BareApp


async def follow_book(url: str, show: Callable[[int, int], None], stamp: Stamp) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(url, max_msg_size=0) as socket:
        await socket.send_str(json.dumps({"type": "subscribe", "marketType": "perp", "channel": "orderbook",
                                          "market": "SOL-PERP"}))  # fmt: skip
        async for message in socket:
            payload = json.loads(message.data)
            if str(payload.get("channel", "")).startswith("orderbook_") and "data" in payload:
                book = json.loads(payload["data"])
                stamp("book", "handled", book["slot"], book["oracle"])
                show(book["slot"], book["oracle"])


async def follow_oracle(url: str, oracle: str, price_at: Callable[[bytes], int], show: Callable[[int, int], None],
                        stamp: Stamp) -> None:  # fmt: skip
    params = [oracle, {"encoding": "base64", "commitment": "confirmed"}]
    async with aiohttp.ClientSession() as session, session.ws_connect(url, max_msg_size=0) as socket:
        await socket.send_str(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "accountSubscribe", "params": params}))
        async for message in socket:
            payload = json.loads(message.data)
            if payload.get("method") != "accountNotification":
                continue
            result = payload["params"]["result"]
            slot, price = result["context"]["slot"], price_at(base64.b64decode(result["value"]["data"][0]))
            stamp("account", "handled", slot, price)
            show(slot, price)


async def run_bare(endpoints, probe, size: tuple[int, int], settle_s: float, seconds: float) -> tuple[float, float]:
    """Run the bare app for `seconds` after `settle_s`; returns the measured window (monotonic)."""
    from rekt_localnet.genesis import oracle_address
    from rekt_localnet.oracle_layout import oracle_fields

    price_field = oracle_fields().price
    app = bare_app(probe.stamp, probe.frame, probe.rendered)()
    async with app.run_test(size=size) as pilot:
        lines = {path: app.query_one(f"#{path}") for path in ("book", "account")}
        feeds = [
            asyncio.create_task(follow_book(endpoints.dlob_ws_url, lines["book"].show, probe.stamp)),
            asyncio.create_task(follow_oracle(endpoints.ws_url, str(oracle_address("SOL")), price_field.read,
                                              lines["account"].show, probe.stamp)),  # fmt: skip
        ]
        try:
            deadline = time.monotonic() + 60
            while not all(probe.stamps[path]["shown"] for path in ("book", "account")):
                assert time.monotonic() < deadline, "the bare app never showed both feeds"
                await pilot.pause(0.1)
            await asyncio.sleep(settle_s)
            started = time.monotonic()
            await asyncio.sleep(seconds)
            return started, time.monotonic()
        finally:
            for feed in feeds:
                feed.cancel()
            await asyncio.gather(*feeds, return_exceptions=True)
