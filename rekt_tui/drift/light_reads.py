"""A session's Drift account read for a command that only reads, without driftpy.

`status` runs in scripts' loops: loading driftpy and connecting its client costs more than
the whole command should. This reads what the status shows in three batched JSON-RPC
posts over one HTTP connection of the standard library (the account, its stats, the
exchange state, the wallet and the rent in the first; every market in the second; their
oracles in the third), decodes the fields at fixed offsets (`light_layout`) and computes
the figures as driftpy does (`light_margin`). `LightVenue` answers the few reads of the
venue seam the status makes; an account this mirror does not cover raises `LightReadUnsupported`.
"""

import asyncio
import base64
import http.client
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from solders.pubkey import Pubkey

from rekt_tui.domain.errors import LightReadUnsupported, RektError
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.records import BalanceSnapshot, MarketType, PositionSnapshot
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.drift import light_layout as layout
from rekt_tui.drift.fees import DEFAULT_COMPUTE_UNIT_LIMIT, transaction_fee
from rekt_tui.drift.light_margin import Chain, LightUser, snapshot
from rekt_tui.drift.retry import RETRY_STATUSES, with_retries
from rekt_tui.drift.rpc import RpcTransportError

TIMEOUT_S = 10.0
STATE_MARKETS_AT, STATE_SPOT_MARKETS_AT = 966, 968
ORACLE_FREE_SOURCES = {"QuoteAsset": 1_000_000}  # driftpy prices these without an account
DECODED_SOURCES = {"Prelaunch"}


