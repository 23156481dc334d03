"""Driving a relaunch ("velocity") localnet over real HTTP the way a client does: instructions
from the product's codec (`trader_instructions`), signed legacy transactions, accounts read back
with `getAccountInfo` and decoded with the codec."""

import base64
from dataclasses import dataclass, field

import pytest
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.transaction import Transaction

from rekt_localnet.keys import LOCALNET_REFERRER, TOKEN_PROGRAM_ID
from rekt_localnet.programs.ata import associated_token_address
from rekt_localnet.programs.velocity.book import Book
from rekt_localnet.programs.velocity.markets import QUOTE_MINT, VELOCITY_SPOT_MARKETS, book_addresses, lazer_oracle_address
from rekt_localnet.velocity_genesis import spot_oracle
from rekt_tui.velocity.codec import trader_instructions as ti
from rekt_tui.velocity.codec.order_params import OrderParams
from rekt_tui.velocity.codec.program import VelocityProgram

from .conftest import TEST_SLOT_MS, Rpc, start_localnet
from .helpers import wait_for_status

SOL = 10**9
USDT = 10**6
PROGRAM = VelocityProgram.pinned()
REFERRER = ti.Referrer(PROGRAM.pdas.user(LOCALNET_REFERRER, 0), PROGRAM.pdas.user_stats(LOCALNET_REFERRER))
PERP_ASSETS = {0: "SOL", 1: "BTC", 2: "ETH"}


@pytest.fixture
async def velocity(tmp_path):
    handle = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS, venue="velocity")
    yield handle
    await handle.stop()


@pytest.fixture
async def vrpc(velocity):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        yield Rpc(session, velocity.rpc_url)


def market_metas(spot: list[int] = (), perp: list[int] = (), writable_spot: bool = False) -> list[AccountMeta]:
    """Remaining accounts as margin checks read them: oracles, then spot and perp markets."""
    oracles = [spot_oracle(i) for i in spot if i != 0] + [lazer_oracle_address(PERP_ASSETS[i]) for i in perp]
    metas = [AccountMeta(key, False, False) for key in dict.fromkeys(oracles)]
    metas += [AccountMeta(PROGRAM.pdas.spot_market(i), False, writable_spot) for i in spot]
    metas += [AccountMeta(PROGRAM.pdas.perp_market(i), False, True) for i in perp]
    return metas


@dataclass
class Sent:
    signature: str | None
    err: object = None
    logs: list[str] = field(default_factory=list)

    @property
    def code(self) -> int | None:
        detail = self.err["InstructionError"][1] if isinstance(self.err, dict) else None
        return detail.get("Custom") if isinstance(detail, dict) else None


async def send(rpc: Rpc, instructions: list[Instruction], signers: list[Keypair]) -> Sent:
    """Send with preflight; a refusal comes back as the simulation's error and logs."""
    blockhash = (await rpc.result("getLatestBlockhash"))["value"]["blockhash"]
    tx = Transaction.new_signed_with_payer(instructions, signers[0].pubkey(), signers, Hash.from_string(blockhash))
    reply = await rpc.call("sendTransaction", base64.b64encode(bytes(tx)).decode(), {"encoding": "base64"})
    if "error" in reply:
        data = reply["error"].get("data") or {}
        return Sent(None, data.get("err"), data.get("logs") or [])
    status = await wait_for_status(rpc, reply["result"])
    tx_info = await rpc.result("getTransaction", reply["result"], {"encoding": "json", "maxSupportedTransactionVersion": 0})
    return Sent(reply["result"], status["err"], tx_info["meta"]["logMessages"])


async def account(rpc: Rpc, key: Pubkey, name: str) -> dict:
    info = (await rpc.result("getAccountInfo", str(key), {"encoding": "base64"}))["value"]
    assert info is not None, f"{name} {key} does not exist"
    assert info["owner"] == str(PROGRAM.program_id)
    return PROGRAM.accounts.decode(name, base64.b64decode(info["data"][0]))


async def token_balance(rpc: Rpc, key: Pubkey) -> int:
    return int((await rpc.result("getTokenAccountBalance", str(key)))["value"]["amount"])


