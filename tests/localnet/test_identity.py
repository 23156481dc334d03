"""Fault L1 (identity) and T7 (latency): the product trusts only this data dir's localnet,
and finds it even when it answers slowly."""

import asyncio
import socket

import aiohttp
import pytest
from aiohttp import web

from rekt_localnet import daemon, ledger_genesis_hash
from rekt_tui.domain.errors import RektError
from rekt_tui.services.localnet import ensure_localnet_at
from tests.localnet.conftest import TEST_SLOT_MS, Rpc, start_localnet


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def foreign_server(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/", handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def test_genesis_hash_is_served_from_the_ledger_and_survives_a_restart(tmp_path):
    data_dir = tmp_path / "data"
    first = await start_localnet(data_dir, slot_ms=TEST_SLOT_MS)
    async with aiohttp.ClientSession() as session:
        served = await Rpc(session, first.rpc_url).result("getGenesisHash")
    await first.stop()
    assert served == ledger_genesis_hash(data_dir) and len(served) >= 32

    again = await start_localnet(data_dir, slot_ms=TEST_SLOT_MS)
    other = await start_localnet(tmp_path / "other", slot_ms=TEST_SLOT_MS, seed=7)
    try:
        async with aiohttp.ClientSession() as session:
            assert await Rpc(session, again.rpc_url).result("getGenesisHash") == served
            assert await Rpc(session, other.rpc_url).result("getGenesisHash") != served
    finally:
        await again.stop()
        await other.stop()


async def test_this_data_dirs_localnet_is_accepted(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS)
    try:
        assert await ensure_localnet_at(tmp_path / "data", handle.rpc_url, handle.dlob_url) is False
    finally:
        await handle.stop()


async def test_a_foreign_http_server_on_the_port_is_refused(tmp_path):
    seen: list[bytes] = []

    async def not_solana(request: web.Request) -> web.Response:
        seen.append(await request.read())
        return web.Response(text="<html>hello</html>", content_type="text/html")

    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS)
    await handle.stop()  # the data dir has a ledger; something else now holds the port
    runner, url = await foreign_server(not_solana)
    try:
        with pytest.raises(RektError) as refused:
            await ensure_localnet_at(tmp_path / "data", url, "http://127.0.0.1:1")
    finally:
        await runner.cleanup()
    port = url.rsplit(":", 1)[1]
    assert f"port {port} is answered by something other than the localnet" in refused.value.message
    assert "rpc_url" in refused.value.message and refused.value.message.count(". ") == 0
    assert all(b"sendTransaction" not in body for body in seen)


async def test_another_validator_with_another_genesis_is_refused(tmp_path):
    async def validator(request: web.Request) -> web.Response:
        method = (await request.json())["method"]
        result = {"getHealth": "ok", "getGenesisHash": "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsfY"}[method]
        return web.json_response({"jsonrpc": "2.0", "id": 1, "result": result})

    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS)
    await handle.stop()
    runner, url = await foreign_server(validator)
    try:
        with pytest.raises(RektError, match="genesis 4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsfY, expected"):
            await ensure_localnet_at(tmp_path / "data", url, "http://127.0.0.1:1")
    finally:
        await runner.cleanup()


async def test_a_localnet_slower_than_a_second_is_still_found(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS)
    handle.faults.update({"latencyMs": 1500})
    try:
        assert await daemon.healthy(handle.rpc_url)
        assert await ensure_localnet_at(tmp_path / "data", handle.rpc_url, handle.dlob_url) is False
    finally:
        await handle.stop()


async def test_a_server_that_never_answers_is_named_truthfully(tmp_path, monkeypatch):
    monkeypatch.setattr(daemon, "ANSWER_BUDGET_S", 2.5)

    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(60)
        return web.Response()

    runner, url = await foreign_server(silent)
    try:
        with pytest.raises(RektError) as refused:
            await ensure_localnet_at(tmp_path / "data", url, "http://127.0.0.1:1")
    finally:
        await runner.cleanup()
    assert f"something listens at {url} but did not answer within 2 s" in refused.value.message
    assert "another localnet is using the ledger" not in refused.value.message
