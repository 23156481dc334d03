"""A scripted session on a live localnet, and an independent reading of what the chain holds.

The session buys as a taker against the localnet's makers, sells as a maker to a second
session, pays funding over a cranked funding period, closes part of its position, is
stopped out by an oracle move, settles its PnL and withdraws part of its collateral.
`chain_truth` then reads the chain without our history reader: raw JSON-RPC, the program's
events on the logs (Drift: anchorpy's event coder; the relaunch: the pinned IDL's codec, as
no other decoder of its format exists here), and the User account's own counters.
"""

import asyncio
import base64
import time
from dataclasses import dataclass, replace
from importlib import resources
from types import SimpleNamespace

from anchorpy.coder.event import EventCoder
from anchorpy_core.idl import Idl
from driftpy.addresses import (
    get_perp_market_public_key,
    get_spot_market_public_key,
    get_user_stats_account_public_key,
)
from solders.pubkey import Pubkey
from driftpy.decode.user import decode_user

from rekt_localnet.encoding import decode_account, encode_account
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.markets import PERP_MARKETS
from rekt_localnet.programs.drift.spot import token_amount
from rekt_localnet.programs.velocity import balances as velocity_balances
from rekt_localnet.programs.velocity import codec as velocity_codec
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.services.landing import land, open_session
from rekt_tui.services.link import SessionLink
from rekt_tui.services.models import OrderForm
from rekt_tui.services.orders import OrderService
from rekt_tui.services.session import SessionService
from tests.services.test_orders_service import Desk, until

SOL = 10**9
USDC = 10**6
BASE_PRECISION = 10**9
SOL_DEPOSITED = 2 * SOL // 10  # play's SOL collateral
SOL_WITHDRAWN = 5 * SOL // 100
VENUES = ["drift", "velocity"]


async def base_of(link: SessionLink) -> int:
    await link.venue.refresh_account()
    snapshot = link.venue.snapshot()
    return sum(p.base_amount for p in snapshot.positions if p.market_index == 0) if snapshot else 0


async def wait_base(link: SessionLink, size: int, what: str) -> None:
    async def reached() -> bool:
        return await base_of(link) == size

    await until(reached, timeout=30, what=what)


async def open_counterparty(desk: Desk) -> SessionLink:
    session = await (await desk.services.wallets()).create(label="counterparty")
    link = await open_session(desk.services, session.pubkey)
    setup = SessionService(link)
    quote = desk.services.settings.labels.quote  # USDC on Drift, USDT on Velocity
    await setup.airdrop("1", "SOL")
    await setup.airdrop("1000", quote)
    await setup.initialize()
    await setup.deposit("1000", quote)
    await setup.choose_strategy("balanced")
    await setup.start_trading()
    return link


def _velocity_market_key() -> Pubkey:
    return velocity_codec.program().pdas.perp_market(PERP_MARKETS[0].market_index)


def _crank_funding(desk: Desk, venue: str) -> int:
    """Make the SOL-PERP market believe a funding period has passed; returns its last funding ts."""
    if venue == "velocity":
        key = _velocity_market_key()
        account = desk.chain.ledger.get(key)
        market = velocity_codec.decode("PerpMarket", account.data)
        market["last_funding_rate_ts"] -= market["market_stats"]["funding_period"]
        desk.chain.ledger.put(key, replace(account, data=velocity_codec.encode("PerpMarket", market)))
        return market["last_funding_rate_ts"]
    key = get_perp_market_public_key(DRIFT_PROGRAM_ID, PERP_MARKETS[0].market_index)
    account = desk.chain.ledger.get(key)
    market = decode_account(account.data)
    market.amm.last_funding_rate_ts -= market.amm.funding_period
    desk.chain.ledger.put(key, replace(account, data=encode_account("PerpMarket", market)))
    return market.amm.last_funding_rate_ts


def _funding_ts(desk: Desk, venue: str) -> int:
    if venue == "velocity":
        market = velocity_codec.decode("PerpMarket", desk.chain.ledger.get(_velocity_market_key()).data)
        return market["last_funding_rate_ts"]
    key = get_perp_market_public_key(DRIFT_PROGRAM_ID, PERP_MARKETS[0].market_index)
    return decode_account(desk.chain.ledger.get(key).data).amm.last_funding_rate_ts


