"""A bracket on a resting entry, against a live localnet (makers and keeper running): the entry
rests with its bracket recorded as waiting (linked to the entry's row, before signing); once
the entry fills, the watcher places reduce-only take-profit and stop-loss triggers of the
filled size with no expiry and says so with the signature; a restart, even one that finds
the bracket still marked waiting after its legs landed, never places them twice; cancelling
the entry drops the bracket; an entry filled in parts gets legs for each part."""

import asyncio
import contextlib
import sqlite3

import pytest

from rekt_tui.domain.alerts import AlertKind, Severity
from rekt_tui.domain.records import Direction, OrderStatus, OrderType
from rekt_tui.registry import REGISTRY_FILENAME
from rekt_tui.registry.brackets import BRACKET_LEGS_KIND, BracketStatus
from rekt_tui.services.landing import open_session
from rekt_tui.services.models import OrderForm
from rekt_tui.services.notify import Notifier
from rekt_tui.services.orders import OrderService
from rekt_tui.services.pending_brackets import BracketKeeper
from rekt_tui.services.session import SessionService
from rekt_tui.services import orphaned_legs
from rekt_tui.services.watcher import Watcher
from tests.services.test_orders_service import SOL, USDC, close_desk, open_desk, until

pytestmark = pytest.mark.slow


@pytest.fixture
async def desk(tmp_path):
    desk = await open_desk(tmp_path)
    yield desk
    await close_desk(desk)


@contextlib.asynccontextmanager
async def watching(desk, watchers: list | None = None):
    """The session's watcher, as the cockpit or `guard` runs it (added to `watchers`); its alerts collected."""
    seen: list = []
    notifier = Notifier(desk.services.settings.alerts, session=desk.pubkey, cluster="localnet", sink=seen.append)
    watcher = Watcher(desk.link, notifier)
    if watchers is not None:
        watchers.append(watcher)
    task = asyncio.create_task(watcher.run())
    try:
        yield seen
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await notifier.close()


async def leg_transactions(desk) -> list:
    return [t for t in await desk.services.registry.list_transactions(desk.pubkey) if t.kind == BRACKET_LEGS_KIND]


def legs_on_chain(desk) -> list:
    return [o for o in desk.account().orders if o.reduce_only]


