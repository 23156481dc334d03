"""Referral on the relaunch, through the session service on a live localnet: `init` opens the
referral escrow with the account, every taker names it, so fills are discounted as previewed
and the referrer's reward accrues; an account opened while the venue paid no referral through
escrows is blocked from verifying until `init` opens its escrow."""

import base64
import json

import pytest

from rekt_localnet.keys import LOCALNET_REFERRER
from rekt_tui.domain.checklist import ItemState
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.history import RecordKind
from rekt_tui.domain.records import Direction
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.services.container import Services
from rekt_tui.services.landing import open_session
from rekt_tui.services.history import backfill
from rekt_tui.services.models import OrderForm
from rekt_tui.services.teardown import TeardownService
from rekt_tui.velocity.codec.program import VelocityProgram
from tests.services.test_orders_service import SOL, Desk, close_desk, open_desk, settings_for, until
from tests.services.test_velocity_money_truth import order_request
from tests.localnet.conftest import start_localnet

pytestmark = pytest.mark.slow
PROGRAM = VelocityProgram.pinned()
BUILDER_CODES = 4  # State.feature_bit_flags


async def _fills(desk, market_index: int | None = None) -> list:
    """The session's perp fills once some are recorded (in `market_index`, when given)."""
    found: list = []

    async def recorded() -> bool:  # history is read at finalized commitment
        await backfill(desk.services.registry, desk.link.venue, desk.pubkey)
        found[:] = [
            r for r in await desk.services.registry.list_records(desk.pubkey)
            if r.kind is RecordKind.FILL and market_index in (None, r.market_index)
        ]  # fmt: skip
        return bool(found)

    await until(recorded, timeout=30, what="the fill's record")
    return found


async def _escrow(desk) -> dict:
    key = PROGRAM.pdas.revenue_share_escrow(desk.link.venue.connection.view.authority)
    info = (await desk.admin.call("getAccountInfo", [str(key), {"encoding": "base64"}]))["value"]
    assert info is not None, "no referral escrow"
    return PROGRAM.accounts.decode("RevenueShareEscrow", base64.b64decode(info["data"][0]))


def _referrer_line(checklist):
    return next(item for item in checklist.items if item.id == "referrer_verified")