async def play(desk: Desk, venue: str) -> None:
    """The scripted session: SOL collateral in, taker, maker, funding, partial close, stop
    order, settle, withdraw (USDC and part of the SOL)."""
    await desk.setup.deposit("0.2", "SOL")
    orders = OrderService(desk.link)
    await orders.place(OrderForm("SOL-PERP", "buy", "1"))
    await wait_base(desk.link, SOL, "taker fill")

    oracle = next(m.oracle_price for m in desk.link.venue.markets() if m.market_index == 0)
    ask = (oracle * 10002 // 10000 // 10_000 + 1) * 10_000  # 2 bps up, inside the makers' 5 bps
    await orders.place(OrderForm("SOL-PERP", "sell", "0.4", kind="limit", price=f"{ask / USDC}", post_only=True))
    counter = await open_counterparty(desk)
    try:
        await OrderService(counter).place(OrderForm("SOL-PERP", "buy", "0.4"))
        await wait_base(desk.link, 6 * SOL // 10, "maker fill")
    finally:
        await counter.close()

    before = _crank_funding(desk, venue)

    async def cranked() -> bool:
        return _funding_ts(desk, venue) > before + 1

    await until(cranked, timeout=30, what="funding crank")
    await orders.place(OrderForm("SOL-PERP", "sell", "0.2", reduce_only=True))
    await wait_base(desk.link, 4 * SOL // 10, "partial close")

    trigger = oracle - USDC
    await orders.place(OrderForm("SOL-PERP", "sell", "0.4", kind="stop-market", trigger=f"{trigger / USDC}",
                                 reduce_only=True))  # fmt: skip
    await desk.admin.call("rekt_setOraclePrice", ["SOL-PERP", str((trigger - USDC) / USDC)])
    await wait_base(desk.link, 0, "stop fill")

    await land(desk.link, "settle_pnl", {}, desk.link.venue.settle_pnl([0]))
    await land(desk.link, "withdraw", {}, desk.link.venue.withdraw(0, 100 * USDC))
    await land(desk.link, "withdraw", {}, desk.link.venue.withdraw(1, SOL_WITHDRAWN))
    await finalized(desk)


async def finalized(desk: Desk) -> None:
    """Wait until everything landed so far is finalized (history reads finalized only)."""
    slot = desk.chain.ledger.slot
    deadline = time.monotonic() + 10
    while desk.chain.ledger.slot <= slot + 1:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)


@dataclass(frozen=True)
class ChainTruth:
    events: list[tuple[str, int, str, object]]  # (signature, index among Drift events, name, data)
    user: object  # the decoded User account
    quote_balance: int


@dataclass(frozen=True)
class WalletTruth:
    """The wallet as the chain shows it: the fees of transactions it paid (meta.fee), the
    rent its Drift User and UserStats accounts hold, and its balance now."""

    fees: int
    paid: int  # transactions it paid for, failed ones included
    rent: int
    balance: int


async def wallet_truth(rpc_url: str, wallet: str, user: str, venue: str) -> WalletTruth:
    rpc = JsonRpc(rpc_url)
    try:
        listed = await rpc.call("getSignaturesForAddress", [wallet, {"limit": 1000}])
        fees = paid = 0
        for entry in listed:
            tx = await rpc.call("getTransaction", [entry["signature"], {"maxSupportedTransactionVersion": 0}])
            if tx["transaction"]["message"]["accountKeys"][0] == wallet:
                fees += tx["meta"]["fee"]
                paid += 1
        owner = Pubkey.from_string(wallet)
        if venue == "velocity":  # the account, and the referral escrow the relaunch pays through
            pdas = velocity_codec.program().pdas
            opened = [user, str(pdas.user_stats(owner)), str(pdas.revenue_share_escrow(owner))]
        else:
            opened = [user, str(get_user_stats_account_public_key(DRIFT_PROGRAM_ID, owner))]
        rent = 0
        for address in opened:
            rent += (await rpc.call("getAccountInfo", [address, {"encoding": "base64"}]))["value"]["lamports"]
        balance = (await rpc.call("getBalance", [wallet]))["value"]
    finally:
        await rpc.close()
    return WalletTruth(fees, paid, rent, balance)


def _coder() -> EventCoder:
    return EventCoder(Idl.from_json(resources.files("driftpy").joinpath("idl/drift.json").read_text()))


def _namespace(value: object) -> object:
    """A decoded relaunch value read by attribute, as anchorpy's and driftpy's are."""
    if isinstance(value, dict):
        return SimpleNamespace(**{name: _namespace(item) for name, item in value.items()})
    if isinstance(value, list):
        return [_namespace(item) for item in value]
    return value


async def _account_data(rpc: JsonRpc, key: str) -> bytes:
    info = await rpc.call("getAccountInfo", [key, {"encoding": "base64"}])
    return base64.b64decode(info["value"]["data"][0])


async def chain_truth(rpc_url: str, user: str, venue: str) -> ChainTruth:
    rpc = JsonRpc(rpc_url)
    velocity = velocity_codec.program() if venue == "velocity" else None
    coder = _coder() if velocity is None else None
    try:
        listed = await rpc.call("getSignaturesForAddress", [user, {"limit": 1000}])
        events = []
        for entry in reversed(listed):
            tx = await rpc.call("getTransaction", [entry["signature"], {"maxSupportedTransactionVersion": 0}])
            if tx["meta"]["err"] is not None:
                continue
            if velocity is not None:  # the order-book program logs too: only the program's own frames
                for index, event in enumerate(velocity.events.from_logs(tx["meta"]["logMessages"])):
                    events.append((entry["signature"], index, event.name, _namespace(event.fields)))
                continue
            index = 0
            for line in tx["meta"]["logMessages"]:
                if line.startswith("Program data: "):  # only Drift logs events in these transactions
                    event = coder.parse(base64.b64decode(line.removeprefix("Program data: ")))
                    events.append((entry["signature"], index, event.name, event.data))
                    index += 1
        if velocity is not None:
            raw = velocity.accounts.decode("User", await _account_data(rpc, user))
            quote = velocity.accounts.decode("SpotMarket", await _account_data(rpc, str(velocity.pdas.spot_market(0))))
            held = [p for p in raw["spot_positions"] if p["market_index"] == 0 and p["scaled_balance"]]
            balance = velocity_balances.token_amount(held[0], quote) if held else 0  # the program's own arithmetic
            return ChainTruth(events, _namespace(raw), balance)
        account = decode_user(await _account_data(rpc, user))
        market = decode_account(await _account_data(rpc, str(get_spot_market_public_key(DRIFT_PROGRAM_ID, 0))))
    finally:
        await rpc.close()
    usdc = [p for p in account.spot_positions if p.market_index == 0 and p.scaled_balance]
    balance = token_amount(usdc[0], market) if usdc else 0  # the program's own arithmetic; none once withdrawn
    return ChainTruth(events, account, balance)
