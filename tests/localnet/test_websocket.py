"""Websocket subscriptions: raw messages, and solana-py's client (whose solders parser is strict)."""

import asyncio
import json

import aiohttp
from solana.rpc.websocket_api import connect
from solders.keypair import Keypair
from solders.signature import Signature
from solders.rpc.responses import (
    AccountNotification,
    ProgramNotification,
    SignatureNotification,
    SlotNotification,
)

from rekt_localnet.keys import SYSTEM_PROGRAM_ID
from tests.localnet.helpers import wait_for_status


class Socket:
    """A raw websocket client that keeps notifications apart from request answers."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._ids = 0
        self._notifications: list[dict] = []

    async def request(self, method: str, *params) -> dict:
        """Send a request and return its answer; notifications arriving meanwhile are kept."""
        self._ids += 1
        request = {"jsonrpc": "2.0", "id": self._ids, "method": method, "params": list(params)}
        await self.ws.send_str(json.dumps(request))
        while True:
            message = await self._receive()
            if message.get("id") == self._ids:
                return message
            self._notifications.append(message)

    async def _receive(self, timeout: float = 5.0) -> dict:
        return json.loads((await self.ws.receive(timeout=timeout)).data)

    async def notification(self, method: str, timeout: float = 5.0) -> dict:
        """The next notification of this kind; others received meanwhile are kept."""
        for index, message in enumerate(self._notifications):
            if message.get("method") == method:
                return self._notifications.pop(index)
        while True:
            message = await self._receive(timeout)
            if message.get("method") == method:
                return message
            self._notifications.append(message)

    def pending(self) -> list[dict]:
        """Notifications received but not yet asked for."""
        return list(self._notifications)


async def open_socket(session, localnet) -> Socket:
    return Socket(await session.ws_connect(localnet.ws_url))


async def test_slot_notifications_increase_and_agree_with_http(localnet, rpc):
    socket = await open_socket(rpc.session, localnet)
    answer = await socket.request("slotSubscribe")
    subscription = answer["result"]
    seen = []
    for _ in range(3):
        message = await socket.notification("slotNotification")
        assert message["params"]["subscription"] == subscription
        result = message["params"]["result"]
        assert result["parent"] == result["slot"] - 1
        seen.append(result["slot"])
        assert await rpc.result("getSlot") >= result["slot"]
    assert seen == sorted(seen) and len(set(seen)) == 3
    assert (await socket.request("slotUnsubscribe", subscription))["result"] is True
    await socket.ws.close()


async def test_account_notification_after_airdrop(localnet, rpc):
    socket = await open_socket(rpc.session, localnet)
    wallet = str(Keypair().pubkey())
    config = {"encoding": "base64", "commitment": "confirmed"}
    subscription = (await socket.request("accountSubscribe", wallet, config))["result"]
    signature = await rpc.result("requestAirdrop", wallet, 3 * 10**9)
    message = await socket.notification("accountNotification")
    assert message["jsonrpc"] == "2.0" and message["params"]["subscription"] == subscription
    result = message["params"]["result"]
    assert result["value"]["lamports"] == 3 * 10**9
    assert result["value"]["owner"] == str(SYSTEM_PROGRAM_ID)
    assert result["value"]["data"] == ["", "base64"]
    status = await wait_for_status(rpc, signature)
    assert result["context"]["slot"] == status["slot"]
    await socket.ws.close()


async def test_signature_notified_before_and_after_landing(localnet, rpc):
    socket = await open_socket(rpc.session, localnet)
    signature = await rpc.result("requestAirdrop", str(Keypair().pubkey()), 10**9)
    early = (await socket.request("signatureSubscribe", signature, {"commitment": "confirmed"}))["result"]
    message = await socket.notification("signatureNotification")
    assert message["params"]["subscription"] == early
    assert message["params"]["result"]["value"] == {"err": None}
    # Subscribing after the transaction landed still gets its notification.
    late = (await socket.request("signatureSubscribe", signature))["result"]
    message = await socket.notification("signatureNotification")
    assert message["params"]["subscription"] == late
    # A signature subscription ends with its notification.
    assert (await socket.request("signatureUnsubscribe", late))["error"]["code"] == -32602
    await socket.ws.close()


async def test_finalized_signature_waits_for_the_next_slot(localnet, rpc):
    socket = await open_socket(rpc.session, localnet)
    signature = await rpc.result("requestAirdrop", str(Keypair().pubkey()), 10**9)
    await socket.request("signatureSubscribe", signature, {"commitment": "finalized"})
    message = await socket.notification("signatureNotification")
    status = (await rpc.result("getSignatureStatuses", [signature]))["value"][0]
    assert message["params"]["result"]["context"]["slot"] > status["slot"]
    assert status["confirmationStatus"] == "finalized"
    await socket.ws.close()


async def test_program_subscription_with_filters(localnet, rpc):
    socket = await open_socket(rpc.session, localnet)
    config = {"encoding": "base64", "filters": [{"dataSize": 0}]}
    subscription = (await socket.request("programSubscribe", str(SYSTEM_PROGRAM_ID), config))["result"]
    never = (
        await socket.request("programSubscribe", str(SYSTEM_PROGRAM_ID), {"filters": [{"dataSize": 7}]})
    )["result"]
    wallet = str(Keypair().pubkey())
    await rpc.result("requestAirdrop", wallet, 10**9)
    keys = set()
    while wallet not in keys:
        message = await socket.notification("programNotification")
        assert message["params"]["subscription"] == subscription != never
        keys.add(message["params"]["result"]["value"]["pubkey"])
    await socket.ws.close()


async def test_unsubscribed_accounts_and_programs_stay_quiet(localnet, rpc):
    socket = await open_socket(rpc.session, localnet)
    wallet = str(Keypair().pubkey())
    account = (await socket.request("accountSubscribe", wallet))["result"]
    program = (await socket.request("programSubscribe", str(SYSTEM_PROGRAM_ID)))["result"]
    assert (await socket.request("accountUnsubscribe", account))["result"] is True
    assert (await socket.request("programUnsubscribe", program))["result"] is True
    await socket.request("slotSubscribe")
    landed = await wait_for_status(rpc, await rpc.result("requestAirdrop", wallet, 10**9))
    # Notifications on one socket arrive in order: once a later slot is announced,
    # anything the airdrop triggered would already have come.
    while True:
        message = await socket.notification("slotNotification")
        if message["params"]["result"]["slot"] > landed["slot"]:
            break
    assert not [m for m in socket.pending() if m.get("method") != "slotNotification"]
    await socket.ws.close()


async def test_ping_is_ignored_and_errors_are_answered(localnet, rpc):
    socket = await open_socket(rpc.session, localnet)
    await socket.ws.send_str("ping")
    await socket.ws.send_str(json.dumps({"jsonrpc": "2.0", "method": "ping"}))
    unknown = await socket.request("blockSubscribe")
    assert unknown["error"] == {"code": -32601, "message": "Method not found: blockSubscribe"}
    bad = await socket.request("accountSubscribe", "nope")
    assert bad["error"]["code"] == -32602
    assert (await socket.request("accountUnsubscribe", 424242))["error"]["message"] == "Invalid subscription id."
    await socket.ws.close()


async def test_solana_py_client_parses_every_notification(localnet, rpc):
    wallet = Keypair().pubkey()
    wanted = {SlotNotification, AccountNotification, ProgramNotification, SignatureNotification}
    async with connect(localnet.ws_url) as ws:
        await ws.slot_subscribe()
        await ws.account_subscribe(wallet, encoding="base64")
        await ws.program_subscribe(SYSTEM_PROGRAM_ID, encoding="base64")
        signature = await rpc.result("requestAirdrop", str(wallet), 10**9)
        await ws.signature_subscribe(Signature.from_string(signature))
        seen: set[type] = set()
        async with asyncio.timeout(5):
            while seen != wanted:
                for message in await ws.recv():
                    if isinstance(message, AccountNotification):
                        assert message.result.value.lamports == 10**9
                    if type(message) in wanted:
                        seen.add(type(message))
