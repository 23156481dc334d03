"""Raw JSON-RPC against a running localnet: every method, batches, filters, encodings, errors."""

import base64
import gzip
import json

import based58
import zstandard
from driftpy.addresses import (
    get_drift_client_signer_public_key,
    get_perp_market_public_key,
    get_spot_market_vault_public_key,
    get_state_public_key,
)
from solders.keypair import Keypair

from rekt_localnet import LOCALNET_REFERRER, USDC_MINT
from rekt_localnet.encoding import discriminator
from rekt_localnet.keys import DRIFT_PROGRAM_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID
from tests.localnet.helpers import wait_for_slot, wait_for_status

STATE = str(get_state_public_key(DRIFT_PROGRAM_ID))
DRIFT = str(DRIFT_PROGRAM_ID)
# What driftpy's find_all_market_and_oracles filters on: the PerpMarket discriminator in base58.
PERP_DISCRIMINATOR_B58 = "2pTyMkwXuti"


def data_of(value: dict) -> bytes:
    encoded, encoding = value["data"]
    assert encoding == "base64"
    return base64.b64decode(encoded)


async def test_health_version_and_epoch(rpc):
    assert await rpc.result("getHealth") == "ok"
    version = await rpc.result("getVersion")
    assert set(version) == {"solana-core", "feature-set"}
    epoch = await rpc.result("getEpochInfo")
    assert epoch["slotsInEpoch"] == 432_000
    assert epoch["absoluteSlot"] >= 0 and epoch["blockHeight"] >= 0


async def test_slot_and_block_height_advance(rpc):
    first = await rpc.result("getSlot", {"commitment": "confirmed"})
    assert await wait_for_slot(rpc, first + 2) >= first + 2
    assert await rpc.result("getBlockHeight") >= first + 2


async def test_latest_blockhash_is_valid_for_150_blocks(rpc):
    answer = await rpc.result("getLatestBlockhash", {"commitment": "finalized"})
    height = await rpc.result("getBlockHeight")
    value = answer["value"]
    assert height <= value["lastValidBlockHeight"] <= height + 150
    assert (await rpc.result("isBlockhashValid", value["blockhash"]))["value"] is True
    assert (await rpc.result("isBlockhashValid", str(Keypair().pubkey())))["value"] is False


async def test_account_info_defaults_to_base64(rpc):
    answer = await rpc.result("getAccountInfo", STATE)
    assert answer["context"]["slot"] >= 0
    value = answer["value"]
    assert value["owner"] == DRIFT and value["executable"] is False and value["space"] == 992
    data = data_of(value)
    assert len(data) == 992 and data[:8] == discriminator("State")
    assert value["lamports"] == await rpc.result("getMinimumBalanceForRentExemption", 992)


async def test_account_info_of_missing_account_is_null(rpc):
    assert (await rpc.result("getAccountInfo", str(Keypair().pubkey())))["value"] is None


async def test_account_encodings(rpc):
    raw = data_of((await rpc.result("getAccountInfo", STATE, {"encoding": "base64"}))["value"])
    zstd = (await rpc.result("getAccountInfo", STATE, {"encoding": "base64+zstd"}))["value"]["data"]
    assert zstd[1] == "base64+zstd"
    assert zstandard.ZstdDecompressor().decompress(base64.b64decode(zstd[0]), max_output_size=10_000) == raw
    # jsonParsed has no parser for Drift accounts: it falls back to base64.
    assert data_of((await rpc.result("getAccountInfo", STATE, {"encoding": "jsonParsed"}))["value"]) == raw
    sliced = (await rpc.result("getAccountInfo", STATE, {"dataSlice": {"offset": 0, "length": 8}}))["value"]
    assert data_of(sliced) == raw[:8]
    small = await rpc.result("getAccountInfo", STATE, {"encoding": "base58", "dataSlice": {"offset": 8, "length": 32}})
    assert based58.b58decode(small["value"]["data"][0].encode()) == raw[8:40]
    too_big = await rpc.call("getAccountInfo", STATE, {"encoding": "base58"})
    assert too_big["error"]["code"] == -32600


