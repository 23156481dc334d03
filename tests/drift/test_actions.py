"""Every action lands through our sender on a live localnet (makers and keeper running)
and has its effect on chain: account and referrer, deposits, every order type, cancels,
closes, settlement, repaying a borrow by selling SOL, withdrawals to zero, the sweep.

Each test gets its own localnet and session wallet: a localnet starts in a fraction of
a second, and tests then never depend on each other's orders or oracle moves.
"""

import asyncio
import time
from dataclasses import dataclass, replace

import aiohttp
import pytest
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.hash import Hash
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction
from spl.token.instructions import get_associated_token_address

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.orders import OrderKind, OrderRequest, TriggerCondition
from rekt_tui.domain.records import Direction, MarketType, OrderType, TransactionStatus
from rekt_tui.drift import actions, order_actions
from rekt_tui.drift.client import DRIFTPY_PROGRAM_ID, Endpoint, build_client
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.sender import Landed, SendPolicy, TransactionSender
from rekt_tui.drift.transactions import TransactionSigner, sign_v0, transaction_fee
from rekt_localnet import LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER
from rekt_localnet.market.makers import LEVELS
from rekt_tui.registry import Registry
from tests.localnet.conftest import start_localnet
from tests.localnet.test_keeper import maker_orders

pytestmark = pytest.mark.slow