async def test_a_resting_entry_gets_its_legs_at_fill_once_across_restarts(desk):
    entry = OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="145", take_profit="170", stop_loss="130")
    placed = await desk.orders.place(entry)
    assert placed.bracket_at_fill and placed.bracket == () and placed.bracket_problem is None
    [bracket] = await desk.services.registry.list_pending_brackets(desk.pubkey)
    assert bracket.entry_order_id == placed.record.id
    assert (bracket.take_profit, bracket.stop_loss, bracket.entry_price) == (170 * USDC, 130 * USDC, 145 * USDC)
    assert [o.user_order_id for o in desk.account().orders] == [placed.record.user_order_id]  # no leg yet

    # The entry fills while nothing watches (the cockpit closed between the fill and its legs).
    await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "140"])

    async def filled() -> bool:
        await desk.fresh()
        return desk.base() == SOL // 2 and not desk.account().orders

    await until(filled, timeout=30, what="the entry's fill")
    assert await leg_transactions(desk) == []

    # The next launch's watcher resumes the waiting bracket.
    async with watching(desk) as seen:
        async def told() -> bool:
            return any(a.kind is AlertKind.BRACKET for a in seen)

        await until(told, timeout=30, what="the legs' report")
    [tx] = await leg_transactions(desk)
    [report] = [a for a in seen if a.kind is AlertKind.BRACKET]
    assert report.severity is Severity.INFO and tx.signature in report.sentence
    assert "take-profit and stop-loss for 0.5 SOL" in report.sentence
    await desk.fresh()
    legs = sorted(legs_on_chain(desk), key=lambda o: o.trigger_price)
    assert [(o.trigger_price, o.base_amount, o.direction, o.order_type, o.max_ts) for o in legs] == [
        (130 * USDC, SOL // 2, Direction.SHORT, OrderType.TRIGGER_MARKET, None),
        (170 * USDC, SOL // 2, Direction.SHORT, OrderType.TRIGGER_MARKET, None),
    ]  # fmt: skip
    assert await desk.services.registry.list_pending_brackets(desk.pubkey) == []

    # A crash right after the legs landed, before the bracket was marked done: the next run
    # finds it waiting, reads what its landed legs cover, and places nothing more.
    with sqlite3.connect(desk.services.settings.data_dir / REGISTRY_FILENAME) as db:
        db.execute("UPDATE pending_brackets SET status = 'waiting' WHERE id = ?", (bracket.id,))
    assert await BracketKeeper(desk.link).step() == []
    async with watching(desk):
        await asyncio.sleep(2)
    assert len(await leg_transactions(desk)) == 1 and len(legs_on_chain(desk)) == 2
    [ended] = await desk.services.registry.list_pending_brackets(desk.pubkey, statuses=(BracketStatus.DONE,))
    assert ended.id == bracket.id and "0.5 SOL" in (ended.message or "")


async def test_a_fill_the_history_lists_late_still_gets_its_legs(desk):
    """The account shows the entry gone before the RPC's history lists the keeper's fill: the
    bracket waits for the fill's record instead of being dropped as never filled."""
    placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", kind="limit", price="145",
                                               take_profit="170", stop_loss="130"))  # fmt: skip
    assert placed.bracket_at_fill
    await desk.admin.call("rekt_setFaults", [{"historyLagSlots": 10_000}])
    await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "140"])

    async def filled() -> bool:
        await desk.fresh()
        return desk.base() == SOL // 2 and not desk.account().orders

    await until(filled, timeout=30, what="the entry's fill")
    keeper = BracketKeeper(desk.link)
    for _ in range(2):
        assert await keeper.step() == []
        [waiting] = await desk.services.registry.list_pending_brackets(desk.pubkey)
        assert waiting.status is BracketStatus.WAITING
        await asyncio.sleep(1.1)  # past the re-check interval

    await desk.admin.call("rekt_clearFaults", [])
    [report] = await keeper.step()
    assert "take-profit and stop-loss for 0.5 SOL" in report.sentence and report.signature
    await desk.fresh()
    assert sorted(o.trigger_price for o in legs_on_chain(desk)) == [130 * USDC, 170 * USDC]


async def test_cancelling_the_entry_drops_its_waiting_bracket(desk):
    placed = await desk.orders.place(OrderForm("SOL-PERP", "sell", "0.5", kind="limit", price="160", stop_loss="170"))
    assert placed.bracket_at_fill
    [waiting] = await desk.services.registry.list_pending_brackets(desk.pubkey)
    await desk.orders.cancel(placed.record.chain_order_id)
    assert await desk.services.registry.list_pending_brackets(desk.pubkey) == []
    [dropped] = await desk.services.registry.list_pending_brackets(desk.pubkey, statuses=(BracketStatus.CANCELLED,))
    assert dropped.id == waiting.id and "dropped with its entry" in (dropped.message or "")
    assert await BracketKeeper(desk.link).step() == []
    assert await leg_transactions(desk) == [] and desk.account().orders == ()