async def test_json_parsed_token_accounts(rpc):
    mint = (await rpc.result("getAccountInfo", str(USDC_MINT), {"encoding": "jsonParsed"}))["value"]["data"]
    assert mint["program"] == "spl-token" and mint["parsed"]["type"] == "mint"
    assert mint["parsed"]["info"]["decimals"] == 6 and mint["parsed"]["info"]["supply"] == "0"
    vault = str(get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, 1))
    parsed = (await rpc.result("getAccountInfo", vault, {"encoding": "jsonParsed"}))["value"]["data"]["parsed"]
    assert parsed["type"] == "account"
    assert parsed["info"]["owner"] == str(get_drift_client_signer_public_key(DRIFT_PROGRAM_ID))
    assert parsed["info"]["isNative"] is True
    assert parsed["info"]["tokenAmount"] == {"amount": "0", "decimals": 9, "uiAmount": 0.0, "uiAmountString": "0"}


async def test_multiple_accounts(rpc):
    missing = str(Keypair().pubkey())
    answer = await rpc.result("getMultipleAccounts", [STATE, missing, str(USDC_MINT)])
    state, nothing, mint = answer["value"]
    assert len(data_of(state)) == 992 and nothing is None and mint["owner"] == str(TOKEN_PROGRAM_ID)
    too_many = await rpc.call("getMultipleAccounts", [missing] * 101)
    assert too_many["error"]["code"] == -32602


async def test_program_accounts_with_filters(rpc):
    memcmp = {"memcmp": {"offset": 0, "bytes": PERP_DISCRIMINATOR_B58}}
    config = {"filters": [memcmp], "encoding": "base64", "withContext": True}
    answer = await rpc.result("getProgramAccounts", DRIFT, config)
    assert answer["context"]["slot"] >= 0
    perp_keys = {str(get_perp_market_public_key(DRIFT_PROGRAM_ID, index)) for index in range(3)}
    assert {item["pubkey"] for item in answer["value"]} == perp_keys
    by_size = await rpc.result("getProgramAccounts", DRIFT, {"filters": [{"dataSize": 1216}]})
    assert {item["pubkey"] for item in by_size} == perp_keys
    spot_bytes = base64.b64encode(discriminator("SpotMarket")).decode()
    base64_memcmp = {"memcmp": {"offset": 0, "bytes": spot_bytes, "encoding": "base64"}}
    spots = await rpc.result("getProgramAccounts", DRIFT, {"filters": [base64_memcmp, {"dataSize": 776}]})
    assert len(spots) == 2
    nothing = await rpc.result("getProgramAccounts", DRIFT, {"filters": [memcmp, {"dataSize": 776}]})
    assert nothing == []
    bad = await rpc.call("getProgramAccounts", DRIFT, {"filters": [{"bogus": 1}]})
    assert bad["error"]["code"] == -32602


async def test_balances_and_rent(rpc):
    assert (await rpc.result("getBalance", str(LOCALNET_REFERRER)))["value"] == 10 * 10**9
    assert (await rpc.result("getBalance", str(Keypair().pubkey())))["value"] == 0
    assert await rpc.result("getMinimumBalanceForRentExemption", 0) == 890_880
    assert await rpc.result("getMinimumBalanceForRentExemption", 165) == 2_039_280


async def test_token_balances_and_accounts_by_owner(rpc):
    vault = str(get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, 0))
    balance = (await rpc.result("getTokenAccountBalance", vault))["value"]
    assert balance == {"amount": "0", "decimals": 6, "uiAmount": 0.0, "uiAmountString": "0"}
    signer = str(get_drift_client_signer_public_key(DRIFT_PROGRAM_ID))
    everything = await rpc.result("getTokenAccountsByOwner", signer, {"programId": str(TOKEN_PROGRAM_ID)})
    assert len(everything["value"]) == 4  # a deposit vault and an insurance-fund vault per spot market
    usdc = await rpc.result("getTokenAccountsByOwner", signer, {"mint": str(USDC_MINT)}, {"encoding": "jsonParsed"})
    assert vault in {item["pubkey"] for item in usdc["value"]} and len(usdc["value"]) == 2
    assert usdc["value"][0]["account"]["data"]["parsed"]["info"]["mint"] == str(USDC_MINT)
    not_token = await rpc.call("getTokenAccountBalance", STATE)
    assert not_token["error"]["code"] == -32602


