"""The relaunch localnet (`venue="velocity"`): genesis in the new layouts at the new PDAs, users
with a referrer, and quote/SOL collateral, all over real HTTP and decoded with the codec."""

import base64
from dataclasses import replace

import pytest
from solders.keypair import Keypair

from rekt_localnet import LocalnetUsageError
from rekt_localnet.keys import LOCALNET_REFERRER, TOKEN_PROGRAM_ID, WRAPPED_SOL_MINT
from rekt_localnet.programs.velocity.codec import CLOB_PROGRAM_ID
from rekt_localnet.programs.velocity.markets import QUOTE_MINT, book_addresses, lazer_oracle_address
from rekt_tui.velocity.codec import trader_instructions as ti

from .conftest import start_localnet
from .helpers import wait_for_status
from .transactions import close, wrapped_sol_account
from .velocity_support import (
    PROGRAM, REFERRER, SOL, USDT, account, deposit_quote, market_metas, new_trader, send, token_balance, velocity,
    vrpc, withdraw_quote,
)  # fmt: skip

__all__ = ["velocity", "vrpc"]  # fixtures


async def test_genesis_lays_out_state_markets_oracles_and_books_at_the_relaunch_pdas(velocity, vrpc):
    state = await account(vrpc, PROGRAM.pdas.state(), "State")
    assert state["signer"] == PROGRAM.pdas.signer()
    assert (state["number_of_markets"], state["number_of_spot_markets"]) == (3, 2)
    quote = await account(vrpc, PROGRAM.pdas.spot_market(0), "SpotMarket")
    assert quote["mint"] == QUOTE_MINT and quote["decimals"] == 6 and quote["oracle_source"] == "QuoteAsset"
    assert quote["vault"] == PROGRAM.pdas.spot_market_vault(0)
    sol = await account(vrpc, PROGRAM.pdas.spot_market(1), "SpotMarket")
    assert sol["mint"] == WRAPPED_SOL_MINT and sol["oracle"] == lazer_oracle_address("SOL")
    for index, (name, price) in enumerate((("SOL-PERP", 150), ("BTC-PERP", 100_000), ("ETH-PERP", 3_500))):
        market = await account(vrpc, PROGRAM.pdas.perp_market(index), "PerpMarket")
        assert bytes(market["name"]).rstrip() == name.encode() and market["oracle_source"] == "PythLazer"
        oracle = await account(vrpc, market["oracle"], "PythLazerOracle")
        assert oracle["price"] * 10 ** oracle["exponent"] == price
        assert (market["quoter_slab"], market["clob_market"]) == book_addresses(index)
        for book in book_addresses(index):
            info = (await vrpc.result("getAccountInfo", str(book), {"encoding": "base64"}))["value"]
            assert info["owner"] == str(CLOB_PROGRAM_ID)
    referrer = await account(vrpc, PROGRAM.pdas.user_stats(LOCALNET_REFERRER), "UserStats")
    assert referrer["authority"] == LOCALNET_REFERRER
    mint = (await vrpc.result("getAccountInfo", str(QUOTE_MINT), {"encoding": "jsonParsed"}))["value"]
    assert mint["data"]["parsed"]["info"]["decimals"] == 6


async def test_faucet_mints_the_venues_quote(velocity, vrpc):
    trader = await new_trader(vrpc, quote=250 * USDT)
    assert await token_balance(vrpc, trader.quote_account) == 250 * USDT


async def test_initialize_user_records_the_referrer_in_user_stats(velocity, vrpc):
    trader = await new_trader(vrpc)
    stats = await account(vrpc, trader.stats, "UserStats")
    assert stats["referrer"] == LOCALNET_REFERRER and stats["referrer_status"] & 2
    assert stats["number_of_sub_accounts_created"] == 1
    assert (await account(vrpc, REFERRER.user_stats, "UserStats"))["referrer_status"] & 1
    user = await account(vrpc, trader.user, "User")
    assert user["authority"] == trader.key and bytes(user["name"]).rstrip() == b"Main Account"
    raw = (await vrpc.result("getAccountInfo", str(trader.user), {"encoding": "base64"}))["value"]["data"][0]
    assert len(base64.b64decode(raw)) == 4496
    state = await account(vrpc, PROGRAM.pdas.state(), "State")
    assert state["number_of_sub_accounts"] == 2


async def test_a_mismatched_referrer_is_6068_and_creates_nothing(velocity, vrpc):
    other = await new_trader(vrpc, referrer=False)
    wallet = Keypair()
    await wait_for_status(vrpc, await vrpc.result("requestAirdrop", str(wallet.pubkey()), SOL))
    wrong = ti.Referrer(REFERRER.user, other.stats)
    sent = await send(vrpc, [
        ti.initialize_user_stats(PROGRAM, wallet.pubkey(), wallet.pubkey()),
        ti.initialize_user(PROGRAM, wallet.pubkey(), wallet.pubkey(), 0, "Main Account", wrong),
    ], [wallet])  # fmt: skip
    assert sent.code == 6068 and sent.signature is None
    assert (await vrpc.result("getAccountInfo", str(PROGRAM.pdas.user_stats(wallet.pubkey()))))["value"] is None


