"""`settle_pnl`: a perp position's PnL at the oracle moves into (or out of) the quote balance.

Losses go into the market's PnL pool and gains are paid from it, so the quote vault always
holds every deposit: a gain larger than the pool settles in part (the rest stays unsettled on
the position). The perp market (writable), its oracle and the quote spot market (writable)
come among the remaining accounts.
"""

from typing import Any

from .balances import change_deposit, position_for, token_amount
from .collateral import authorized_user
from .constants import QUOTE_PRECISION
from .errors import fail
from .funding import settle_funding
from .events import emit
from .margin import unrealized_pnl
from .positions import find_perp_position
from .view import VelocityView

QUOTE_SCALE = 1_000  # a quote pool's scaled balance per token unit (1e9 / 1e6)


def settle_pnl(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    index = args["market_index"]
    position = find_perp_position(user, index)
    if position is None:
        raise fail("UserHasNoPositionInMarket", f"no position in perp market {index}")
    market_key, market = view.perp_market(index)
    spot_key, quote_market = view.spot_market(0)
    price = view.oracle_price(market["oracle"])
    settle_funding(view, accounts.user, user, position, market)
    pnl = unrealized_pnl(position, price)
    pool = market["pnl_pool"]["scaled_balance"] // QUOTE_SCALE
    balance = position_for(user, 0)
    if pnl >= 0:
        settled = min(pnl, pool)
    else:
        held = token_amount(balance, quote_market)
        if held < -pnl:
            raise fail("InsufficientCollateralForSettlingPNL", f"a loss of {-pnl / QUOTE_PRECISION} exceeds the deposit")
        settled = pnl
    change_deposit(balance, quote_market, settled)
    market["pnl_pool"]["scaled_balance"] -= settled * QUOTE_SCALE
    position["quote_asset_amount"] -= settled
    position["settled_pnl"] += settled
    user["settled_perp_pnl"] += settled
    emit(
        view, "SettlePnlRecord", user=accounts.user, market_index=index, pnl=settled,
        base_asset_amount=position["base_asset_amount"], quote_asset_amount_after=position["quote_asset_amount"],
        quote_entry_amount=position["quote_entry_amount"], settle_price=price,
    )  # fmt: skip
    view.save(accounts.user)
    view.save(market_key)
    view.save(spot_key)
