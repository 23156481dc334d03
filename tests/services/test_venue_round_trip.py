"""A whole session through the services on both venues' localnets: a new wallet is initialized
with our referrer (read back from UserStats at the venue's own offsets), funded, trades (a market
order filled, then closed), and stop-and-withdraw brings it to zero and archives it."""

import pytest

from rekt_localnet import LOCALNET_REFERRER
from rekt_tui.domain.records import TeardownStepStatus, TransactionStatus
from rekt_tui.domain.session import SessionStatus
from rekt_tui.domain.teardown import DUST_COLLATERAL
from rekt_tui.services.models import OrderForm
from rekt_tui.services.teardown import TeardownService
from tests.services.test_orders_service import SOL, USDC, close_desk, open_desk, until

pytestmark = pytest.mark.slow
VENUES = ["drift", "velocity"]


async def stop_and_withdraw(desk) -> None:
    services = desk.services
    [event async for event in TeardownService(services).run(desk.link)]


async def referrer_on_chain(desk) -> str | None:
    return await desk.link.venue.referrer()


@pytest.mark.parametrize("venue", VENUES)
async def test_init_with_referrer_deposit_stop_and_withdraw_archives(tmp_path, venue):
    desk = await open_desk(tmp_path, usdc=120, venue=venue)
    try:
        registry, pubkey = desk.services.registry, desk.pubkey
        session = await registry.get_session(pubkey)
        assert await referrer_on_chain(desk) == str(LOCALNET_REFERRER) == session.referrer
        assert session.referrer_verified_at is not None and session.drift_user == desk.link.venue.account_address
        account = desk.account()
        assert (account.usdc_amount, account.total_collateral, account.free_collateral) == (120 * USDC,) * 3
        await desk.setup.deposit("0.125", "SOL")
        await desk.setup.deposit("0.125", "SOL")  # the same deposit at once: two deposits
        await until(lambda: _async(desk.account().sol_amount == SOL // 4), what="both SOL deposits")
        await stop_and_withdraw(desk)
        holdings = desk.link.venue.holdings()
        assert holdings.total_collateral < DUST_COLLATERAL and not holdings.spot_balances.get(0)
        assert (await registry.get_session(pubkey)).status is SessionStatus.ARCHIVED
        steps = await registry.latest_teardown_run(pubkey)
        assert all(s.status is TeardownStepStatus.DONE for s in steps)
        assert await desk.link.venue.wallet_usdc() == 120 * USDC  # every quote token back in the wallet
        kinds = [t.kind for t in await registry.list_transactions(pubkey, statuses=[TransactionStatus.CONFIRMED])]
        assert (kinds.count("initialize"), kinds.count("deposit"), set(kinds)) == (1, 3, {"initialize", "deposit", "withdraw"})
    finally:
        await close_desk(desk)


@pytest.mark.parametrize("venue", VENUES)
async def test_a_market_order_fills_closes_and_the_session_ends_flat(tmp_path, venue):
    desk = await open_desk(tmp_path, usdc=300, venue=venue)
    try:
        placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.25"))
        # the same order at once is a second order (on Drift the first may still rest in its auction)
        again = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.25", allow_stacking=True))
        assert placed.record.user_order_id and again.signature != placed.signature
        await until(lambda: _fresh_base(desk, SOL // 2), what="both market orders' fills")
        [position] = desk.account().positions
        assert position.symbol == "SOL-PERP" and 140 * USDC < position.entry_price < 160 * USDC
        assert position.liquidation_price is None or position.liquidation_price < position.entry_price
        assert desk.account().leverage > 0 and desk.account().free_collateral < 300 * USDC
        await desk.orders.close("SOL-PERP")
        await until(lambda: _fresh_base(desk, 0), what="the reduce-only close")
        await stop_and_withdraw(desk)
        holdings = desk.link.venue.holdings()
        assert not holdings.holds_anything
        assert (await desk.services.registry.get_session(desk.pubkey)).status is SessionStatus.ARCHIVED
    finally:
        await close_desk(desk)


async def _async(value: bool) -> bool:
    return value


async def _fresh_base(desk, wanted: int) -> bool:
    await desk.fresh()
    return desk.base() == wanted


# The Drift order-service tests, run as they are against the relaunch's localnet. Not here: a
# book order's expiry (the relaunch localnet's book keeps an expired order listed until it is
# cancelled), the modify refusals (a resting book order is post-only there, so a crossing
# modify is also refused as crossing).
SHARED = {
    "resting": "tests.services.test_orders_service:test_resting_order_types_carry_their_ids_then_cancel_one_and_all",
    "guards": "tests.services.test_orders_service:test_every_guard_refuses_before_signing",
    "bracket": "tests.services.test_order_changes_service:test_a_bracket_rests_with_its_entry_and_goes_with_the_position",
    "post_only_cross": "tests.services.test_order_entry_service:test_a_post_only_that_would_cross_is_refused_before_signing",
    "largest": "tests.services.test_order_entry_service:test_the_largest_size_and_the_suggested_one_pass_both_guards",
    "modify": "tests.services.test_order_changes_service:test_modify_changes_price_size_and_trigger_in_place",
    "modify_preview": "tests.services.test_order_changes_service:test_a_modify_is_previewed_in_place_of_the_order_it_replaces",
    "bracket_refusals": "tests.services.test_order_changes_service:test_bracket_refusals_sign_nothing",
    "reverse": "tests.services.test_order_changes_service:test_reverse_is_one_guarded_order_of_twice_the_size",
    "stop_fires": "tests.services.test_orders_service:test_market_order_fills_a_stop_fires_on_the_oracle_and_close_flattens",
    "stop_preview": "tests.services.test_order_entry_service:test_a_stop_is_previewed_at_its_trigger_and_a_usd_size_at_its_price",
    "protective": "tests.services.test_order_entry_service:test_protective_orders_rest_side_by_side_and_a_close_beside_them_goes_flat",
    "lost_ack": "tests.services.test_orders_service:test_an_order_whose_acknowledgement_was_lost_is_adopted_from_the_chain",
    "bracket_at_fill": "tests.services.test_pending_brackets:test_a_resting_entry_gets_its_legs_at_fill_once_across_restarts",
    "bracket_history_lag": "tests.services.test_pending_brackets:test_a_fill_the_history_lists_late_still_gets_its_legs",
    "one_cancels_other": "tests.services.test_pending_brackets:test_a_fired_stop_loss_takes_its_take_profit_with_it",
}


@pytest.mark.parametrize("name", sorted(SHARED))
async def test_the_order_service_on_the_relaunch(tmp_path, name):
    import importlib

    module, function = SHARED[name].split(":")
    desk = await open_desk(tmp_path, venue="velocity")
    try:
        await getattr(importlib.import_module(module), function)(desk)
    finally:
        await close_desk(desk)


async def test_the_relaunch_stops_with_book_orders_triggers_and_a_position_to_zero(tmp_path):
    desk = await open_desk(tmp_path, usdc=400, venue="velocity")
    try:
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "1"))
        await until(lambda: _fresh_base(desk, SOL), what="the market order's fill")
        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140"))
        await desk.orders.place(OrderForm("ETH-PERP", "sell", "0.1", kind="limit", price="3900", post_only=True))
        await desk.orders.place(OrderForm("SOL-PERP", "sell", "1", kind="stop-market", trigger="120"))
        await desk.fresh()
        held = desk.link.venue.holdings()
        assert (len(held.positions), len(held.orders)) == (1, 3)
        assert sorted(o.order_type.value for o in held.orders) == ["limit", "limit", "trigger_market"]
        await stop_and_withdraw(desk)
        await desk.fresh()
        assert not desk.link.venue.holdings().holds_anything
        assert (await desk.services.registry.get_session(desk.pubkey)).status is SessionStatus.ARCHIVED
        batch = await desk.link.venue.records_since(None)
        kinds = [r.kind.value for r in batch.records]
        assert {"fill", "deposit", "withdrawal"} <= set(kinds), kinds
        fills = [r for r in batch.records if r.kind.value == "fill"]
        assert sum(r.base for r in fills) == 0 and all(r.role == "taker" and r.fee > 0 for r in fills)
    finally:
        await close_desk(desk)