async def test_deposit_and_withdraw_the_quote_move_tokens_and_balances_and_log_records(velocity, vrpc):
    trader = await new_trader(vrpc, quote=1_000 * USDT)
    vault = PROGRAM.pdas.spot_market_vault(0)
    sent = await send(vrpc, [deposit_quote(trader, 600 * USDT)], [trader.keypair])
    assert sent.err is None, sent.logs
    [record] = [e for e in PROGRAM.events.from_logs(sent.logs) if e.name == "DepositRecord"]
    assert record.fields["direction"] == "Deposit" and record.fields["amount"] == 600 * USDT
    assert record.fields["user"] == trader.user
    user = await account(vrpc, trader.user, "User")
    assert user["spot_positions"][0]["scaled_balance"] == 600 * USDT * 1_000
    assert user["total_deposits"] == 600 * USDT
    assert await token_balance(vrpc, vault) == 600 * USDT
    sent = await send(vrpc, [withdraw_quote(trader, 250 * USDT)], [trader.keypair])
    assert sent.err is None, sent.logs
    assert await token_balance(vrpc, vault) == 350 * USDT
    assert await token_balance(vrpc, trader.quote_account) == 650 * USDT
    assert (await account(vrpc, trader.user, "User"))["spot_positions"][0]["scaled_balance"] == 350 * USDT * 1_000
    market = await account(vrpc, PROGRAM.pdas.spot_market(0), "SpotMarket")
    assert market["deposit_balance"] == 350 * USDT * 1_000


async def test_withdrawing_more_than_deposited_is_6003_and_moves_nothing(velocity, vrpc):
    trader = await new_trader(vrpc, quote=100 * USDT)
    assert (await send(vrpc, [deposit_quote(trader, 100 * USDT)], [trader.keypair])).err is None
    sent = await send(vrpc, [withdraw_quote(trader, 101 * USDT)], [trader.keypair])
    assert sent.code == 6003
    assert await token_balance(vrpc, PROGRAM.pdas.spot_market_vault(0)) == 100 * USDT


async def test_sol_deposit_and_withdraw_through_a_wrapped_sol_account(velocity, vrpc):
    trader = await new_trader(vrpc, lamports=10 * SOL)
    create, wrapped = wrapped_sol_account(trader.keypair, 2 * SOL)
    deposit = ti.deposit(PROGRAM, trader.key, 0, 1, 2 * SOL, wrapped, TOKEN_PROGRAM_ID,
                         remaining=market_metas(spot=[1], writable_spot=True))  # fmt: skip
    sent = await send(vrpc, [*create, deposit, close(wrapped, trader.keypair)], [trader.keypair])
    assert sent.err is None, sent.logs
    user = await account(vrpc, trader.user, "User")
    [position] = [p for p in user["spot_positions"] if p["scaled_balance"]]
    assert position["market_index"] == 1 and position["scaled_balance"] == 2 * SOL
    assert user["total_deposits"] == 2 * 150 * USDT
    create, wrapped = wrapped_sol_account(trader.keypair, 0)
    withdraw = ti.withdraw(PROGRAM, trader.key, 0, 1, SOL, wrapped, TOKEN_PROGRAM_ID,
                           remaining=market_metas(spot=[1], writable_spot=True))  # fmt: skip
    before = (await vrpc.result("getBalance", str(trader.key)))["value"]
    sent = await send(vrpc, [*create, withdraw, close(wrapped, trader.keypair)], [trader.keypair])
    assert sent.err is None, sent.logs
    assert (await vrpc.result("getBalance", str(trader.key)))["value"] == before + SOL - 5_000
    assert await token_balance(vrpc, PROGRAM.pdas.spot_market_vault(1)) == SOL


async def test_withdraw_keeps_initial_margin_for_open_perp_positions(velocity, vrpc):
    trader = await new_trader(vrpc, quote=1_000 * USDT)
    assert (await send(vrpc, [deposit_quote(trader, 1_000 * USDT)], [trader.keypair])).err is None
    # A 40 SOL long at $150 opened at exactly the oracle: $6,000 notional, $300 initial margin (5 %).
    stored = velocity.ledger.get(trader.user)
    user = PROGRAM.accounts.decode("User", stored.data)
    user["perp_positions"][0].update(market_index=0, base_asset_amount=40 * SOL, quote_asset_amount=-6_000 * USDT,
                                     quote_entry_amount=-6_000 * USDT, quote_break_even_amount=-6_000 * USDT)  # fmt: skip
    velocity.ledger.put(trader.user, replace(stored, data=PROGRAM.accounts.encode("User", user)))
    without_market = await send(vrpc, [withdraw_quote(trader, USDT)], [trader.keypair])
    assert without_market.code == 6078  # PerpMarketNotFound: margin is never guessed
    too_much = await send(vrpc, [withdraw_quote(trader, 701 * USDT, perp=[0])], [trader.keypair])
    assert too_much.code == 6003
    fine = await send(vrpc, [withdraw_quote(trader, 700 * USDT, perp=[0])], [trader.keypair])
    assert fine.err is None, fine.logs
    assert await token_balance(vrpc, trader.quote_account) == 700 * USDT


async def test_a_ledger_keeps_its_venue(tmp_path):
    handle = await start_localnet(tmp_path / "data", venue="velocity")
    await handle.stop()
    with pytest.raises(LocalnetUsageError, match="runs the velocity venue"):
        await start_localnet(tmp_path / "data", venue="drift")
    handle = await start_localnet(tmp_path / "data", venue="drift", fresh=True)
    assert handle.venue == "drift"
    await handle.stop()
