"""settle_pnl: moving a perp position's PnL into the user's USDC balance.

The position's PnL is marked at the oracle; settling moves all of it (profit or loss)
from `quote_asset_amount` into the quote spot market balance, so a loss larger than the
USDC deposit becomes a USDC borrow backed by the user's other collateral. No tokens
move: the vault's balance already holds everyone's collateral.
"""

from typing import Any

from .constants import EXCHANGE_SETTLE_PNL_PAUSED, PERP_OP_SETTLE_PNL, QUOTE_SPOT_MARKET_INDEX
from .errors import fail
from .events import emit_settle_pnl, settle_funding_recorded
from .margin import unrealized_pnl
from .positions import find_perp_position
from .spot import change_balance, position_for
from .view import DriftView


def settle_pnl(view: DriftView, user_key: Any, market_index: int) -> int:
    """Settle the user's PnL in one perp market; returns the amount settled (1e6)."""
    user = view.get(user_key, "User")
    market = view.perp_market(market_index)
    if view.state().exchange_status & EXCHANGE_SETTLE_PNL_PAUSED or market.paused_operations & PERP_OP_SETTLE_PNL:
        raise fail("MarketActionPaused", f"settling PnL in perp market {market_index} is paused")
    position = find_perp_position(user, market_index)
    if position is None:
        raise fail("UserHasNoPositionInMarket", f"no position in perp market {market_index}")
    settle_funding_recorded(view, user_key, user, position, market)
    oracle = view.oracle_price(market.amm.oracle)
    pnl = unrealized_pnl(position, oracle)
    if pnl == 0:
        view.save(user_key)  # the funding it settled
        return 0
    quote_market = view.spot_market_to_update(QUOTE_SPOT_MARKET_INDEX)
    change_balance(position_for(user, QUOTE_SPOT_MARKET_INDEX), quote_market, pnl)
    position.quote_asset_amount -= pnl
    position.settled_pnl += pnl
    user.settled_perp_pnl += pnl
    emit_settle_pnl(view, user_key, position, pnl, oracle)
    view.save(user_key)
    view.save(market.pubkey, required=False)
    return pnl