class Rpc:
    """JSON-RPC posts over one keep-alive connection of the standard library."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        connection = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self._connection = connection(parts.netloc, timeout=TIMEOUT_S)
        self._path = parts.path or "/"

    def batch(self, calls: list[tuple[str, list]]) -> list:
        body = json.dumps([{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)])
        self._connection.request("POST", self._path, body, {"Content-Type": "application/json"})
        response = self._connection.getresponse()
        payload = response.read()
        if response.status in RETRY_STATUSES:  # `with_retries` waits and tries the whole read again
            retry_after = response.getheader("Retry-After")
            hinted = float(retry_after) if retry_after and retry_after.isdigit() else None
            raise RpcTransportError(f"HTTP {response.status}", status=response.status, retry_after_s=hinted)
        if response.status != 200:
            raise RektError(f"The RPC node answered HTTP {response.status} to a read; check rpc_url for this cluster.")
        answers = sorted(json.loads(payload), key=lambda a: a["id"])
        for answer in answers:
            if "error" in answer:
                raise RektError(f"The RPC node refused a read: {answer['error'].get('message', answer['error'])}.")
        return [a["result"] for a in answers]

    def close(self) -> None:
        self._connection.close()


def _accounts(calls: list[str]) -> tuple[str, list]:
    return "getMultipleAccounts", [calls, {"encoding": "base64", "commitment": "confirmed"}]


def _data(account: dict | None) -> bytes | None:
    return None if account is None else base64.b64decode(account["data"][0])


def _pda(program: Pubkey, *seeds: bytes) -> str:
    return str(Pubkey.find_program_address(list(seeds), program)[0])


@dataclass(frozen=True)
class Read:
    slot: int
    wallet_lamports: int
    rent_lamports: int
    referrer: str | None
    chain: Chain | None  # None without a Drift account


def read_account(config: VenueConfig, authority: str) -> Read:
    program, wallet = Pubkey.from_string(config.program_id), Pubkey.from_string(authority)
    rpc = Rpc(config.rpc_url)
    try:
        user_key = _pda(program, b"user", bytes(wallet), (0).to_bytes(2, "little"))  # sub-account 0
        stats_key = _pda(program, b"user_stats", bytes(wallet))
        accounts, user_rent, stats_rent = rpc.batch([
            _accounts([user_key, stats_key, _pda(program, b"drift_state"), authority]),
            ("getMinimumBalanceForRentExemption", [layout.USER_ACCOUNT_SIZE]),
            ("getMinimumBalanceForRentExemption", [layout.USER_STATS_ACCOUNT_SIZE]),
        ])  # fmt: skip
        user, stats, state, owner = accounts["value"]
        lamports = 0 if owner is None else owner["lamports"]
        read = Read(accounts["context"]["slot"], lamports, user_rent + stats_rent, None, None)
        user_data, state_data = _data(user), _data(state)
        if user_data is None or state_data is None:
            return read
        stats_data = _data(stats)
        referrer = None if stats_data is None else layout.decode_user_stats_referrer(stats_data)
        return Read(read.slot, lamports, read.rent_lamports, None if referrer == str(Pubkey.default()) else referrer,
                    _chain(rpc, program, layout.decode_user(user_data), state_data))  # fmt: skip
    finally:
        rpc.close()


def _chain(rpc: Rpc, program: Pubkey, user: layout.User, state: bytes) -> Chain:
    perps = int.from_bytes(state[STATE_MARKETS_AT : STATE_MARKETS_AT + 2], "little")
    spots = int.from_bytes(state[STATE_SPOT_MARKETS_AT : STATE_SPOT_MARKETS_AT + 2], "little")
    keys = [_pda(program, b"perp_market", i.to_bytes(2, "little")) for i in range(perps)]
    keys += [_pda(program, b"spot_market", i.to_bytes(2, "little")) for i in range(spots)]
    [markets] = rpc.batch([_accounts(keys)])
    found = [_data(account) for account in markets["value"]]
    perp_markets = {m.market_index: m for m in map(layout.decode_perp_market, filter(None, found[:perps]))}
    spot_markets = {m.market_index: m for m in map(layout.decode_spot_market, filter(None, found[perps:]))}
    sources = {m.oracle: m.oracle_source for m in perp_markets.values()}
    sources.update({m.oracle: m.oracle_source for m in spot_markets.values()})
    unknown = {source for source in sources.values() if source not in DECODED_SOURCES | ORACLE_FREE_SOURCES.keys()}
    if unknown:
        raise LightReadUnsupported(f"oracle source {sorted(unknown)[0]}")
    oracles = sorted(key for key, source in sources.items() if source in DECODED_SOURCES)
    [answer] = rpc.batch([_accounts(oracles)])
    prices: dict[str, int] = {}
    for key, account in zip(oracles, answer["value"], strict=True):
        data = _data(account)
        if data is None:
            raise RektError(f"Oracle account {key} was not found; try again in a moment.")
        prices[key] = layout.decode_prelaunch_price(data)

    def price(market: layout.PerpMarket | layout.SpotMarket) -> int:
        return ORACLE_FREE_SOURCES.get(market.oracle_source) or prices[market.oracle]

    return Chain(
        user, perp_markets, spot_markets, {i: price(m) for i, m in perp_markets.items()},
        {i: price(m) for i, m in spot_markets.items()},
    )  # fmt: skip


# A perp position as the registry records it: market, base, quote entry, quote break-even, uPnL.
HeldPosition = tuple[int, int, int, int, int]


def balance_record(
    session_pubkey: str, snapshot: AccountSnapshot, wallet_lamports: int, held: list[HeldPosition]
) -> BalanceSnapshot:
    """The registry's record of one account read, with every perp position it holds (the
    break-even quote only the raw position carries), whichever path read it."""
    liquidation = {p.market_index: p.liquidation_price for p in snapshot.positions}
    positions = tuple(
        PositionSnapshot(
            market_index=index, base_amount=base, quote_entry_amount=entry, quote_break_even_amount=break_even,
            unrealized_pnl_quote=pnl, liquidation_price=liquidation.get(index),
        )
        for index, base, entry, break_even, pnl in held
    )  # fmt: skip
    return BalanceSnapshot(
        session_pubkey=session_pubkey, taken_at=snapshot.received_at, slot=snapshot.slot, sol_lamports=wallet_lamports,
        total_collateral_quote=snapshot.total_collateral, free_collateral_quote=snapshot.free_collateral,
        unrealized_pnl_quote=snapshot.unrealized_pnl, usdc_spot_amount=snapshot.usdc_amount,
        sol_spot_amount=snapshot.sol_amount, positions=positions,
    )  # fmt: skip


class LightVenue:
    """The reads of the venue seam (`services.venue.Venue`) a status makes, from one `Read`."""

    def __init__(self, authority: str, read: Read) -> None:
        self.authority = authority
        self._read = read
        self._snapshot = None if read.chain is None else snapshot(read.chain, read.slot, datetime.now(UTC))
        self.fee = transaction_fee(DEFAULT_COMPUTE_UNIT_LIMIT, 0)  # what `TransactionSigner` signs with

    def snapshot(self) -> AccountSnapshot | None:
        return self._snapshot

    def account_slot(self) -> int | None:
        return None if self._snapshot is None else self._read.slot

    async def wallet_lamports(self) -> int:
        return self._read.wallet_lamports

    async def referrer(self) -> str | None:
        return self._read.referrer

    async def account_rent_lamports(self) -> int:
        return self._read.rent_lamports

    def referral_setup(self) -> None:
        return None  # Drift pays the referrer UserStats records

    def market_specs(self) -> dict[str, MarketSpec]:
        chain = self._read.chain
        markets = [] if chain is None else sorted(chain.perp_markets.values(), key=lambda m: m.market_index)
        return {
            m.name: MarketSpec(
                symbol=m.name, market_type=MarketType.PERP, market_index=m.market_index, base_symbol=m.name.split("-")[0],
                tick_size=m.order_tick_size, step_size=m.order_step_size, min_order_size=m.min_order_size,
            )
            for m in markets
        }  # fmt: skip

    def balance_record(self, session_pubkey: str, wallet_lamports: int) -> BalanceSnapshot | None:
        snap, chain = self._snapshot, self._read.chain
        if snap is None or chain is None:
            return None
        user = LightUser(chain)
        held = [
            (p.market_index, p.base_asset_amount, p.quote_entry_amount, p.quote_break_even_amount,
             int(user.get_unrealized_pnl(p.market_index)))
            for p in chain.user.perp_positions
            if p.base_asset_amount != 0 or p.quote_asset_amount != 0
        ]  # fmt: skip
        return balance_record(session_pubkey, snap, wallet_lamports, held)

    async def close(self) -> None:
        return None


async def open_light_venue(config: VenueConfig, authority: str) -> LightVenue:
    """Read `authority`'s Drift account once (a 429, 5xx or dropped connection retried as every
    read is); raises `LightReadUnsupported` for what the mirror does not cover."""
    read = await with_retries(lambda: asyncio.to_thread(read_account, config, authority), "reading the Drift account")
    return LightVenue(authority, read)