async def test_init_opens_the_escrow_and_each_take_is_discounted_as_previewed(tmp_path):
    desk = await open_desk(tmp_path, usdc=300, venue="velocity")
    try:
        view = desk.link.venue.connection.view
        escrow = await _escrow(desk)
        assert escrow["referrer"] == LOCALNET_REFERRER and len(escrow["orders"]) == len(view.perps)
        assert desk.link.venue.referral_setup() is None
        assert _referrer_line(await desk.setup.checklist()).state is ItemState.DONE

        placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.3"))
        assert placed.outcome == "filled"
        fills = await _fills(desk)
        tier = view.state.perp_fee_tier
        for fill in fills:
            full = -(-abs(fill.quote) * tier.fee_numerator // tier.fee_denominator)
            assert 0 < fill.fee == full - full * tier.referee_fee_numerator // tier.referee_fee_denominator < full
        [row] = [row for row in (await _escrow(desk))["orders"] if row["bit_flags"]]
        assert row["market_index"] == 0 and row["fees_accrued"] > 0  # the referrer's reward, waiting for its sweep

        # A preview taken at the fills' own prices shows the fee they paid, exactly.
        request = await order_request(desk, Direction.LONG, sum(abs(f.base) for f in fills))
        at_the_fills = tuple((abs(f.quote) * SOL // abs(f.base), abs(f.base)) for f in fills)
        worst = max(price for price, _ in at_the_fills)
        previewed = desk.link.venue.preview(request, auction_end_price=worst, book=at_the_fills)
        assert previewed.fee == sum(f.fee for f in fills)
    finally:
        await close_desk(desk)


async def _set_builder_codes(admin, on: bool) -> None:
    key = str(PROGRAM.pdas.state())
    info = (await admin.call("getAccountInfo", [key, {"encoding": "base64"}]))["value"]
    state = PROGRAM.accounts.decode("State", base64.b64decode(info["data"][0]))
    flags = state["feature_bit_flags"]
    state["feature_bit_flags"] = flags | BUILDER_CODES if on else flags & ~BUILDER_CODES
    data = base64.b64encode(PROGRAM.accounts.encode("State", state)).decode()
    await admin.call("rekt_setAccount", [key, {"owner": info["owner"], "data": data, "lamports": info["lamports"]}])


async def test_an_account_opened_before_escrows_paid_referral_gets_its_escrow_from_init(tmp_path):
    chain = await start_localnet(tmp_path / "data", slot_ms=50, market_life=True, venue="velocity")
    admin = JsonRpc(chain.rpc_url)
    await _set_builder_codes(admin, on=False)
    services = await Services.open(settings_for(chain, tmp_path / "data", "velocity"))
    session = await (await services.wallets()).create()
    desk = Desk(services, await open_session(services, session.pubkey), admin, chain)
    try:
        await desk.setup.airdrop("1", "SOL")
        await desk.setup.initialize()  # the venue pays no referral through escrows: none is opened
        assert (await admin.call("getAccountInfo", [str(PROGRAM.pdas.revenue_share_escrow(
            desk.link.venue.connection.view.authority)), {"encoding": "base64"}]))["value"] is None  # fmt: skip

        await _set_builder_codes(admin, on=True)
        await desk.fresh()
        line = _referrer_line(await desk.setup.checklist())
        assert line.state is ItemState.TODO and "referral escrow" in line.detail
        with pytest.raises(RektError, match="referral escrow this account lacks; run `rekt-tui init`"):
            await desk.setup.verify_referrer()
        assert desk.setup.session.referrer_verified_at is None
        assert (await TeardownService().summary(desk.link)).endswith("Referrer not linked ✗")

        await desk.setup.initialize()
        assert (await _escrow(desk))["referrer"] == LOCALNET_REFERRER
        assert desk.setup.session.referrer_verified_at is not None
        assert _referrer_line(await desk.setup.checklist()).state is ItemState.DONE
        assert (await TeardownService().summary(desk.link)).endswith("Referrer linked ✓")
        sent = await services.registry.list_transactions(desk.pubkey)
        assert ("initialize", "referral_escrow") in [(t.kind, json.loads(t.intent).get("action")) for t in sent]
    finally:
        await close_desk(desk)


async def _escrow_cut_to(desk, slots: int) -> None:
    """The escrow as opened when the venue listed `slots` perp markets (a market listed later has no slot)."""
    key = str(PROGRAM.pdas.revenue_share_escrow(desk.link.venue.connection.view.authority))
    info = (await desk.admin.call("getAccountInfo", [key, {"encoding": "base64"}]))["value"]
    escrow = PROGRAM.accounts.decode("RevenueShareEscrow", base64.b64decode(info["data"][0]))
    escrow["orders"] = escrow["orders"][:slots]
    data = PROGRAM.accounts.encode("RevenueShareEscrow", escrow)
    await desk.admin.call("rekt_setAccount", [key, {
        "owner": info["owner"], "data": base64.b64encode(data.ljust(152 + 32 * slots, b"\0")).decode(),
        "lamports": info["lamports"],
    }])  # fmt: skip

    async def seen() -> bool:
        await desk.fresh()
        return desk.link.venue.connection.view.escrow.slots == slots

    await until(seen, timeout=10, what="the cut escrow")


async def test_a_market_the_escrow_has_no_slot_for_gets_one_with_its_first_take(tmp_path):
    desk = await open_desk(tmp_path, usdc=300, venue="velocity")
    try:
        await _escrow_cut_to(desk, 1)
        assert (await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.3"))).outcome == "filled"
        assert len((await _escrow(desk))["orders"]) == 1  # its one free slot was enough

        view = desk.link.venue.connection.view
        eth = next(index for index, market in view.perps.items() if market.symbol == "ETH-PERP")
        assert view.referred_fill(eth), "the preview counts the discount the take's resize makes room for"
        assert (await desk.orders.place(OrderForm("ETH-PERP", "buy", "0.1"))).outcome == "filled"
        escrow = await _escrow(desk)
        assert len(escrow["orders"]) == 2
        rows = {row["market_index"]: row for row in escrow["orders"] if row["bit_flags"]}
        assert set(rows) == {0, eth} and rows[eth]["fees_accrued"] > 0  # the referrer's reward for ETH-PERP
        tier = view.state.perp_fee_tier
        [fill] = await _fills(desk, eth)
        full = -(-abs(fill.quote) * tier.fee_numerator // tier.fee_denominator)
        assert fill.fee == full - full * tier.referee_fee_numerator // tier.referee_fee_denominator
    finally:
        await close_desk(desk)
