"""A session's status for a command that only reads: the registry kept in step, the checklist,
the account and its markets, read without a venue client where the venue offers a light read.

`read_status` is the one status use case, for the light link and the full one alike: it
adopts orders, records balances and builds the checklist through the same functions every
other command uses, over whichever venue it is given.
"""

import logging
from dataclasses import dataclass
from typing import cast

from rekt_tui.domain.checklist import Checklist
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.session import SessionRecord
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.services.container import Services
from rekt_tui.services.landing import open_lander, record_balances
from rekt_tui.services.link import SessionLink, pick_session
from rekt_tui.services.localnet import ensure_localnet
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.session import SessionService
from rekt_tui.services.venue import Venue
from rekt_tui.services.venue_factory import open_light_venue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    session: SessionRecord
    wallet_lamports: int
    snapshot: AccountSnapshot | None
    checklist: Checklist
    markets: dict[str, MarketSpec]


async def read_status(link: SessionLink) -> Status:
    """The status over `link`, after bringing the registry's orders and balances in line with it."""
    await adopt_orders(link.registry, link)
    await record_balances(link)
    await link.refresh_session()
    checklist = await SessionService(link).checklist()
    venue = link.venue
    return Status(link.session, await venue.wallet_lamports(), venue.snapshot(), checklist, venue.market_specs())


async def light_status(services: Services, pubkey: str | None) -> Status:
    """The status read without a venue client when the venue has a light read for this
    account; otherwise over the session's full link (a note in the log says why)."""
    session = await pick_session(services, pubkey)
    if services.settings.cluster == "localnet":
        await ensure_localnet(services.settings)
    venue = await open_light_venue(services.settings, session.pubkey)
    if venue is not None:
        # Only the reads of the seam the status makes are used: no sender, no RPC client.
        link = SessionLink(session, cast(Venue, venue), None, None, services.registry, services.settings)  # type: ignore[arg-type]
        return await read_status(link)
    lander = await open_lander(services, session.pubkey)
    try:
        return await read_status(lander.link)
    finally:
        await lander.link.close()
