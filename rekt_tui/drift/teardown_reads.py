"""Chain reads the teardown and launch reconciliation need beyond the gateway's snapshots.

The account snapshot lists only perp positions with a base amount, but a closed
position keeps its realized PnL in the same slot until it is settled, and that PnL is
exposure the teardown must settle and reconciliation must report. So the account is
read slot by slot here, and converted into our models on the way out.
"""

from dataclasses import dataclass

import aiohttp
from driftpy.decode.utils import decode_name
from solders.pubkey import Pubkey

from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.records import MarketType
from rekt_tui.domain.teardown import DUST_COLLATERAL
from rekt_tui.domain.trading import Order, Position
from rekt_tui.drift.actions import sweep_wallet
from rekt_tui.drift.client import Endpoint
from rekt_tui.drift.gateway import DriftGateway
from rekt_tui.drift.snapshots import SOL_SPOT_MARKET_INDEX, order, position, variant

TOP_MAKERS = 4  # makers named in a place-and-take: enough depth, few accounts


@dataclass(frozen=True)
class DriftHoldings:
    """Everything a Drift account still holds, in Drift's precisions; empty when it has no account."""

    slot: int
    orders: tuple[Order, ...] = ()
    positions: tuple[Position, ...] = ()
    unsettled_pnl: dict[int, int] | None = None  # perp market -> quote (1e6) realized but not settled
    spot_balances: dict[int, int] | None = None  # spot market -> token amount, negative for a borrow
    total_collateral: int = 0  # quote (1e6)

    @property
    def holds_anything(self) -> bool:
        """Exposure or funds inside Drift; collateral below $0.10 (dust) counts as nothing."""
        return bool(
            self.orders or self.positions or any((self.unsettled_pnl or {}).values())
            or any(amount < 0 for amount in (self.spot_balances or {}).values())
            or self.total_collateral >= DUST_COLLATERAL
        )  # fmt: skip


def read_holdings(gateway: DriftGateway) -> DriftHoldings:
    """What the gateway's subscribed account holds now (no Drift account: nothing)."""
    client = gateway.drift_client
    user = client.users.get(client.active_sub_account_id)
    loaded = user.get_user_account_and_slot() if user is not None else None
    if loaded is None:
        return DriftHoldings(slot=0, unsettled_pnl={}, spot_balances={})
    account = loaded.data
    return DriftHoldings(
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


def sol_spot_spec(gateway: DriftGateway) -> MarketSpec:
    """The SOL/USDC spot market's trading rules, as the program checks them."""
    market = gateway.drift_client.get_spot_market_account(SOL_SPOT_MARKET_INDEX)
    symbol = decode_name(market.name).strip()
    return MarketSpec(
        symbol=symbol, market_type=MarketType.SPOT, market_index=SOL_SPOT_MARKET_INDEX, base_symbol=symbol,
        tick_size=market.order_tick_size, step_size=market.order_step_size, min_order_size=market.min_order_size,
        base_decimals=market.decimals,
    )  # fmt: skip


def perp_tick_size(gateway: DriftGateway, market_index: int) -> int:
    return gateway.drift_client.get_perp_market_account(market_index).amm.order_tick_size


def sol_oracle_price(gateway: DriftGateway) -> int:
    return gateway.drift_client.get_oracle_price_data_for_spot_market(SOL_SPOT_MARKET_INDEX).price


def read_only_gateway(endpoint: Endpoint, authority: str, *, ws_url: str, stale_after_s: float) -> DriftGateway:
    """A gateway that reads `authority`'s account without its key (a locked keystore, K3)."""
    return DriftGateway(endpoint, authority=Pubkey.from_string(authority), ws_url=ws_url, stale_after_s=stale_after_s)


async def top_sol_bidders(dlob_url: str) -> list[Pubkey]:
    """The User accounts bidding for SOL on the spot market, best first (DLOB `/topMakers`):
    a place-and-take sale fills only against makers it names. None found: an empty list,
    and the sale then fills nothing, which the teardown sees on its next read."""
    url = f"{dlob_url.rstrip('/')}/topMakers"
    query = {"marketIndex": str(SOL_SPOT_MARKET_INDEX), "marketType": "spot", "side": "bid", "limit": str(TOP_MAKERS)}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            async with session.get(url, params=query) as response:
                response.raise_for_status()
                return [Pubkey.from_string(maker) for maker in await response.json()]
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return []


async def sweep_wallet_to(client, address: str, *, fee: int) -> list:
    """`actions.sweep_wallet` to a base58 address (the services never hold solders keys)."""
    return await sweep_wallet(client, Pubkey.from_string(address), fee=fee)
