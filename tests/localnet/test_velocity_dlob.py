"""The relaunch localnet's DLOB paths over real HTTP (`/l2`, `/l3`, `/userOrders`) and its makers."""

import asyncio
import json

import aiohttp

from rekt_localnet.market.velocity_makers import maker_keypair
from rekt_tui.velocity.codec import trader_instructions as ti
from rekt_tui.velocity.codec.order_params import OrderParams, OrderRef

from .conftest import TEST_SLOT_MS, Rpc, start_localnet
from .velocity_support import (
    PROGRAM, SOL, USDT, Trader, account, book_accounts, funded_trader, limit, make, send, take, velocity, vrpc,
)  # fmt: skip

__all__ = ["velocity", "vrpc"]  # fixtures


async def get(url: str, path: str, **params) -> tuple[int, object]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url + path, params=params) as response:
            body = await response.json() if response.content_type == "application/json" else await response.text()
            return response.status, body


async def test_user_orders_lists_resting_orders_with_the_ref_that_cancels_them(velocity, vrpc):
    maker, other = await funded_trader(vrpc, 10_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    assert (await send(vrpc, [make(other, limit("Long", SOL, 148 * USDT))], [other.keypair])).err is None
    orders = [make(maker, limit("Long", 2 * SOL, 149 * USDT, user_order_id=7)), make(maker, limit("Short", SOL, 152 * USDT)),
              make(maker, limit("Long", SOL, 3_400 * USDT, market_index=2), perp=[0, 2])]  # fmt: skip
    assert (await send(vrpc, orders, [maker.keypair])).err is None
    status, body = await get(velocity.dlob_url, "/userOrders", userAccount=str(maker.user))
    assert status == 200 and body["userAccount"] == str(maker.user)
    listed = body["orders"]
    assert [(o["marketIndex"], o["direction"], o["price"], o["baseAssetAmount"]) for o in listed] == [
        (0, "long", str(149 * USDT), str(2 * SOL)), (0, "short", str(152 * USDT), str(SOL)),
        (2, "long", str(3_400 * USDT), str(SOL)),
    ]  # fmt: skip
    assert listed[0]["userOrderId"] == 7 and listed[0]["baseAssetAmountFilled"] == "0"
    status, only_eth = await get(velocity.dlob_url, "/userOrders", userAccount=str(maker.user), marketIndex="2")
    assert [o["marketIndex"] for o in only_eth["orders"]] == [2]

    ref = OrderRef(listed[1]["nodeIndex"], listed[1]["orderId"])
    assert (await send(vrpc, [ti.cancel_order_v1(PROGRAM, maker.key, 0, 0, ref, book_accounts(0))], [maker.keypair])).err is None
    _, body = await get(velocity.dlob_url, "/userOrders", userAccount=str(maker.user), marketIndex="0")
    assert [o["direction"] for o in body["orders"]] == ["long"]

    status, text = await get(velocity.dlob_url, "/userOrders", userAccount="not-a-key")
    assert status == 400 and "userAccount" in text
    status, _ = await get(velocity.dlob_url, "/userOrders", userAccount=str(maker.user), marketIndex="9")
    assert status == 400


async def test_l2_and_l3_show_the_book_and_l3_names_the_makers_a_taker_passes(velocity, vrpc):
    maker, taker = await funded_trader(vrpc, 10_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    assert (await send(vrpc, [make(maker, limit("Short", SOL, 151 * USDT)), make(maker, limit("Short", 2 * SOL, 151 * USDT)),
                              make(maker, limit("Long", SOL, 149 * USDT))], [maker.keypair])).err is None  # fmt: skip
    status, l2 = await get(velocity.dlob_url, "/l2", marketName="SOL-PERP")
    assert status == 200 and l2["oracle"] == 150 * USDT
    assert [(level["price"], level["size"]) for level in l2["asks"]] == [(str(151 * USDT), str(3 * SOL))]
    assert l2["bids"][0]["price"] == str(149 * USDT) and l2["markPrice"] == str(150 * USDT)
    _, l3 = await get(velocity.dlob_url, "/l3", marketIndex="0", marketType="perp")
    assert {order["maker"] for order in l3["asks"]} == {str(maker.user)}
    assert (await send(vrpc, [take(taker, OrderParams("Market", "Long", SOL, 0, 0), [maker])], [taker.keypair])).err is None
    _, l2 = await get(velocity.dlob_url, "/l2", marketName="SOL-PERP")
    assert l2["asks"][0]["size"] == str(2 * SOL)
    status, _ = await get(velocity.dlob_url, "/l2", marketIndex="1", marketType="spot")
    assert status == 400


async def test_makers_quote_both_sides_of_every_perp_and_a_taker_fills_against_them(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS, venue="velocity", market_life=True)
    try:
        async with aiohttp.ClientSession() as session:
            rpc = Rpc(session, handle.rpc_url)
            for _ in range(100):
                books = [(await get(handle.dlob_url, "/l2", marketIndex=str(i), marketType="perp"))[1] for i in range(3)]
                if all(len(book["bids"]) == 5 == len(book["asks"]) for book in books):
                    break
                await asyncio.sleep(0.05)
            for book in books:
                assert int(book["bids"][0]["price"]) < book["oracle"] < int(book["asks"][0]["price"])
            taker = await funded_trader(rpc, 1_000 * USDT)
            maker = Trader(maker_keypair(0))
            sent = await send(rpc, [take(taker, OrderParams("Market", "Short", 2 * SOL, 0, 0), [maker], condition=2)],
                              [taker.keypair])  # fmt: skip
            assert sent.err is None, sent.logs
            user = await account(rpc, taker.user, "User")
            assert any(p["base_asset_amount"] == -2 * SOL for p in user["perp_positions"])
    finally:
        await handle.stop()


async def test_the_websocket_sends_book_changes_and_trades(velocity, vrpc):
    maker, taker = await funded_trader(vrpc, 10_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(velocity.dlob_ws_url)
        for channel in ("orderbook", "trades"):
            await ws.send_json({"type": "subscribe", "marketType": "perp", "channel": channel, "market": "SOL-PERP"})
        assert (await send(vrpc, [make(maker, limit("Short", 2 * SOL, 151 * USDT))], [maker.keypair])).err is None
        sent = await send(vrpc, [take(taker, OrderParams("Market", "Long", SOL, 0, 0), [maker])], [taker.keypair])
        assert sent.err is None
        books, trades = [], []
        while not trades or not any(b["asks"] and b["asks"][0]["size"] == str(SOL) for b in books):
            message = await asyncio.wait_for(ws.receive_json(), timeout=5)
            if message.get("channel") == "orderbook_perp_0":
                books.append(json.loads(message["data"]))
            elif message.get("channel") == "trades_perp_0":
                trades.append(json.loads(message["data"]))
        [trade] = trades
        assert (trade["price"], trade["baseAssetAmountFilled"]) == (str(151 * USDT), str(SOL))
        assert trade["taker"] == str(taker.user) and trade["maker"] == str(maker.user) and trade["txSig"] == sent.signature
        await ws.close()