USDC = 10**6
SOL = 10**9
ORACLE = 150 * USDC
TICK = 100  # SOL-PERP's order tick on the localnet (1e6)
SOL_PERP = MarketSpec("SOL-PERP", MarketType.PERP, 0, "SOL", TICK, step_size=SOL // 100, min_order_size=SOL // 100)
COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111"
FAST = SendPolicy(resend_interval_s=0.3, poll_interval_s=0.02, backoff_initial_s=0.02, backoff_max_s=0.2)


async def until(condition, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} never held"
        await asyncio.sleep(0.02)


@dataclass
class Trader:
    """A funded session wallet with its DriftClient, our signer and sender, and the chain."""

    chain: object  # the localnet handle
    admin: JsonRpc
    registry: Registry
    sender: TransactionSender
    client: object  # driftpy DriftClient
    signer: TransactionSigner

    @property
    def pubkey(self) -> str:
        return str(self.client.wallet.public_key)

    @property
    def user(self):
        return actions.drift_user(self.client)

    async def land(self, kind: str, instructions, *, changes_user: bool = True) -> Landed:
        """Send through our sender, then wait until the client has seen the Drift account change."""
        build = self.signer.builder(instructions)
        landed = await self.sender.send(self.pubkey, kind=kind, intent={"kind": kind}, build=build)
        if changes_user and self.client.users:
            await until(lambda: self.user.get_user_account_and_slot().slot >= landed.slot, what="user update")
        return landed

    async def open_account(self, referrer: Pubkey | None = LOCALNET_REFERRER) -> Landed:
        landed = await self.land("initialize", lambda: actions.initialize_account(self.client, referrer))
        await self.client.add_user(0)
        await self.client.add_user_stats(self.client.authority)
        return landed

    async def lamports(self, key: Pubkey) -> int:
        return (await self.admin.call("getBalance", [str(key), {"commitment": "confirmed"}]))["value"]

    async def tokens(self, key: Pubkey) -> int | None:
        return await actions.token_balance(self.client, key)

    def base(self, market_index: int = 0) -> int:
        position = self.user.get_perp_position(market_index)
        return position.base_asset_amount if position else 0

    async def makers_quoting(self) -> None:
        await until(lambda: len(maker_orders(self.chain, 0)) == 2 * len(LEVELS), what="makers quoting")

    async def top_makers(self) -> list[Pubkey]:
        """The SOL/USDC spot makers bidding, best first, from the DLOB API."""
        url = f"{self.chain.dlob_url}/topMakers?marketIndex=1&marketType=spot&side=bid&limit=4"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return [Pubkey.from_string(maker) for maker in await response.json()]

    async def book(self, side: str) -> list[tuple[int, int]]:
        """One side of the SOL-PERP book from the DLOB API (makers only), best first."""
        url = f"{self.chain.dlob_url}/l2?marketName=SOL-PERP&depth=10&includeVamm=false"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            levels = (await response.json())[side]
        return [(int(level["price"]), int(level["size"])) for level in levels]


@pytest.fixture
async def trader(tmp_path):
    chain = await start_localnet(tmp_path / "chain", slot_ms=50, market_life=True)
    registry = await Registry.open(tmp_path / "data")
    admin, rpc = JsonRpc(chain.rpc_url), JsonRpc(chain.rpc_url, timeout_s=2)
    wallet = Keypair()
    await registry.create_session(pubkey=str(wallet.pubkey()), cluster="localnet", label="", key_backend="test")
    await admin.call("requestAirdrop", [str(wallet.pubkey()), 10 * SOL])
    await admin.call("rekt_mintUsdc", [str(wallet.pubkey()), 2_000 * USDC])
    endpoint = Endpoint("localnet", chain.rpc_url, DRIFTPY_PROGRAM_ID, (str(LOCALNET_LOOKUP_TABLE),))
    client = build_client(endpoint, wallet)
    await client.account_subscriber.subscribe()
    trader = Trader(chain, admin, registry, TransactionSender(rpc, registry, FAST), client, TransactionSigner(client))
    for _ in range(200):
        if await trader.lamports(wallet.pubkey()):
            break
        await asyncio.sleep(0.02)
    yield trader
    for user in client.users.values():
        await user.account_subscriber.unsubscribe()
    await client.account_subscriber.unsubscribe()
    await client.connection.close()
    for closing in (admin, rpc):
        await closing.close()
    await registry.close()
    await chain.stop()


def order_with(trader: Trader, user_order_id: int):
    return trader.user.get_order_by_user_order_id(user_order_id)


def variant(value) -> str:
    return type(value).__name__


async def test_account_with_referrer_then_usdc_and_sol_deposits(trader):
    client = trader.client
    with pytest.raises(RektError, match="has no Drift account on this cluster"):
        await actions.initialize_account(client, Keypair().pubkey())
    await trader.land("initialize", [client.get_initialize_user_stats()])  # as if a first try got half-way
    assert len(await actions.initialize_account(client, LOCALNET_REFERRER)) == 1  # UserStats is skipped
    await trader.open_account()
    assert client.get_user_stats().get_account().referrer == LOCALNET_REFERRER
    with pytest.raises(RektError, match="already has a Drift account"):
        await actions.initialize_account(client, LOCALNET_REFERRER)

    with pytest.raises(RektError, match=r"holds \$2,000.00 of USDC, less than the \$5,000.00 to deposit"):
        await actions.deposit_usdc(client, 5_000 * USDC)
    await trader.land("deposit", lambda: actions.deposit_usdc(client, 500 * USDC))
    await trader.land("deposit", lambda: actions.deposit_sol(client, 2 * SOL))
    assert trader.user.get_token_amount(0) == 500 * USDC
    assert trader.user.get_token_amount(1) == 2 * SOL
    # SOL counts at its 80 % initial asset weight.
    assert trader.user.get_total_collateral() == 500 * USDC + 2 * ORACLE * 8_000 // 10_000
    assert await trader.tokens(client.get_associated_token_account_public_key(0)) == 1_500 * USDC
    rows = await trader.registry.list_transactions(trader.pubkey)
    assert [row.status for row in rows] == [TransactionStatus.CONFIRMED] * 4


async def test_resting_orders_carry_their_ids_and_every_cancel_works(trader):
    client = trader.client
    await trader.open_account()
    await trader.land("deposit", lambda: actions.deposit_usdc(client, 1_000 * USDC))
    expiry = int(time.time()) + 600
    common = {"market_index": 0, "base_amount": SOL, "max_ts": expiry}
    orders = {
        1: dict(direction=Direction.LONG, order_type=OrderType.LIMIT, price=140 * USDC, post_only=True),
        2: dict(direction=Direction.SHORT, order_type=OrderType.TRIGGER_MARKET, trigger_price=140 * USDC,
                trigger_condition="below"),
        3: dict(direction=Direction.LONG, order_type=OrderType.TRIGGER_LIMIT, price=161 * USDC,
                trigger_price=160 * USDC, trigger_condition="above"),
        4: dict(direction=Direction.SHORT, order_type=OrderType.LIMIT, price=170 * USDC),
    }  # fmt: skip
    for user_order_id, shape in orders.items():
        order = order_actions.place_perp_order(client, user_order_id=user_order_id, **common, **shape)
        await trader.land("place_order", order)
    placed = {uid: order_with(trader, uid) for uid in orders}
    assert {uid: (variant(o.order_type), o.max_ts, o.base_asset_amount) for uid, o in placed.items()} == {
        1: ("Limit", expiry, SOL), 2: ("TriggerMarket", expiry, SOL),
        3: ("TriggerLimit", expiry, SOL), 4: ("Limit", expiry, SOL),
    }  # fmt: skip
    assert placed[1].post_only and placed[1].price == 140 * USDC
    assert (placed[2].trigger_price, variant(placed[2].trigger_condition)) == (140 * USDC, "Below")
    assert (placed[3].trigger_price, placed[3].price) == (160 * USDC, 161 * USDC)
    assert variant(placed[3].trigger_condition) == "Above"
    with pytest.raises(RektError, match="already carries user_order_id 4"):
        order_actions.place_perp_order(client, user_order_id=4, **common, **orders[4])

    await trader.land("cancel", order_actions.cancel_order(client, placed[1].order_id))
    await trader.land("cancel", order_actions.cancel_order(client, placed[2].order_id))
    assert sorted(o.user_order_id for o in trader.user.get_open_orders()) == [3, 4]
    with pytest.raises(RektError, match=f"no open order {placed[2].order_id} to cancel"):
        order_actions.cancel_order(client, placed[2].order_id)
    with pytest.raises(RektError, match="no open orders in perp market 1"):
        order_actions.cancel_all_orders(client, 1)
    await trader.land("cancel", order_actions.cancel_all_orders(client, 0))
    assert trader.user.get_open_orders() == []


async def test_market_order_expires_at_max_ts_when_its_auction_never_reaches_the_book(trader):
    client = trader.client
    await trader.open_account()
    await trader.land("deposit", lambda: actions.deposit_usdc(client, 1_000 * USDC))
    await trader.makers_quoting()
    order = order_actions.place_perp_order(
        client, market_index=0, direction=Direction.LONG, order_type=OrderType.MARKET, base_amount=SOL,
        user_order_id=5, max_ts=int(time.time()) + 2, auction_start_price=148 * USDC,
        auction_end_price=149 * USDC, auction_duration=10,
    )  # fmt: skip
    await trader.land("place_order", order)
    resting = order_with(trader, 5)
    assert variant(resting.order_type) == "Market" and resting.auction_end_price == 149 * USDC
    await until(lambda: trader.user.get_open_orders() == [], timeout=8, what="expiry")
    assert trader.base() == 0


async def test_market_order_fills_then_close_settle_and_withdraw_to_zero(trader):
    client = trader.client
    await trader.open_account()
    await trader.land("deposit", lambda: actions.deposit_usdc(client, 1_000 * USDC))
    await trader.makers_quoting()
    market = order_actions.place_perp_order(
        client, market_index=0, direction=Direction.LONG, order_type=OrderType.MARKET, base_amount=2 * SOL,
        user_order_id=6, auction_start_price=ORACLE, auction_end_price=151 * USDC, auction_duration=5,
    )  # fmt: skip
    await trader.land("place_order", market)
    await until(lambda: trader.base() == 2 * SOL, what="fill")
    with pytest.raises(RektError, match="no open position in perp market 1"):
        order_actions.close_position(client, 1, user_order_id=7)

    await trader.land("close", order_actions.close_position(client, 0, user_order_id=7))
    await until(lambda: trader.base() == 0, what="close")
    loss = trader.user.get_perp_position(0).quote_asset_amount
    assert -4 * USDC < loss < 0  # the spread and two taker fees
    await trader.land("settle_pnl", actions.settle_pnl(client, 0))
    assert trader.user.get_perp_position(0) is None
    assert trader.user.get_token_amount(0) == 1_000 * USDC + loss

    everything = trader.user.get_token_amount(0)
    ata = client.get_associated_token_account_public_key(0)
    await trader.land("withdraw", lambda: actions.withdraw(client, 0, everything))
    assert trader.user.get_token_amount(0) == 0
    assert await trader.tokens(ata) == 1_000 * USDC + everything
    with pytest.raises(RektError, match="no USDC deposit in Drift to withdraw"):
        await actions.withdraw(client, 0, USDC)


async def test_trigger_order_fires_when_the_oracle_crosses(trader):
    client = trader.client
    await trader.open_account()
    await trader.land("deposit", lambda: actions.deposit_usdc(client, 1_000 * USDC))
    await trader.makers_quoting()
    stop = OrderRequest(
        SOL_PERP, Direction.LONG, OrderKind.STOP_MARKET, SOL, price=None, trigger_price=152 * USDC,
        trigger_condition=TriggerCondition.ABOVE, reduce_only=False, post_only=False,
        max_ts=int(time.time()) + 60, user_order_id=8,
    )  # fmt: skip
    with pytest.raises(RektError, match="SOL is not a perp market"):
        spot = replace(SOL_PERP, symbol="SOL", market_type=MarketType.SPOT)
        order_actions.place_order(client, replace(stop, market=spot))
    await trader.land("place_order", order_actions.place_order(client, stop))
    assert trader.base() == 0 and order_with(trader, 8) is not None
    await trader.admin.call("rekt_setOraclePrice", ["SOL-PERP", "153"])
    await until(lambda: trader.base() == SOL, what="trigger fill")


async def test_sol_collateral_loss_is_repaid_by_selling_sol_then_everything_leaves(trader):
    client = trader.client
    await trader.open_account()
    await trader.land("deposit", lambda: actions.deposit_sol(client, 5 * SOL))
    await trader.makers_quoting()
    buy = order_actions.place_perp_order(
        client, market_index=0, direction=Direction.LONG, order_type=OrderType.MARKET, base_amount=10 * SOL,
        user_order_id=9, auction_start_price=ORACLE, auction_end_price=151 * USDC, auction_duration=5,
    )  # fmt: skip
    await trader.land("place_order", buy)
    await until(lambda: trader.base() == 10 * SOL, what="fill")
    await trader.land("close", order_actions.close_position(client, 0, user_order_id=10))
    await until(lambda: trader.base() == 0, what="close")
    await trader.land("settle_pnl", actions.settle_pnl(client, 0))
    borrow = -trader.user.get_token_amount(0)
    assert 0 < borrow < 10 * USDC

    # Enough SOL, in 0.01 SOL steps, that its sale at 149 covers the borrow with 2% to spare for the fee.
    step = SOL // 100
    size = -(-(-(-borrow * SOL * 102 // (100 * 149 * USDC))) // step) * step
    assert size % (SOL // 100) == 0 and size * 149 * USDC // SOL > borrow
    await until(lambda: len(maker_orders(trader.chain, 1, spot=True)) == 2 * len(LEVELS), what="spot makers")
    makers = await trader.top_makers()
    sale = lambda: order_actions.sell_sol_for_usdc(  # noqa: E731
        client, size, user_order_id=11, min_price=149 * USDC, makers=makers
    )
    await trader.land("sell_sol", sale)
    assert trader.user.get_token_amount(0) >= 0
    assert trader.user.get_token_amount(1) == 5 * SOL - size

    wallet = client.wallet.public_key
    before = await trader.lamports(wallet)
    await trader.land("withdraw", lambda: actions.withdraw(client, 0, trader.user.get_token_amount(0)))
    sol_left = trader.user.get_token_amount(1)
    await trader.land("withdraw", lambda: actions.withdraw(client, 1, sol_left))
    assert (trader.user.get_token_amount(0), trader.user.get_token_amount(1)) == (0, 0)
    assert await trader.lamports(wallet) == before + sol_left - 2 * trader.signer.fee

    destination = Keypair().pubkey()
    usdc = await trader.tokens(client.get_associated_token_account_public_key(0))
    held = await trader.lamports(wallet)
    sweep = lambda: actions.sweep_wallet(client, destination, fee=trader.signer.fee)  # noqa: E731
    await trader.land("sweep", sweep, changes_user=False)
    assert await trader.lamports(wallet) == 0
    # The destination's new USDC account costs the rent the session's closed one gives back.
    assert await trader.lamports(destination) == held - trader.signer.fee
    mint = client.get_spot_market_account(0).mint
    assert await trader.tokens(get_associated_token_address(destination, mint)) == usdc > 0
    assert await trader.tokens(client.get_associated_token_account_public_key(0)) is None
    with pytest.raises(RektError, match="not enough to pay for sweeping it"):
        await actions.sweep_wallet(client, destination, fee=trader.signer.fee)


def test_sign_v0_puts_the_compute_budget_first_and_compiles_against_the_lookup_tables():
    payer, recipient = Keypair(), Keypair().pubkey()
    table = AddressLookupTableAccount(Keypair().pubkey(), [recipient])
    pay = transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=recipient, lamports=1))
    wire = sign_v0([pay], payer, str(Hash.default()), [table], compute_unit_limit=50_000, compute_unit_price=3)
    tx = VersionedTransaction.from_bytes(wire)
    message = tx.message
    programs = [str(message.account_keys[ix.program_id_index]) for ix in message.instructions]
    assert programs == [COMPUTE_BUDGET, COMPUTE_BUDGET, "11111111111111111111111111111111"]
    assert [lookup.account_key for lookup in message.address_table_lookups] == [table.key]
    assert tx.verify_with_results() == [True]
    assert transaction_fee(50_000, 3) == 5_000 + 1  # 150,000 micro-lamports, rounded up
    assert transaction_fee(600_000, 0) == 5_000
