"""Chain reads the teardown and launch reconciliation need beyond the gateway's snapshots.

The account snapshot lists only perp positions with a base amount, but a closed
position keeps its realized PnL in the same slot until it is settled, and that PnL is
exposure the teardown must settle and reconciliation must report. So the account is
read slot by slot here, and converted into our models on the way out.
"""

import aiohttp
from driftpy.decode.utils import decode_name
from driftpy.drift_client import DriftClient
from solders.pubkey import Pubkey

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.records import MarketType
from rekt_tui.domain.venue import Holdings
from rekt_tui.drift.snapshots import order, position, variant

TOP_MAKERS = 4  # makers named in a place-and-take: enough depth, few accounts


def read_holdings(client: DriftClient) -> Holdings:
    """What the client's subscribed account holds now (no Drift account: nothing)."""
    user = client.users.get(client.active_sub_account_id)
    loaded = user.get_user_account_and_slot() if user is not None else None
    if user is None or loaded is None:
        return Holdings(slot=0)
    account = loaded.data
    return Holdings(
        slot=loaded.slot,
        orders=tuple(order(o) for o in account.orders if variant(o.status) == "Open"),
        positions=tuple(position(user, p) for p in account.perp_positions if p.base_asset_amount != 0),
        unsettled_pnl={
            p.market_index: p.quote_asset_amount
            for p in account.perp_positions
            if p.base_asset_amount == 0 and p.quote_asset_amount != 0
        },
        spot_balances={
            p.market_index: user.get_token_amount(p.market_index) for p in account.spot_positions if p.scaled_balance
        },
        total_collateral=int(user.get_total_collateral()),
    )


def spot_spec(client: DriftClient, market_index: int) -> MarketSpec:
    """A spot market's trading rules, as the program checks them."""
    market = client.get_spot_market_account(market_index)
    if market is None:
        raise RektError(f"Spot market {market_index} does not exist on this cluster.")
    symbol = decode_name(market.name).strip()
    return MarketSpec(
        symbol=symbol, market_type=MarketType.SPOT, market_index=market_index, base_symbol=symbol,
        tick_size=market.order_tick_size, step_size=market.order_step_size, min_order_size=market.min_order_size,
        base_decimals=market.decimals,
    )  # fmt: skip


async def top_bidders(dlob_url: str, market_index: int) -> list[Pubkey]:
    """The User accounts bidding on a spot market, best first (DLOB `/topMakers`): a
    place-and-take sale fills only against makers it names. None found: an empty list,
    and the sale then fills nothing, which the teardown sees on its next read."""
    url = f"{dlob_url.rstrip('/')}/topMakers"
    query = {"marketIndex": str(market_index), "marketType": "spot", "side": "bid", "limit": str(TOP_MAKERS)}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            async with session.get(url, params=query) as response:
                response.raise_for_status()
                return [Pubkey.from_string(maker) for maker in await response.json()]
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return []
