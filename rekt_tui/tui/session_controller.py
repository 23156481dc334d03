"""The chosen session's connections to the chain, owned in one place from opening to closing.

Every part of the cockpit that reaches the chain for a session asks this controller: the
live feed (`feed_link`), the stop-and-withdraw (`teardown_link`), order entry's preview and
the actions (`orders`, `setup`). Today the feed and the teardown each open a link of their
own beside the lander that signs; sharing one connection per session is a change to the
three `*_link`/`open` methods here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable

from typing import TYPE_CHECKING

from rekt_tui.domain.checklist import Checklist
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.session import SessionRecord
from rekt_tui.tui.chain import ChainLoader

if TYPE_CHECKING:
    from rekt_tui.services.collateral import CollateralService
    from rekt_tui.services.container import Services
    from rekt_tui.services.landing import Lander
    from rekt_tui.services.link import SessionLink
    from rekt_tui.services.models import Funding
    from rekt_tui.services.orders import OrderService
    from rekt_tui.services.session import SessionService

SESSION_GROUP = "session-link"
NO_SESSION = "Choose a session wallet first (w)."  # the app's workers that open or release the link: one at a time


class SessionController:
    """Opens, shares and closes the chain link of the session the cockpit works with."""

    def __init__(self, services: Services, chain: ChainLoader) -> None:
        self.services = services
        self.chain = chain
        self._lander: Lander | None = None

    @property
    def linked(self) -> bool:
        return self._lander is not None

    @property
    def session(self) -> SessionRecord | None:
        """The linked session as last recorded (setup steps refresh it)."""
        return self._lander.link.session if self._lander is not None else None

    def adopt(self, records: Iterable[SessionRecord]) -> SessionRecord | None:
        """The linked session's row as `records` (a fresh registry read) show it, taken as the
        link's: another process (a CLI `start`, a `guard`) may have changed it. None: unchanged."""
        linked = self.session
        fresh = next((r for r in records if linked is not None and r.pubkey == linked.pubkey), None)
        if self._lander is None or fresh is None or fresh == linked:
            return None
        self._lander.link.session = fresh
        return fresh

    @property
    def refusal(self) -> str | None:
        """Why nothing will be signed on this cluster's program (its compatibility check); None: it trades."""
        return self._lander.link.sender.refusal if self._lander is not None else None

    async def create_wallet(self) -> str:
        return (await (await self.services.wallets()).create()).pubkey

    async def open(self, pubkey: str) -> SessionRecord:
        """Link `pubkey` to the chain, ready to sign, closing the previous link first."""
        await self.close()
        self._lander = await (await self.chain.load()).open_lander(self.services, pubkey)
        return self._lander.link.session

    async def release(self, pubkey: str) -> bool:
        """Stop working with `pubkey` (torn down); False when another session is linked."""
        if self.session is None or self.session.pubkey != pubkey:
            return False
        await self.close()
        return True

    async def close(self) -> None:
        lander, self._lander = self._lander, None
        if lander is not None:
            await lander.link.close()

    async def feed_link(self, pubkey: str) -> SessionLink:
        """The link the dashboard's live feed reads; the caller closes it."""
        return await (await self.chain.load()).open_link(self.services, pubkey)

    async def teardown_link(self, pubkey: str) -> SessionLink:
        """The link a stop-and-withdraw runs on; the caller closes it."""
        return await (await self.chain.load()).open_link(self.services, pubkey)

    def orders(self) -> OrderService:
        """Orders of the linked session."""
        lander = self._linked_lander()
        return self.chain.loaded.OrderService(lander)

    def setup(self) -> SessionService:
        """Setup steps and checklist of the linked session."""
        lander = self._linked_lander()
        return self.chain.loaded.SessionService(lander)

    def collateral(self) -> CollateralService:
        """Withdrawals of the linked session (deposits are a setup step)."""
        return self.chain.loaded.CollateralService(self._linked_lander().link)

    def _linked_lander(self) -> Lander:
        if self._lander is None:
            raise RektError(NO_SESSION)
        return self._lander

    def markets(self) -> tuple[str, ...]:
        return tuple(sorted(self.orders().markets())) if self._lander is not None else ()

    async def setup_facts(self) -> tuple[SessionRecord, Funding, Checklist]:
        """The session, its funding and its checklist as the chain shows them now."""
        setup = self.setup()
        funding, checklist = await setup.funding(), await setup.checklist()
        return setup.session, funding, checklist
