"""Chain reads the session and order services need beyond the gateway's snapshots.

Each converts driftpy's types into ours on the way out, so the services stay free of
driftpy: perp markets become `MarketSpec`s (tick, step and sizes as the program checks
them), the wallet's USDC and the rent a new Drift account costs become integers.
"""

from datetime import datetime

from driftpy.drift_client import DriftClient
from driftpy.decode.utils import decode_name
from solders.instruction import Instruction
from solders.pubkey import Pubkey

from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.records import BalanceSnapshot, MarketRecord, MarketType
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.drift.actions import drift_user, initialize_account
from rekt_tui.drift.light_layout import USER_ACCOUNT_SIZE, USER_STATS_ACCOUNT_SIZE
from rekt_tui.drift.light_reads import balance_record
from rekt_tui.drift.snapshots import snake, variant

PERP_DECIMALS = 9  # base amounts of every perp


def perp_market_specs(client: DriftClient) -> dict[str, MarketSpec]:
    """Every subscribed perp market's trading rules, by symbol ("SOL-PERP")."""
    specs = {}
    for market in client.get_perp_market_accounts():
        symbol = decode_name(market.name).strip()
        amm = market.amm
        specs[symbol] = MarketSpec(
            symbol=symbol,
            market_type=MarketType.PERP,
            market_index=market.market_index,
            base_symbol=symbol.split("-")[0],
            tick_size=amm.order_tick_size,
            step_size=amm.order_step_size,
            min_order_size=amm.min_order_size,
        )
    return specs


def market_records(client: DriftClient, cluster: str, at: datetime) -> list[MarketRecord]:
    """Every subscribed perp and spot market as the registry keeps it: names for what the
    records and orders refer to by index, even once the session is archived."""
    perps = [
        MarketRecord(
            cluster, MarketType.PERP, m.market_index, decode_name(m.name).strip(), str(m.amm.oracle),
            snake(variant(m.status)), PERP_DECIMALS, m.amm.order_tick_size, m.amm.order_step_size,
            m.amm.min_order_size, at, m.paused_operations,
        )  # fmt: skip
        for m in client.get_perp_market_accounts()
    ]
    spots = [
        MarketRecord(
            cluster, MarketType.SPOT, m.market_index, decode_name(m.name).strip(), str(m.oracle),
            snake(variant(m.status)), m.decimals, max(m.order_tick_size, 1), max(m.order_step_size, 1),
            m.min_order_size, at, m.paused_operations,
        )  # fmt: skip
        for m in client.get_spot_market_accounts()
    ]
    return perps + spots


async def account_rent_lamports(client: DriftClient) -> int:
    """The rent a new User plus UserStats locks up."""
    connection = client.connection
    user = (await connection.get_minimum_balance_for_rent_exemption(USER_ACCOUNT_SIZE)).value
    stats = (await connection.get_minimum_balance_for_rent_exemption(USER_STATS_ACCOUNT_SIZE)).value
    return user + stats


async def load_user_stats(client: DriftClient) -> None:
    """Fetch the authority's UserStats once (fee tier and referee discount in previews);
    it must exist, i.e. the Drift account is initialized."""
    await client.add_user_stats(client.authority)


def user_slot(client: DriftClient) -> int | None:
    """The slot of the Drift account as the subscription last saw it; None without one."""
    user = client.users.get(client.active_sub_account_id)
    data = user.get_user_account_and_slot() if user is not None else None
    return None if data is None else data.slot


async def initialize_with_referrer(client: DriftClient, referrer: str | None) -> list[Instruction]:
    """`actions.initialize_account` for a referrer given as base58 text (from settings)."""
    return await initialize_account(client, Pubkey.from_string(referrer) if referrer else None)


def balance_snapshot(
    client: DriftClient, session_pubkey: str, snapshot: AccountSnapshot, wallet_lamports: int
) -> BalanceSnapshot:
    """The registry's record of one account read (`light_reads.balance_record`), from driftpy's user."""
    user = drift_user(client)
    held = [
        (p.market_index, p.base_asset_amount, p.quote_entry_amount, p.quote_break_even_amount,
         int(user.get_unrealized_pnl(True, p.market_index)))
        for p in user.get_user_account().perp_positions
        if p.base_asset_amount != 0 or p.quote_asset_amount != 0
    ]  # fmt: skip
    return balance_record(session_pubkey, snapshot, wallet_lamports, held)
