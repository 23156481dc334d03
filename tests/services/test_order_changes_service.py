"""Modify, brackets and reverse against a live localnet: each change lands through the venue
seam with its intent recorded first, every refusal is one sentence with nothing signed, a
bracket rests grouped with its entry and goes when the position is closed."""

import asyncio

import pytest

from rekt_tui.domain.brackets import resting_protection
from rekt_tui.domain.errors import RektError, UsageError
from rekt_tui.domain.guards import OrderRefused, RefusalCode
from rekt_tui.domain.records import Direction, OrderStatus, OrderType
from rekt_tui.services.models import OrderForm
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.orphaned_legs import legs_after_close
from tests.services.test_orders_service import SOL, USDC, close_desk, open_desk, until

pytestmark = pytest.mark.slow


@pytest.fixture
async def desk(tmp_path):
    desk = await open_desk(tmp_path)
    yield desk
    await close_desk(desk)


def chain_order(desk, user_order_id):
    return next(o for o in desk.account().orders if o.user_order_id == user_order_id)


async def modify_kinds(desk) -> list[str]:
    return [t.kind for t in await desk.services.registry.list_transactions(desk.pubkey) if t.kind == "modify_order"]


async def test_modify_changes_price_size_and_trigger_in_place(desk):
    limit = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140"))
    stop = await desk.orders.place(OrderForm("SOL-PERP", "sell", "0.5", kind="stop-market", trigger="140"))
    old = chain_order(desk, limit.record.user_order_id)

    plan = await desk.orders.plan_modify(old.order_id, price="141", size="0.7", trigger=None)
    assert (plan.plan.request.price, plan.plan.request.base_amount) == (141 * USDC, 7 * SOL // 10)
    assert plan.plan.refusals == () and plan.plan.preview.leverage_after > 0
    done = await desk.orders.modify(plan)
    new = chain_order(desk, limit.record.user_order_id)
    assert (new.price, new.base_amount, new.order_id) == (141 * USDC, 7 * SOL // 10, done.chain_order_id)
    assert new.order_id != old.order_id and len(desk.account().orders) == 2
    row = done.record
    assert (row.status, row.chain_order_id, row.price, row.base_amount) == (
        OrderStatus.OPEN, new.order_id, 141 * USDC, 7 * SOL // 10,
    )  # fmt: skip
    [tx] = [t for t in await desk.services.registry.list_transactions(desk.pubkey) if t.kind == "modify_order"]
    assert tx.signature == done.signature and '"from"' in tx.intent and '"to"' in tx.intent

    stop_order = chain_order(desk, stop.record.user_order_id)
    done = await desk.orders.modify(await desk.orders.plan_modify(stop_order.order_id, price=None, size=None, trigger="135"))
    moved = chain_order(desk, stop.record.user_order_id)
    assert (moved.trigger_price, moved.order_type) == (135 * USDC, OrderType.TRIGGER_MARKET)
    assert done.record.trigger_price == 135 * USDC


async def test_a_modify_is_previewed_in_place_of_the_order_it_replaces(desk):
    limit = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140"))
    old = chain_order(desk, limit.record.user_order_id)
    now = desk.account().initial_margin
    moved = await desk.orders.plan_modify(old.order_id, price="141", size=None, trigger=None)
    # Filled in full, with the market at 141 then, the new terms need what the old ones reserve
    # now at that price: not both at once.
    oracle = next(m for m in desk.link.venue.markets() if m.symbol == "SOL-PERP").oracle_price
    repriced = now * 141 * USDC // oracle
    assert abs(moved.plan.preview.margin_required - repriced) * 100 <= repriced
    another = await desk.orders.plan(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="141"))
    assert another.preview is not None and another.preview.margin_required > now * 3 // 2


async def test_modify_refusals_are_one_sentence_and_sign_nothing(desk):
    limit = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="140"))
    order = chain_order(desk, limit.record.user_order_id)
    signed = await desk.transactions()
    cases = [
        ({"price": None, "size": None, "trigger": None}, "Give a new price, size or trigger"),
        ({"price": None, "size": None, "trigger": "150"}, "limit order with no trigger"),
        ({"price": "140.00005", "size": None, "trigger": None}, "not on SOL-PERP's"),
        ({"price": None, "size": "0.015", "trigger": None}, "not a multiple"),
        ({"price": "140", "size": "0.5", "trigger": None}, "nothing would change"),
    ]
    for changes, words in cases:
        with pytest.raises(UsageError, match=words):
            await desk.orders.plan_modify(order.order_id, **changes)
    with pytest.raises(RektError, match="no open order #999 to modify"):
        await desk.orders.plan_modify(999, price="141", size=None, trigger=None)
    plan = await desk.orders.plan_modify(order.order_id, price=None, size="30", trigger=None)
    assert {r.code for r in plan.plan.refusals} >= {RefusalCode.LEVERAGE}
    with pytest.raises(OrderRefused, match="Leverage after this order would be"):
        await desk.orders.modify(plan)
    far = await desk.orders.plan_modify(order.order_id, price="180", size=None, trigger=None)
    assert [r.code for r in far.plan.refusals] == [RefusalCode.FAR_PRICE]
    assert await desk.transactions() == signed and await modify_kinds(desk) == []
    assert chain_order(desk, limit.record.user_order_id).price == 140 * USDC