async def test_airdrop_lands_next_slot_with_a_signature(rpc):
    wallet = str(Keypair().pubkey())
    # A batch is answered within one slot, so the balance read beside the request is the
    # one before the airdrop, which lands only when the next slot starts.
    signed, before = await rpc.post(
        [
            {"jsonrpc": "2.0", "id": 1, "method": "requestAirdrop", "params": [wallet, 2 * 10**9]},
            {"jsonrpc": "2.0", "id": 2, "method": "getBalance", "params": [wallet]},
        ]
    )
    signature = signed["result"]
    assert before["result"]["value"] == 0
    status = await wait_for_status(rpc, signature)
    assert status["err"] is None and status["status"] == {"Ok": None}
    assert status["confirmationStatus"] in ("confirmed", "finalized")
    assert (await rpc.result("getBalance", wallet))["value"] == 2 * 10**9
    transaction = await rpc.result("getTransaction", signature, {"encoding": "json"})
    assert transaction["slot"] == status["slot"] and transaction["meta"]["fee"] == 5000
    assert transaction["transaction"]["signatures"] == [signature]
    assert transaction["transaction"]["message"]["accountKeys"][1] == wallet
    wire = await rpc.result("getTransaction", signature, "base64")
    assert wire["transaction"][1] == "base64"
    history = await rpc.result("getSignatureStatuses", [signature], {"searchTransactionHistory": True})
    assert history["value"][0]["slot"] == status["slot"]
    await wait_for_slot(rpc, status["slot"] + 1)
    final = (await rpc.result("getSignatureStatuses", [signature]))["value"][0]
    assert final["confirmationStatus"] == "finalized" and final["confirmations"] is None


async def test_same_airdrop_twice_in_one_blockhash_lands_once(localnet, rpc):
    wallet = str(Keypair().pubkey())
    # Both requests are answered within one event-loop turn, so they share a blockhash.
    first, second = await rpc.post(
        [
            {"jsonrpc": "2.0", "id": 1, "method": "requestAirdrop", "params": [wallet, 10**9]},
            {"jsonrpc": "2.0", "id": 2, "method": "requestAirdrop", "params": [wallet, 10**9]},
        ]
    )
    assert first["result"] == second["result"]
    await wait_for_status(rpc, first["result"])
    assert (await rpc.result("getBalance", wallet))["value"] == 10**9


async def test_batches_answer_each_request(rpc):
    answers = await rpc.post(
        [
            {"jsonrpc": "2.0", "id": "a", "method": "getSlot"},
            {"jsonrpc": "2.0", "id": "b", "method": "getBalance", "params": [str(LOCALNET_REFERRER)]},
            {"jsonrpc": "2.0", "id": "c", "method": "getNothing"},
            {"jsonrpc": "2.0", "method": "getSlot"},  # a notification: no answer
        ]
    )
    by_id = {answer["id"]: answer for answer in answers}
    assert set(by_id) == {"a", "b", "c"}
    assert isinstance(by_id["a"]["result"], int)
    assert by_id["b"]["result"]["value"] == 10 * 10**9
    assert by_id["c"]["error"] == {"code": -32601, "message": "Method not found: getNothing"}
    assert (await rpc.post([]))["error"]["code"] == -32600


async def test_errors_are_shaped_like_a_node(rpc):
    bad_key = await rpc.call("getAccountInfo", "not-a-key")
    assert bad_key["error"]["code"] == -32602 and "Invalid param" in bad_key["error"]["message"]
    bad_commitment = await rpc.call("getSlot", {"commitment": "soon"})
    assert bad_commitment["error"]["code"] == -32602
    future = await rpc.call("getBalance", str(LOCALNET_REFERRER), {"minContextSlot": 10**9})
    assert future["error"]["code"] == -32016 and "contextSlot" in future["error"]["data"]
    missing = await rpc.call("getAccountInfo")
    assert missing["error"]["code"] == -32602
    async with rpc.session.post(rpc.url, data=b"{not json") as response:
        assert (await response.json())["error"]["code"] == -32700


async def test_bodies_labelled_gzip(rpc):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getSlot"}).encode()
    # driftpy labels plain JSON as gzip; a real gzip body works too.
    for payload in (body, gzip.compress(body)):
        async with rpc.session.post(
            rpc.url, data=payload, headers={"content-type": "application/json", "content-encoding": "gzip"}
        ) as response:
            assert isinstance((await response.json())["result"], int)


async def test_system_program_owns_airdropped_wallets(rpc):
    wallet = str(Keypair().pubkey())
    await wait_for_status(rpc, await rpc.result("requestAirdrop", wallet, 10**6))
    accounts = await rpc.result("getProgramAccounts", str(SYSTEM_PROGRAM_ID), {"filters": [{"dataSize": 0}]})
    assert wallet in {item["pubkey"] for item in accounts}
