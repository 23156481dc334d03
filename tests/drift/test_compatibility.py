"""The compatibility guard against a real localnet: the genesis program passes, and each way a
program can differ from driftpy's layouts (a State of another size, another quote mint, a
published IDL other than the pinned one, a foreign owner) is named in the refusal."""

import base64
import hashlib
import json
import zlib
from dataclasses import replace

import aiohttp
import pytest
from driftpy.addresses import get_state_public_key, get_user_account_public_key
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_tui.config import Settings
from rekt_tui.domain.compatibility import Compatibility, Difference
from rekt_tui.drift.compatibility import (
    EXPECTED_SIZES, SPOT_MINT_OFFSET, check_drift_program, discriminator, idl_address, market_counts,
    published_idl_sha256,
)  # fmt: skip
from rekt_tui.services.venue_factory import venue_config
from tests.drift.test_gateway_support import funded_wallet
from tests.localnet.conftest import Rpc, start_localnet

pytestmark = pytest.mark.slow

DRIFT = Pubkey.from_string("dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH")
USDT = "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"


def test_expected_layouts_are_driftpys():
    from rekt_localnet.encoding import default_account, encode_account

    for name, size in EXPECTED_SIZES.items():
        data = encode_account(name, default_account(name))
        assert (len(data), data[:8]) == (size, discriminator(name)), name


def test_fixed_offsets_are_driftpys():
    from rekt_localnet.encoding import default_account, encode_account

    state = replace(default_account("State"), number_of_markets=7, number_of_spot_markets=9)
    assert market_counts(encode_account("State", state)) == (7, 9)
    mint = Keypair().pubkey()
    spot = encode_account("SpotMarket", replace(default_account("SpotMarket"), mint=mint))
    assert spot[SPOT_MINT_OFFSET : SPOT_MINT_OFFSET + 32] == bytes(mint)


def test_idl_address_is_anchors():
    # The address public tooling reads Drift's Anchor IDL from on mainnet.
    assert str(idl_address(DRIFT)) == "8BKPjRu7Hvd6Y2J67EdLx9MsrZFQwEMVwYg7NeVbAPF8"


def test_the_refusal_is_one_sentence_naming_each_difference():
    result = Compatibility("drift", "mainnet", str(DRIFT), (
        Difference("State", "992 bytes", "1752 bytes"), Difference("SpotMarket 0's mint", "EPjF", USDT),
    ))  # fmt: skip
    sentence = result.refusal()
    assert sentence is not None and sentence.count(". ") == 0 and sentence.endswith(".")
    assert "State is 1752 bytes where 992 bytes was expected" in sentence
    assert f"SpotMarket 0's mint is {USDT} where EPjF was expected" in sentence
    assert Compatibility("drift", "mainnet", str(DRIFT)).refusal() is None


@pytest.fixture
async def chain(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=50)
    async with aiohttp.ClientSession() as session:
        yield handle, Rpc(session, handle.rpc_url)
    await handle.stop()


def config_for(handle, **changes):
    settings = Settings(cluster="localnet")
    return replace(venue_config(settings), rpc_url=handle.rpc_url, **changes)


async def account(rpc: Rpc, key: Pubkey) -> dict:
    return (await rpc.result("getAccountInfo", str(key), {"encoding": "base64"}))["value"]


async def test_the_genesis_program_is_compatible(chain):
    handle, rpc = chain
    result = await check_drift_program(config_for(handle), str(Keypair().pubkey()))
    assert result.compatible, result.refusal()
    assert {"State", "PerpMarket 0", "PerpMarket 2", "SpotMarket 0", "SpotMarket 1", "SpotMarket 0 mint"} <= set(result.checked)
    assert "User" not in result.checked  # the wallet has no account yet: nothing to compare


async def test_a_state_of_another_layout_is_refused(chain):
    handle, rpc = chain
    state = get_state_public_key(DRIFT)
    data = base64.b64decode((await account(rpc, state))["data"][0])
    grown = base64.b64encode(data + bytes(1752 - len(data))).decode()  # the relaunch's State size
    await rpc.result("rekt_setAccount", str(state), {"owner": str(DRIFT), "data": grown})
    result = await check_drift_program(config_for(handle), str(Keypair().pubkey()))
    assert result.differences == (Difference("State", "992 bytes", "1752 bytes"),)


async def test_a_user_of_another_layout_and_a_foreign_owner_are_refused(chain):
    handle, rpc = chain
    wallet = Keypair().pubkey()
    user = get_user_account_public_key(DRIFT, wallet, 0)
    data = base64.b64encode(discriminator("User") + bytes(4496 - 8)).decode()  # the relaunch's User size
    await rpc.result("rekt_setAccount", str(user), {"owner": str(DRIFT), "data": data})
    result = await check_drift_program(config_for(handle), str(wallet))
    assert result.differences == (Difference("User", "4376 bytes", "4496 bytes"),)
    await rpc.result("rekt_setAccount", str(user), {"owner": "11111111111111111111111111111111", "data": data})
    result = await check_drift_program(config_for(handle), str(wallet))
    assert result.differences == (Difference("User's owner", str(DRIFT), "11111111111111111111111111111111"),)


async def test_another_quote_mint_is_refused(chain):
    handle, _ = chain
    result = await check_drift_program(config_for(handle, quote_mint=USDT), str(Keypair().pubkey()))
    [difference] = result.differences
    assert (difference.what, difference.expected) == ("SpotMarket 0's mint", USDT)
    assert difference.found == Settings(cluster="localnet").quote_mint


async def test_a_published_idl_is_compared_with_the_pin(chain):
    handle, rpc = chain
    idl = json.dumps({"version": "2.142.0", "name": "drift"}).encode()
    compressed = zlib.compress(idl)
    body = discriminator("IdlAccount") + bytes(Keypair().pubkey()) + len(compressed).to_bytes(4, "little") + compressed
    await rpc.result("rekt_setAccount", str(idl_address(DRIFT)), {"owner": str(DRIFT), "data": base64.b64encode(body).decode()})
    pin = hashlib.sha256(idl).hexdigest()
    assert published_idl_sha256(body) == pin
    wallet = str(Keypair().pubkey())
    unpinned = await check_drift_program(config_for(handle), wallet)
    assert unpinned.compatible and "published IDL" in unpinned.checked
    assert (await check_drift_program(config_for(handle, idl_sha256=pin), wallet)).compatible
    other = "0" * 64
    result = await check_drift_program(config_for(handle, idl_sha256=other), wallet)
    assert result.differences == (Difference("the published IDL", f"sha256 {other}", f"sha256 {pin}"),)


async def test_a_program_without_its_instructions_is_refused_as_paused(chain):
    """Drift's original program since 2026-04-01: a simulated instruction (nothing signed) answers
    Anchor's 101, so signing is refused at once with the sentence naming the pause and the relaunch."""
    handle, rpc = chain
    payer = await funded_wallet(rpc)
    live = await check_drift_program(config_for(handle), str(payer.pubkey()))
    assert live.compatible and not live.paused, live.refusal()

    await rpc.result("rekt_setFaults", {"pausedProgram": True})
    paused = await check_drift_program(config_for(handle), str(payer.pubkey()))
    assert paused.paused and not paused.compatible and paused.differences == ()
    sentence = paused.refusal()
    assert sentence is not None and sentence.startswith("Trading on localnet is refused before anything is signed")
    assert "Drift's original program has answered every instruction since it was paused" in sentence
    assert "--venue velocity" in sentence and sentence.count(". ") == 0
