"""The relaunch's compatibility guard against a live relaunch localnet: the genesis passes, and a
State of another layout, a market gone or another quote mint are each named in the refusal."""

import base64

import pytest

from rekt_tui.domain.venue import VenueConfig
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.velocity.codec.program import VelocityProgram
from rekt_tui.velocity.compatibility import check_velocity_program
from tests.localnet.conftest import start_localnet

pytestmark = pytest.mark.slow
PROGRAM = VelocityProgram.pinned()
VELOCITY = str(PROGRAM.program_id)
QUOTE = "2i9HW6vJhaj6Wia7ZhyW3jbQVfF1JcujsXACU2sfNXXm"
AUTHORITY = "C4nN8P9G1NTRoXmtNUv6wE1x6jZXMGZ75af7LUxjHzQV"  # the localnet referrer: it has a User


@pytest.fixture
async def chain(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=50, venue="velocity")
    rpc = JsonRpc(handle.rpc_url)
    yield handle, rpc
    await rpc.close()
    await handle.stop()


def config(handle, quote: str = QUOTE) -> VenueConfig:
    return VenueConfig("localnet", VELOCITY, handle.rpc_url, handle.ws_url, handle.dlob_url, handle.dlob_ws_url,
                       venue="velocity", quote_mint=quote)  # fmt: skip


async def resize(rpc: JsonRpc, address: str, size: int) -> None:
    found = await rpc.call("getAccountInfo", [address, {"encoding": "base64"}])
    data = base64.b64decode(found["value"]["data"][0])
    changed = base64.b64encode(data[:size] + bytes(max(0, size - len(data)))).decode()
    await rpc.call("rekt_setAccount", [address, {"owner": VELOCITY, "data": changed}])


async def test_the_genesis_is_what_the_codec_speaks_and_a_change_is_named(chain):
    handle, rpc = chain
    passed = await check_velocity_program(config(handle), AUTHORITY)
    assert passed.compatible, passed.refusal()
    assert {"State", "User", "PerpMarket 0", "SpotMarket 0", "SpotMarket 0 mint"} <= set(passed.checked)

    usdt = "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"
    other_quote = (await check_velocity_program(config(handle, usdt), AUTHORITY)).refusal()
    assert other_quote is not None and f"SpotMarket 0's mint is {QUOTE} where {usdt} was expected" in other_quote

    await resize(rpc, str(PROGRAM.pdas.perp_market(1)), 1216)  # a PerpMarket of Drift's original layout
    refusal = (await check_velocity_program(config(handle), AUTHORITY)).refusal()
    assert refusal is not None and "PerpMarket 1 is 1216 bytes where 1560 bytes was expected" in refusal

    await resize(rpc, str(PROGRAM.pdas.state()), 992)
    refusal = (await check_velocity_program(config(handle), AUTHORITY)).refusal()
    assert refusal is not None and "State is 992 bytes where 1752 bytes was expected" in refusal
    assert refusal.startswith("Trading on localnet is refused: program " + VELOCITY)


async def test_a_relaunch_without_its_instructions_is_refused_as_paused(chain):
    handle, rpc = chain
    assert not (await check_velocity_program(config(handle), AUTHORITY)).paused
    await rpc.call("rekt_setFaults", [{"pausedProgram": True}])
    paused = await check_velocity_program(config(handle), AUTHORITY)
    sentence = paused.refusal()
    assert paused.paused and sentence is not None
    assert sentence.startswith("Trading on localnet is refused before anything is signed: the program answers "
                               "InstructionFallbackNotFound (Anchor error 101)")  # fmt: skip
    assert "Drift's original program" not in sentence and "positions, history and markets still read" in sentence
