"""The order service on a live localnet (makers and keeper running), in-process for speed:
every order type rests or fills with its ids recorded, triggers fire, resting orders
expire, cancels and reduce-only closes land, every guard refuses before signing, and an
order whose acknowledgement was lost is adopted from the chain (R3).
"""

import asyncio
import time
from dataclasses import dataclass

import pytest

from rekt_tui.config import ClusterProfile, Settings, UiSettings
from rekt_tui.config.models import DEFAULT_PROFILES
from rekt_tui.domain.errors import RektError, UsageError
from rekt_tui.domain.guards import OrderRefused, RefusalCode
from rekt_tui.domain.orders import OrderKind, OrderRequest
from rekt_tui.domain.records import Direction, MarketType, OrderStatus, OrderType
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.services.container import Services
from rekt_tui.services.landing import land, open_session
from rekt_tui.services.link import SessionLink
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.models import OrderForm
from rekt_tui.services.orders import OrderService
from rekt_tui.services.session import SessionService
from tests.localnet.conftest import start_localnet

pytestmark = pytest.mark.slow

USDC = 10**6
SOL = 10**9


async def until(condition, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"{what} never held"
        await asyncio.sleep(0.05)


@dataclass
class Desk:
    """A session on a live localnet, set up through the session service."""

    services: Services
    link: SessionLink
    admin: JsonRpc
    chain: object

    @property
    def setup(self) -> SessionService:
        return SessionService(self.link)

    @property
    def orders(self) -> OrderService:
        return OrderService(self.link)

    @property
    def pubkey(self) -> str:
        return self.link.pubkey

    def account(self):
        return self.link.venue.snapshot()

    def base(self) -> int:
        return sum(p.base_amount for p in self.account().positions if p.market_index == 0)

    async def transactions(self) -> int:
        return len(await self.services.registry.list_transactions(self.pubkey))

    async def fresh(self) -> None:
        """Read the account now (the keeper changes it without our transactions)."""
        await self.link.venue.refresh_account()


def settings_for(chain, data_dir, venue: str = "drift", **overrides) -> Settings:
    profile = ClusterProfile(**{
        **DEFAULT_PROFILES["localnet"], "rpc_url": chain.rpc_url, "ws_url": chain.ws_url,
        "dlob_url": chain.dlob_url, "dlob_ws_url": chain.dlob_ws_url, "venue": venue,
    })  # fmt: skip
    return Settings(data_dir=data_dir, keystore_backend="localnet-file", clusters={"localnet": profile}, **overrides)


async def open_desk(tmp_path, *, start: bool = True, usdc: int = 500, venue: str = "drift", **overrides) -> Desk:
    """`venue`: the program the localnet runs and the profile trades ("drift" or its relaunch, "velocity")."""
    # The product's data dir holds the ledger.
    chain = await start_localnet(tmp_path / "data", slot_ms=50, market_life=True, venue=venue)
    services = await Services.open(settings_for(chain, tmp_path / "data", venue, **overrides))
    session = await (await services.wallets()).create()
    admin = JsonRpc(chain.rpc_url)
    link = await open_session(services, session.pubkey)
    desk = Desk(services, link, admin, chain)
    await desk.setup.airdrop("1", "SOL")
    quote = services.settings.labels.quote  # USDC on Drift, USDT on Velocity
    await desk.setup.airdrop(str(usdc), quote)
    await desk.setup.initialize()
    await desk.setup.deposit(str(usdc), quote)
    await desk.setup.choose_strategy("balanced")
    if start:
        await desk.setup.start_trading()
    return desk


async def close_desk(desk: Desk) -> None:
    await desk.link.close()
    await desk.admin.close()
    await desk.services.close()
    await desk.chain.stop()


@pytest.fixture
async def desk(tmp_path):
    desk = await open_desk(tmp_path)
    yield desk
    await close_desk(desk)


async def test_resting_order_types_carry_their_ids_then_cancel_one_and_all(desk):
    forms = [
        OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140", post_only=True),
        OrderForm("sol", "sell", "0.5", kind="stop-market", trigger="140"),
        OrderForm("SOL", "sell", "0.5", kind="stop-limit", price="139", trigger="140", reduce_only=False),
        OrderForm("SOL-PERP", "buy", "0.5", kind="take-profit", trigger="140"),
    ]
    placed = [await desk.orders.place(form, allow_stacking=True) for form in forms]
    chain = {o.user_order_id: o for o in desk.account().orders}
    assert sorted(chain) == [1, 2, 3, 4]
    assert [chain[p.record.user_order_id].order_type for p in placed] == [
        OrderType.LIMIT, OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT, OrderType.TRIGGER_MARKET,
    ]  # fmt: skip
    assert chain[1].post_only and chain[1].price == 140 * USDC and chain[3].trigger_price == 140 * USDC
    assert all(o.max_ts and o.max_ts > time.time() + 3000 for o in chain.values())  # default expiry
    for p in placed:
        assert (p.record.status, p.record.chain_order_id) == (OrderStatus.OPEN, chain[p.record.user_order_id].order_id)

    await desk.orders.cancel(chain[2].order_id)
    assert sorted(o.user_order_id for o in desk.account().orders) == [1, 3, 4]
    with pytest.raises(RektError, match="no open order 999"):
        await desk.orders.cancel(999)
    await desk.orders.cancel()
    assert desk.account().orders == ()
    rows = await desk.services.registry.list_open_orders(desk.pubkey)
    assert rows == []


async def test_market_order_fills_a_stop_fires_on_the_oracle_and_close_flattens(desk):
    await desk.orders.place(OrderForm("SOL-PERP", "buy", "1"))

    async def filled(size):
        await desk.fresh()
        return desk.base() == size

    await until(lambda: filled(SOL), what="market fill")
    await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="stop-market", trigger="152"))
    await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "153"])
    await until(lambda: filled(3 * SOL // 2), what="trigger fill")

    before = len(await desk.services.registry.list_transactions(desk.link.pubkey, limit=100))
    preview = await desk.orders.preview_close("SOL-PERP")  # what `x` shows before asking
    assert (preview.request.direction, preview.request.base_amount) == (Direction.SHORT, 3 * SOL // 2)
    assert preview.request.reduce_only and preview.refusals == ()
    assert preview.preview.leverage_after == 0
    assert len(await desk.services.registry.list_transactions(desk.link.pubkey, limit=100)) == before

    [close] = await desk.orders.close("SOL-PERP")
    assert close.record.reduce_only and close.record.direction is Direction.SHORT
    assert close.record.base_amount == 3 * SOL // 2
    await until(lambda: filled(0), what="close fill")
    with pytest.raises(RektError, match="no open position in SOL-PERP"):
        await desk.orders.close("SOL-PERP")
    with pytest.raises(RektError, match="no open position in SOL-PERP"):
        await desk.orders.preview_close("SOL-PERP")
    rows = await adopt_orders(desk.services.registry, desk.link)
    assert {r.status for r in rows} == {OrderStatus.FILLED}


async def test_a_resting_order_expires_at_its_max_ts(desk):
    placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140", expire_s=1))
    assert placed.record.max_ts <= time.time() + 2

    async def gone():
        await desk.fresh()
        return desk.account().orders == ()

    await until(gone, what="expiry")
    [row] = await adopt_orders(desk.services.registry, desk.link)
    assert row.status is OrderStatus.EXPIRED


async def test_every_guard_refuses_before_signing(desk):
    signed = await desk.transactions()
    with pytest.raises(OrderRefused) as refused:
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "500"))
    codes = {r.code for r in refused.value.refusals}
    assert {RefusalCode.INSUFFICIENT_COLLATERAL, RefusalCode.LEVERAGE} <= codes
    assert "Free collateral $500.00 does not cover" in str(refused.value)
    with pytest.raises(OrderRefused, match=r"Leverage after this order would be 6\.\dx, above the balanced"):
        await desk.orders.place(OrderForm("SOL-PERP", "sell", "20"))
    with pytest.raises(OrderRefused, match="would not shrink a position"):
        await desk.orders.place(OrderForm("SOL-PERP", "sell", "1", reduce_only=True))
    for size in ("-1", "0", "NaN", "0.001", "1e3", "0.0100000001"):
        with pytest.raises(UsageError):
            await desk.orders.place(OrderForm("SOL-PERP", "buy", size))
    with pytest.raises(UsageError, match="Unknown market 'DOGE'"):
        await desk.orders.place(OrderForm("DOGE", "buy", "1"))
    assert await desk.transactions() == signed

    await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140"))
    signed = await desk.transactions()
    with pytest.raises(OrderRefused, match=r"An open limit buy on SOL-PERP already exists \(order #\d+\)"):
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="139"))
    assert await desk.transactions() == signed
    await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="139"), allow_stacking=True)
    assert len(desk.account().orders) == 2


