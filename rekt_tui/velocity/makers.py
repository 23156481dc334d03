"""The makers a taker order names: the relaunch fills a taker only against resting orders whose
User (and UserStats) the instruction passes, writable. The order-book server's `/l3` lists each
resting order's maker in book priority; their authorities (for the UserStats address) are read
from their User accounts."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from solders.instruction import AccountMeta
from solders.pubkey import Pubkey

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.records import Direction
from rekt_tui.drift.retry import RpcUnavailable, describe
from rekt_tui.velocity.codec.accounts import DISCRIMINATOR_BYTES
from rekt_tui.velocity.connection import VelocityConnection, read_accounts
from rekt_tui.drift.dlob import get_json

TOP_MAKERS = 4  # enough depth for a session's sizes, few accounts


@dataclass(frozen=True)
class TakerBook:
    """What a taker order needs of the book: the makers to name and the best opposite price."""

    makers: tuple[AccountMeta, ...] = ()
    best_price: int | None = None  # None: the side is empty (an unread book refuses instead)

    def crosses(self, direction: Direction, price: int) -> bool:
        """Whether a limit at `price` would take from the book now."""
        if self.best_price is None:
            return False
        return price >= self.best_price if direction is Direction.LONG else price <= self.best_price


async def maker_users(dlob_url: str, symbol: str, direction: Direction, own: str) -> tuple[list[str], int | None]:
    """Distinct makers on the side a `direction` order takes from (asks for a buy), best first,
    and that side's best price. A server that does not answer refuses the order: signing a taker
    that names no makers would land an order that can fill nothing."""
    url = f"{dlob_url.rstrip('/')}/l3"
    try:
        body = await get_json(url, {"marketName": symbol}, f"reading the makers of {symbol} from {url}")
        side = body["asks"] if direction is Direction.LONG else body["bids"]  # type: ignore[index]
        makers: list[str] = []
        best: int | None = None
        for order in side:
            maker = str(order["maker"])
            if maker != own and maker not in makers:
                makers.append(maker)
                best = int(order["price"]) if best is None else best
    except RpcUnavailable as error:
        raise RektError(
            f"The order-book server at {url} did not answer ({describe(error.last)}) when asked for the {symbol} "
            "makers this order would fill against; nothing was signed: try again."
        ) from None
    except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
        raise RektError(
            f"The order-book server at {url} gave no usable {symbol} book ({describe(error)}); nothing was signed: "
            "try again."
        ) from None
    return makers[:TOP_MAKERS], best


async def taker_book(connection: VelocityConnection, dlob_url: str, symbol: str, direction: Direction) -> TakerBook:
    """Each maker's User and UserStats, writable, for the taker's remaining accounts."""
    users, best = await maker_users(dlob_url, symbol, direction, str(connection.view.user_key))
    if not users:
        return TakerBook()  # an empty side: the builder refuses a taker order against it
    _, found = await read_accounts(connection.rpc, users)
    metas: list[AccountMeta] = []
    for user, data in zip(users, found):
        if data is None:  # the maker's account went since the book was read
            continue
        authority = Pubkey.from_bytes(data[DISCRIMINATOR_BYTES : DISCRIMINATOR_BYTES + 32])
        stats = connection.program.pdas.user_stats(authority)
        metas += [AccountMeta(Pubkey.from_string(user), False, True), AccountMeta(stats, False, True)]
    return TakerBook(tuple(metas), best)