async def test_a_bracket_rests_with_its_entry_and_goes_with_the_position(desk):
    placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "1", take_profit="160", stop_loss="140"))
    assert placed.bracket_problem is None
    take_profit, stop_loss = (leg.record for leg in placed.bracket)
    assert (take_profit.order_type, take_profit.trigger_price, take_profit.reduce_only) == (
        OrderType.TRIGGER_MARKET, 160 * USDC, True,
    )  # fmt: skip
    assert stop_loss.direction is Direction.SHORT and stop_loss.max_ts is None  # protective: no expiry
    legs = {o.user_order_id: o for o in desk.account().orders}
    assert sorted(legs) == sorted([take_profit.user_order_id, stop_loss.user_order_id])
    assert all(o.reduce_only and o.max_ts is None for o in legs.values())
    assert desk.base() == SOL

    # Another entry on the same side: its bracket goes in the entry's own transaction.
    before = await desk.transactions()
    more = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", stop_loss="139"))
    assert len(more.bracket) == 1 and await desk.transactions() == before + 1
    [together] = [t for t in await desk.services.registry.list_transactions(desk.pubkey) if t.signature == more.signature]
    assert together.kind == "place_orders"

    async def base_is(size):
        await desk.fresh()
        return desk.base() == size

    await until(lambda: base_is(3 * SOL // 2), what="second entry fill")
    assert len(desk.account().orders) == 3
    names = {0: "SOL-PERP"}
    [kept] = await legs_after_close(desk.link, {0}, names, within_s=0.5)  # a close that has not filled
    assert kept.startswith("SOL-PERP is still held") and "stay resting" in kept
    await desk.fresh()
    assert len(desk.account().orders) == 3
    await desk.orders.close("SOL-PERP")
    await desk.fresh()
    protection = [o for o in desk.account().orders if resting_protection(o)]
    assert len(protection) == 3  # the close keeps them: its auction could end unfilled
    [ended] = await legs_after_close(desk.link, {0}, names, within_s=30)  # waits for the close's fill
    assert ended.startswith("SOL-PERP is flat: take-profit / stop-loss orders #") and desk.base() == 0
    await desk.fresh()
    assert desk.account().orders == ()
    live = await desk.services.registry.list_open_orders(desk.pubkey)
    assert not any(r.reduce_only and r.trigger_price for r in live)  # the legs' rows say cancelled
    await adopt_orders(desk.services.registry, desk.link)
    assert await desk.services.registry.list_open_orders(desk.pubkey) == []


async def test_bracket_refusals_sign_nothing(desk):
    signed = await desk.transactions()
    with pytest.raises(UsageError, match=r"The take-profit \$149.50 of a sell must be below its entry \$149.00\."):
        await desk.orders.plan(OrderForm("SOL-PERP", "sell", "1", kind="limit", price="149", take_profit="149.5"))
    with pytest.raises(UsageError, match="fires when the oracle moves below its trigger"):
        await desk.orders.plan(OrderForm("SOL-PERP", "buy", "1", stop_loss="151"))
    waiting = await desk.orders.plan(OrderForm("SOL-PERP", "buy", "1", kind="limit", price="140", stop_loss="130"))
    assert waiting.bracket_at_fill and waiting.refusals == ()  # a resting entry's legs wait for its fill
    assert await desk.transactions() == signed


async def test_reverse_is_one_guarded_order_of_twice_the_size(desk):
    await desk.orders.place(OrderForm("SOL-PERP", "buy", "1"))

    async def base_is(size):
        await desk.fresh()
        return desk.base() == size

    await until(lambda: base_is(SOL), what="entry fill")
    # A resting sell (a take-profit limit, say) does not make the reverse a double keypress.
    await desk.orders.place(OrderForm("SOL-PERP", "sell", "0.5", kind="limit", price="170", post_only=True))
    plan = await desk.orders.plan_reverse("SOL-PERP")
    assert (plan.request.direction, plan.request.base_amount) == (Direction.SHORT, 2 * SOL)
    assert plan.refusals == () and plan.request.order_type is OrderType.MARKET and not plan.request.reduce_only
    await desk.orders.submit(plan)
    await until(lambda: base_is(-SOL), what="reverse fill")
    with pytest.raises(RektError, match="no open position in ETH-PERP"):
        await desk.orders.plan_reverse("ETH-PERP")


async def test_a_bracket_on_an_entry_that_turns_a_short_around_trades_what_it_leaves(desk):
    """The preview says the legs cover the 0.1 SOL left once the short of 0.2 is closed: the
    legs placed are for 0.1 SOL, not the entry's 0.3."""
    await desk.orders.place(OrderForm("SOL-PERP", "sell", "0.2"))

    async def base_is(size):
        await desk.fresh()
        return desk.base() == size

    await until(lambda: base_is(-SOL // 5), what="the short's fill")
    form = OrderForm("SOL-PERP", "buy", "0.3", take_profit="170", stop_loss="130")
    plan = await desk.orders.plan(form)
    assert "for the 0.1 SOL left once the short of 0.2 SOL is closed" in plan_text(plan)
    placed = await desk.orders.submit(plan)
    assert placed.bracket_problem is None and len(placed.bracket) == 2
    assert {leg.record.base_amount for leg in placed.bracket} == {SOL // 10}
    await until(lambda: base_is(SOL // 10), what="the entry's fill")
    assert {o.base_amount for o in desk.account().orders if o.reduce_only} == {SOL // 10}


def plan_text(plan) -> str:
    from rekt_tui.domain.brackets import bracket_lines

    return " ".join(bracket_lines(plan.bracket, plan.preview.entry_price, cover=plan.bracket_cover))


async def test_close_all_failing_part_way_still_ends_the_legs_of_the_markets_it_closed(desk, capsys):
    """`close --all` sends SOL-PERP's close, then ETH-PERP's is refused. The error is raised (the
    CLI reports it with what was signed), and SOL-PERP's take-profit / stop-loss are still ended
    once its close fills: nothing watches after the command. The refusal is the one stand-in
    here: the venue's builder refuses ETH-PERP's close, as a program would."""
    from argparse import Namespace

    from rekt_tui.cli.trading_orders import close
    from rekt_tui.services.landing import Lander

    await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", take_profit="170", stop_loss="130"))
    await desk.orders.place(OrderForm("ETH-PERP", "buy", "0.05"))

    async def both_held() -> bool:
        await desk.fresh()
        return {p.symbol for p in desk.account().positions} == {"SOL-PERP", "ETH-PERP"}

    await until(both_held, what="both entries to fill")
    venue = desk.link.venue
    build = venue.close_position

    def refuse_eth(market_index, **kwargs):
        if market_index != 0:
            raise RektError("The program refused the ETH-PERP close.")
        return build(market_index, **kwargs)

    venue.close_position = refuse_eth
    try:
        with pytest.raises(RektError, match="refused the ETH-PERP close"):
            await close(Lander(desk.link), Namespace(all=True, market=None))
    finally:
        del venue.close_position
    said = capsys.readouterr().err
    assert "SOL-PERP is flat: take-profit / stop-loss orders #" in said
    await desk.fresh()
    assert {p.symbol for p in desk.account().positions} == {"ETH-PERP"}
    assert desk.account().orders == ()


async def test_legs_another_process_ends_while_the_close_fills_are_named(desk):
    """The command said it would end the protection once flat; if the cockpit's watcher ends it
    first, the command says they no longer rest, rather than nothing."""
    placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "1", take_profit="160", stop_loss="140"))

    async def legs_rest() -> bool:
        await desk.fresh()
        return desk.base() == SOL and sum(resting_protection(o) for o in desk.account().orders) == 2

    await until(legs_rest, what="the entry's fill and its two legs")
    # Started while the position is held (as if its close were still in its auction): it says it
    # waits once a read shows the legs resting, so the cancel below comes after that read.
    seen_resting = asyncio.Event()
    waiting = asyncio.create_task(legs_after_close(desk.link, {0}, {0: "SOL-PERP"}, within_s=30,
                                                   waiting=lambda _: seen_resting.set()))  # fmt: skip
    await asyncio.wait_for(seen_resting.wait(), 10)
    await desk.orders.cancel_many([o.order_id for o in desk.account().orders if resting_protection(o)])
    [said] = await waiting
    assert said.startswith("The take-profit / stop-loss of SOL-PERP no longer rest: another process cancelled them")
    assert placed.bracket and not [o for o in (await desk.link.venue.refresh_account()).orders if resting_protection(o)]


async def test_with_two_markets_closed_the_legs_gone_meanwhile_are_named_and_the_others_ended(desk):
    specs = desk.link.venue.market_specs()
    eth = specs["ETH-PERP"].market_index
    await desk.orders.place(OrderForm("SOL-PERP", "buy", "1", take_profit="160", stop_loss="140"))
    await desk.orders.place(OrderForm("ETH-PERP", "buy", "0.1", take_profit="4000", stop_loss="2000"))

    async def both_guarded() -> bool:
        await desk.fresh()
        guarded = {o.market_index for o in desk.account().orders if resting_protection(o)}
        held = {p.market_index for p in desk.account().positions if p.base_amount}
        return guarded == held == {0, eth}

    await until(both_guarded, timeout=20, what="both entries filled with their legs")
    seen_resting = asyncio.Event()  # said once a read shows the legs resting in markets still held
    names = {0: "SOL-PERP", eth: "ETH-PERP"}
    waiting = asyncio.create_task(legs_after_close(desk.link, {0, eth}, names, within_s=30,
                                                   waiting=lambda _: seen_resting.set()))  # fmt: skip
    await asyncio.wait_for(seen_resting.wait(), 10)
    sol_legs = [o.order_id for o in desk.account().orders if resting_protection(o) and o.market_index == 0]
    await desk.orders.cancel_many(sol_legs)  # another process ends SOL-PERP's legs meanwhile
    await desk.orders.close("ETH-PERP")  # and ETH-PERP goes flat: its legs are this command's to end
    said = await waiting
    assert said[0].startswith("The take-profit / stop-loss of SOL-PERP no longer rest"), said
    assert any(line.startswith("ETH-PERP is flat: take-profit / stop-loss orders #") for line in said), said