async def test_stale_data_blocks_orders(tmp_path):
    """A silent websocket is dropped and reopened over and over; between reopenings the
    data is stale, and planning (what placing runs before signing) refuses then."""
    desk = await open_desk(tmp_path, ui=UiSettings(stale_after_s=1))
    try:
        signed = await desk.transactions()
        await desk.admin.call("rekt_setFaults", [{"wsSilent": True}])
        form = OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140")
        refusal, deadline = None, time.monotonic() + 8
        while refusal is None and time.monotonic() < deadline:
            try:
                plan = await desk.orders.plan(form)
                refusal = next((r.sentence for r in plan.refusals if r.code is RefusalCode.STALE_ACCOUNT), None)
            except RektError as error:
                refusal = error.message
            await asyncio.sleep(0.1)
        assert refusal is not None and ("s old (limit 1 s)" in refusal or "account feed is" in refusal), refusal
        await desk.admin.call("rekt_clearFaults", [])
        assert await desk.transactions() == signed
    finally:
        await close_desk(desk)


async def test_orders_wait_for_the_start_confirmation(tmp_path):
    desk = await open_desk(tmp_path, start=False)
    try:
        with pytest.raises(RektError, match="Trading has not been started"):
            await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5"))
        assert "balanced strategy" in await desk.setup.start_summary()
        await desk.setup.start_trading()
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140"))
        await desk.setup.choose_strategy("aggressive")  # a new strategy needs a new confirmation
        with pytest.raises(RektError, match="Trading has not been started"):
            await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="139"))
    finally:
        await close_desk(desk)