@dataclass
class Trader:
    keypair: Keypair

    @property
    def key(self) -> Pubkey:
        return self.keypair.pubkey()

    @property
    def user(self) -> Pubkey:
        return PROGRAM.pdas.user(self.key, 0)

    @property
    def stats(self) -> Pubkey:
        return PROGRAM.pdas.user_stats(self.key)

    @property
    def quote_account(self) -> Pubkey:
        return associated_token_address(self.key, QUOTE_MINT)


async def new_trader(rpc: Rpc, *, quote: int = 0, lamports: int = 5 * SOL, referrer: bool = True) -> Trader:
    """A wallet with SOL and `quote` test USDT, its UserStats and User (sub-account 0)."""
    trader = Trader(Keypair())
    await wait_for_status(rpc, await rpc.result("requestAirdrop", str(trader.key), lamports))
    if quote:
        minted = await rpc.result("rekt_mintUsdc", str(trader.key), quote)
        await wait_for_status(rpc, minted["signature"])
    instructions = [
        ti.initialize_user_stats(PROGRAM, trader.key, trader.key),
        ti.initialize_user(PROGRAM, trader.key, trader.key, 0, "Main Account", REFERRER if referrer else None),
    ]
    sent = await send(rpc, instructions, [trader.keypair])
    assert sent.err is None, sent.logs
    return trader


def deposit_quote(trader: Trader, amount: int) -> Instruction:
    return ti.deposit(PROGRAM, trader.key, 0, 0, amount, trader.quote_account, TOKEN_PROGRAM_ID,
                      remaining=market_metas(spot=[0], writable_spot=True))  # fmt: skip


def withdraw_quote(trader: Trader, amount: int, perp: list[int] = (), reduce_only: bool = False) -> Instruction:
    return ti.withdraw(PROGRAM, trader.key, 0, 0, amount, trader.quote_account, TOKEN_PROGRAM_ID, reduce_only,
                       remaining=market_metas(spot=[0], perp=perp, writable_spot=True))  # fmt: skip


def spot_spec(index: int):
    return VELOCITY_SPOT_MARKETS[index]


def book_accounts(market_index: int) -> ti.BookAccounts:
    return ti.BookAccounts(*book_addresses(market_index))


def limit(direction: str, base: int, price: int, market_index: int = 0, **extra) -> OrderParams:
    return OrderParams("Limit", direction, base, price, market_index, **extra)


def make(trader: Trader, params: OrderParams, delay: int | None = None, perp: list[int] | None = None) -> Instruction:
    """A resting order; margin reads the quote market, the perp markets (default: the order's)
    and their oracles."""
    remaining = market_metas(spot=[0], perp=perp if perp is not None else [params.market_index])
    return ti.place_and_make_perp_order_v1(PROGRAM, trader.key, 0, params, book_accounts(params.market_index),
                                           activation_delay_slots=delay, remaining=remaining)  # fmt: skip


def take(
    trader: Trader, params: OrderParams, makers: list[Trader] = (), condition: int | None = None,
    after_makers: list[AccountMeta] = (),
) -> Instruction:  # fmt: skip
    """A taker order naming the makers whose resting orders it may fill (then `after_makers`:
    the taker's referral escrow and its referrer's UserStats)."""
    remaining = market_metas(spot=[0], perp=[params.market_index])
    for maker in makers:
        remaining += [AccountMeta(maker.user, False, True), AccountMeta(maker.stats, False, True)]
    remaining += list(after_makers)
    return ti.place_and_take_perp_order_v1(PROGRAM, trader.key, 0, params, book_accounts(params.market_index),
                                           success_condition=condition, remaining=remaining)  # fmt: skip


async def book(rpc: Rpc, market_index: int = 0) -> Book:
    info = (await rpc.result("getAccountInfo", str(book_addresses(market_index)[1]), {"encoding": "base64"}))["value"]
    return Book.unpack(base64.b64decode(info["data"][0]))


async def funded_trader(rpc: Rpc, quote: int) -> Trader:
    trader = await new_trader(rpc, quote=quote)
    sent = await send(rpc, [deposit_quote(trader, quote)], [trader.keypair])
    assert sent.err is None, sent.logs
    return trader