@pytest.mark.timeout(240)  # a second wallet set up, two fills and two leg transactions
async def test_a_partly_filled_entry_gets_legs_for_each_part(desk):
    # AMM fills paused and the makers quoting 5 bps either side of a 145 oracle: a buy at 145
    # rests between them, and only another wallet's sell at 145 fills it, a part at a time.
    await desk.admin.call("rekt_pauseMarket", ["perp", 0, ["ammFill"]])
    await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "145"])
    other = await open_session(desk.services, (await (await desk.services.wallets()).create("taker")).pubkey)
    try:
        setup = SessionService(other)
        await setup.airdrop("1", "SOL")
        await setup.airdrop("200", "USDC")
        await setup.initialize()
        await setup.deposit("200", "USDC")
        await setup.choose_strategy("balanced")
        await setup.start_trading()
        entry = await desk.orders.place(
            OrderForm("SOL-PERP", "buy", "0.4", kind="limit", price="145", take_profit="170", stop_loss="130")
        )
        await OrderService(other).place(OrderForm("SOL-PERP", "sell", "0.1", kind="limit", price="145"))

        async def base_is(size) -> bool:
            await desk.fresh()
            return desk.base() == size

        await until(lambda: base_is(SOL // 10), timeout=30, what="a part of the entry filled")
        async with watching(desk) as seen:
            async def legs_of(size) -> bool:
                await desk.fresh()
                return sum(o.base_amount for o in legs_on_chain(desk)) == 2 * size

            await until(lambda: legs_of(SOL // 10), timeout=30, what="legs for the first part")
            assert [o.filled for o in desk.account().orders if not o.reduce_only] == [SOL // 10]  # the entry rests on
            await OrderService(other).place(OrderForm("SOL-PERP", "sell", "0.2", kind="limit", price="145"))
            await until(lambda: base_is(3 * SOL // 10), timeout=30, what="a second part filled")
            await until(lambda: legs_of(3 * SOL // 10), timeout=30, what="legs topped up for the second part")
            reports = lambda: [a.sentence for a in seen if a.kind is AlertKind.BRACKET]  # noqa: E731

            async def both_told() -> bool:
                return len(reports()) >= 2

            await until(both_told, what="a report for each part")
            assert len(reports()) == 2 and "for 0.1 SOL" in reports()[0] and "for 0.2 SOL" in reports()[1]
        assert [t.intent.count('"covers"') for t in await leg_transactions(desk)] == [1, 1]
        [waiting] = await desk.services.registry.list_pending_brackets(desk.pubkey)  # the rest may still fill
        assert waiting.entry_order_id == entry.record.id
    finally:
        await other.close()


async def test_a_fired_stop_loss_takes_its_take_profit_with_it(desk):
    """One-cancels-other, which the chain lacks: once the stop-loss closes the position, the
    watcher cancels the take-profit (it would close a later long at the old target) and says so."""
    placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", take_profit="170", stop_loss="140"))
    take_profit, stop_loss = (leg.record for leg in placed.bracket)

    async def held() -> bool:
        await desk.fresh()
        return desk.base() == SOL // 2 and len(desk.account().orders) == 2

    await until(held, timeout=30, what="the entry's fill")
    [tp_order] = [o for o in desk.account().orders if o.user_order_id == take_profit.user_order_id]
    async with watching(desk) as seen:
        await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "135"])

        async def ended() -> bool:
            await desk.fresh()
            return desk.base() == 0 and desk.account().orders == () and any("is flat" in a.sentence for a in seen)

        await until(ended, timeout=60, what="the stop-loss's fill, then the take-profit's cancel")
    [told] = [a for a in seen if "is flat" in a.sentence]
    assert told.kind is AlertKind.BRACKET and told.severity is Severity.INFO
    assert told.sentence.startswith(
        f"SOL-PERP is flat: take-profit / stop-loss order #{tp_order.order_id} was left resting and is cancelled, "
        "so it cannot act on a later position ("
    )
    [cancel] = [t for t in await desk.services.registry.list_transactions(desk.pubkey) if t.kind == "cancel_order"]
    assert cancel.signature in told.sentence
    ours = f"Order {tp_order.order_id} ("
    assert not any(a.sentence.startswith(ours) and "by the chain" in a.sentence for a in seen)  # known as ours
    rows = {r.user_order_id: r for r in await desk.services.registry.list_orders(desk.pubkey)}
    assert rows[take_profit.user_order_id].status is OrderStatus.CANCELLED
    assert rows[stop_loss.user_order_id].status is not OrderStatus.CANCELLED  # it fired


async def test_a_failed_one_cancels_other_is_told_and_tried_again(desk, monkeypatch):
    """The watcher's cancel of the orphaned take-profit fails on chain: a critical alert names
    the market and the failure, says `d` cancels it now and that the watcher tries again; the
    next try cancels it."""
    monkeypatch.setattr(orphaned_legs, "RETRY_S", 3.0)
    placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", take_profit="170", stop_loss="140"))
    take_profit = placed.bracket[0].record

    async def held() -> bool:
        await desk.fresh()
        return desk.base() == SOL // 2 and len(desk.account().orders) == 2

    await until(held, timeout=30, what="the entry's fill")
    async with watching(desk) as seen:
        await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "135"])

        async def flat() -> bool:
            await desk.fresh()
            return desk.base() == 0

        await until(flat, timeout=60, what="the stop-loss's fill")
        await desk.admin.call("rekt_failTransactions", [1, 6003])  # the next one sent: the watcher's cancel

        async def told() -> bool:
            return any(a.severity is Severity.CRITICAL and a.kind is AlertKind.BRACKET for a in seen)

        await until(told, timeout=30, what="the failed cancel's alert")
        [alert] = [a for a in seen if a.kind is AlertKind.BRACKET]
        assert alert.sentence.startswith(
            "The take-profit / stop-loss left resting in flat SOL-PERP could not be cancelled ("
        )
        assert alert.sentence.endswith("; the watcher tries again in 3 s, and d cancels them now.")
        await desk.fresh()
        assert [o.user_order_id for o in desk.account().orders] == [take_profit.user_order_id]

        async def cancelled() -> bool:
            await desk.fresh()
            return desk.account().orders == () and any("is flat" in a.sentence for a in seen)

        await until(cancelled, timeout=30, what="the second try's cancel")


async def test_a_leg_orphaned_while_nothing_watched_is_cancelled_when_a_watcher_starts(desk):
    """The stop-loss fires while the cockpit is closed and no guard runs: the next watcher finds
    the take-profit resting on a flat market beside its fired sibling, and cancels it."""
    placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", take_profit="170", stop_loss="140"))
    take_profit = placed.bracket[0].record

    async def fired() -> bool:
        await desk.fresh()
        return desk.base() == 0 and [o.user_order_id for o in desk.account().orders] == [take_profit.user_order_id]

    async def held() -> bool:
        await desk.fresh()
        return desk.base() == SOL // 2

    await until(held, timeout=30, what="the entry's fill")
    await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", "135"])
    await until(fired, timeout=60, what="the stop-loss firing with nothing watching")
    watchers: list = []
    async with watching(desk, watchers) as seen:
        async def cancelled() -> bool:
            await desk.fresh()
            return desk.account().orders == () and any("is flat" in a.sentence for a in seen)

        await until(cancelled, timeout=30, what="the take-profit's cancel at the watcher's start")
    assert watchers[0].alerts_seen == len(seen)  # `guard`'s closing count includes what it told


async def test_legs_a_close_left_while_nothing_watched_are_cancelled_when_a_watcher_starts(desk):
    """The cockpit quit before its close filled: the close keeps the legs (its auction could end
    unfilled), and the next watcher finds them on the flat market, placed before a close of
    ours that has left the chain since, and cancels them."""

    async def reads(base: int, legs: int) -> bool:
        await desk.fresh()
        return desk.base() == base and len(legs_on_chain(desk)) == legs

    await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.5", take_profit="170", stop_loss="140"))
    await until(lambda: reads(SOL // 2, 2), timeout=30, what="the entry's fill")
    await desk.orders.close("SOL-PERP")
    await until(lambda: reads(0, 2), timeout=60, what="the close's fill, with nothing watching")
    async with watching(desk) as seen:
        flat_told = "SOL-PERP is flat: take-profit / stop-loss orders #"
        told = lambda: any(a.sentence.startswith(flat_told) for a in seen)  # noqa: E731
        await until(lambda: reads(0, 0), timeout=30, what="the legs' cancel at the watcher's start")
        await until(lambda: asyncio.sleep(0, told()), timeout=10, what="the cancel told")