async def test_an_order_whose_acknowledgement_was_lost_is_adopted_from_the_chain(desk):
    registry, venue = desk.services.registry, desk.link.venue
    max_ts = int(time.time()) + 600
    spec = venue.market_specs()["SOL-PERP"]

    def limit(direction: Direction, price: int, user_order_id: int) -> OrderRequest:
        return OrderRequest(spec, direction, OrderKind.LIMIT, SOL, price=price * USDC, trigger_price=None,
                            trigger_condition=None, reduce_only=False, post_only=False, max_ts=max_ts,
                            user_order_id=user_order_id)  # fmt: skip

    common = dict(market_type=MarketType.PERP, market_index=0, direction=Direction.LONG, order_type=OrderType.LIMIT,
                  base_amount=SOL, price=140 * USDC, max_ts=max_ts)  # fmt: skip
    landed_row = await registry.add_order(desk.pubkey, user_order_id=7, **common)
    # Sent and landed, then the process died before the row heard of it.
    intent = {"order": landed_row.id, "user_order_id": 7}
    landed = await land(desk.link, "place_order", intent, venue.place_order(limit(Direction.LONG, 140, 7), None))
    never_signed = await registry.add_order(desk.pubkey, user_order_id=8, **common)
    foreign = venue.place_order(limit(Direction.SHORT, 160, 9), None)  # placed from another device
    await land(desk.link, "other_device", {}, foreign)
    await desk.fresh()

    changed = {row.user_order_id: row for row in await adopt_orders(registry, desk.link)}
    chain = {o.user_order_id: o for o in desk.account().orders}
    assert changed[7].status is OrderStatus.OPEN and changed[7].chain_order_id == chain[7].order_id
    assert changed[7].transaction_signature == landed.signature
    assert changed[8].status is OrderStatus.FAILED and changed[8].id == never_signed.id
    assert changed[9].status is OrderStatus.OPEN and changed[9].direction is Direction.SHORT
    assert await adopt_orders(registry, desk.link) == []  # settled: nothing more to change
