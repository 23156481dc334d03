"""Placing the legs of brackets that wait for their resting entry's fill.

`BracketKeeper.step` is what the watcher runs (in the cockpit and in `guard`): for each
waiting bracket of the session it compares what the entry has filled with what landed
legs already cover, and places reduce-only take-profit / stop-loss triggers for the
difference (no expiry). It works under the session's signing lock, after finishing any
transaction an earlier run left without an outcome and bringing the order rows in line
with the chain, and reads the covered amount from the transactions themselves
(registry/brackets.py): a restart between a fill and its legs places them once.
"""

import logging
import time
from dataclasses import dataclass

from rekt_tui.domain.brackets import fill_legs
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.history import RecordKind
from rekt_tui.domain.markets import MarketSpec, format_base
from rekt_tui.domain.records import LIVE_ORDER_STATUSES, Direction, OrderStatus
from rekt_tui.domain.trading import AccountSnapshot, Order
from rekt_tui.registry.brackets import BRACKET_LEGS_KIND, BracketStatus, PendingBracket
from rekt_tui.services.history import backfill
from rekt_tui.services.link import SessionLink
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.order_sending import send_orders, taken_user_order_ids
from rekt_tui.services.teardown import teardown_in_progress
from rekt_tui.services.unresolved import resolve_before_signing

log = logging.getLogger(__name__)
RETRY_AFTER_S = 30.0  # a bracket whose legs failed is tried again after this, not on every snapshot
FILL_RECORD_GRACE_S = 30.0  # how long an entry gone unfilled on record waits for its fill's record
RECORDS_RECHECK_S = 1.0  # how often the records are read again meanwhile
ENDED_WITHOUT_FILL = (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.FAILED)


@dataclass(frozen=True)
class BracketReport:
    """What one step did for one bracket, in a sentence; `signature` names the legs' transaction."""

    sentence: str
    signature: str | None = None
    failed: bool = False


class BracketKeeper:
    """The waiting brackets of one session over its link."""

    def __init__(self, link: SessionLink) -> None:
        self._link = link
        self._seen_filled: dict[int, int] = {}  # bracket id -> the entry's fill last seen on chain
        # bracket id -> monotonic time before which it is not looked at again (its legs failed, or
        # its entry is gone with no fill on record yet)
        self._retry_at: dict[int, float] = {}
        self._gone_since: dict[int, float] = {}  # bracket id -> when its entry was first gone with no fill on record

    async def waiting(self) -> list[PendingBracket]:
        return await self._link.registry.list_pending_brackets(self._link.pubkey)

    def due(self, snapshot: AccountSnapshot | None, brackets: list[PendingBracket]) -> bool:
        """Whether the account shows something a step would act on: an entry filled further, or gone."""
        if snapshot is None:
            return bool(brackets)
        now = time.monotonic()
        for bracket in brackets:
            if now < self._retry_at.get(bracket.id, 0.0):
                continue
            entry = self._entry_on_chain(bracket, snapshot)
            if entry is None or entry.filled > self._seen_filled.get(bracket.id, 0):
                return True
        return False

    async def step(self) -> list[BracketReport]:
        """Place what the waiting brackets' fills call for; one report per bracket that changed."""
        link = self._link
        if not await self.waiting():
            return []
        reports = []
        async with link.registry.signing_lock(link.pubkey):
            if await teardown_in_progress(link.registry, link.pubkey):  # it flattens the market: legs wait
                return []
            await resolve_before_signing(link.sender, link.registry, link.pubkey)
            await link.venue.refresh_account()
            await adopt_orders(link.registry, link)
            for bracket in await self.waiting():  # again: another signer may have ended one meanwhile
                if time.monotonic() < self._retry_at.get(bracket.id, 0.0):
                    continue
                try:
                    report = await self._keep(bracket)
                except RektError as error:
                    self._retry_at[bracket.id] = time.monotonic() + RETRY_AFTER_S
                    report = BracketReport(
                        f"The bracket of order {_entry_name(bracket)} could not be placed: {error.message}", failed=True
                    )
                if report is not None:
                    reports.append(report)
        return reports

    async def _keep(self, bracket: PendingBracket) -> BracketReport | None:
        link = self._link
        snapshot = link.venue.snapshot()
        if snapshot is None:
            return None
        spec = _spec(link, bracket.market_index)
        on_chain = self._entry_on_chain(bracket, snapshot)
        if on_chain is not None:
            filled, ended = on_chain.filled, False
            self._seen_filled[bracket.id] = filled
        else:
            filled, ended = await self._final_fill(bracket), True
            if filled == 0 and not self._waited_for_records(bracket):
                return None  # gone with no fill on record yet: the history may trail the account
        covered, unresolved = await link.registry.get_bracket_coverage(bracket.id)
        if unresolved:  # resolved before this step; another process is sending: its outcome decides
            return None
        held = _held(snapshot, bracket.market_index, bracket.entry_direction)
        todo = (min(filled, held) - covered) // spec.step_size * spec.step_size
        report = None
        if todo >= spec.min_order_size:
            report = await self._place(bracket, spec, bracket.entry_direction, todo)
            covered += todo
        if ended:
            if covered == 0 and filled == 0:
                sentence = f"The bracket of order {_entry_name(bracket)} was dropped: the entry ended without a fill."
                await link.registry.end_pending_bracket(bracket.id, BracketStatus.CANCELLED, sentence)
                return report or BracketReport(sentence)
            if covered >= min(filled, held) or report is None:
                message = f"Legs cover {format_base(covered, spec)} of the entry's {format_base(filled, spec)} filled."
                await link.registry.end_pending_bracket(bracket.id, BracketStatus.DONE, message)
        return report

    def _waited_for_records(self, bracket: PendingBracket) -> bool:
        """Whether an entry gone from chain with no fill on record may count as unfilled: at
        once when its row says it ended so, else after FILL_RECORD_GRACE_S of asking again
        (an RPC's history can list the fill's transaction seconds after the account shows it;
        dropping the bracket then would leave the fill without its legs)."""
        if bracket.entry_status in ENDED_WITHOUT_FILL:
            return True
        now = time.monotonic()
        since = self._gone_since.setdefault(bracket.id, now)
        if now - since >= FILL_RECORD_GRACE_S:
            return True
        self._retry_at[bracket.id] = now + RECORDS_RECHECK_S
        return False

    async def _place(self, bracket: PendingBracket, spec: MarketSpec, direction: Direction, size: int) -> BracketReport:
        link = self._link
        oracle = next(m.oracle_price for m in link.venue.markets()
                      if (m.market_type, m.market_index) == (spec.market_type, spec.market_index))  # fmt: skip
        legs = fill_legs(
            spec, direction, size, take_profit=bracket.take_profit, stop_loss=bracket.stop_loss,
            entry_price=bracket.entry_price, oracle_price=oracle, markets=link.venue.market_specs(),
            taken=await taken_user_order_ids(link), now=int(time.time()),
        )  # fmt: skip
        requests = [leg.request for leg in legs]
        extra: dict[str, object] = {"bracket": bracket.id, "covers": size, "entry": bracket.entry_order_id}
        placed = await send_orders(link, BRACKET_LEGS_KIND, requests, link.venue.place_orders(requests, None), extra)
        names = " and ".join(leg.name for leg in legs)
        signature = placed[0].signature
        return BracketReport(
            f"Bracket of order {_entry_name(bracket)} placed at its fill: {names} for {format_base(size, spec)}, "
            f"reduce-only, no expiry ({signature}).",
            signature,
        )

    async def _final_fill(self, bracket: PendingBracket) -> int:
        """What an entry no longer on chain filled: its fill records when its chain id is known
        (the chain's own account of it), never less than the fill last seen on chain; an entry
        never seen on chain counts as filled unless its row says it ended otherwise."""
        seen = self._seen_filled.get(bracket.id, 0)
        if bracket.entry_chain_order_id is None:
            return seen if bracket.entry_status in ENDED_WITHOUT_FILL else bracket.entry_base_amount
        link = self._link
        try:
            await backfill(link.registry, link.venue, link.pubkey)
        except Exception as error:  # noqa: BLE001 - the records stored so far still count
            log.warning("records not read for a bracket: %s", error)
        records = await link.registry.list_records(link.pubkey, market_index=bracket.market_index)
        recorded = sum(
            abs(r.base) for r in records if r.kind is RecordKind.FILL and r.order_id == bracket.entry_chain_order_id
        )
        return max(seen, recorded)

    @staticmethod
    def _entry_on_chain(bracket: PendingBracket, snapshot: AccountSnapshot) -> Order | None:
        """The entry on chain, matched while its row is live (Drift reuses an ended order's user order id)."""
        if bracket.entry_status not in LIVE_ORDER_STATUSES:
            return None
        return next(
            (o for o in snapshot.orders
             if o.user_order_id == bracket.entry_user_order_id and o.market_index == bracket.market_index),
            None,
        )  # fmt: skip


def _held(snapshot: AccountSnapshot, market_index: int, direction: Direction) -> int:
    """The position the legs may face: its size when it lies the entry's way, else nothing."""
    position = next((p for p in snapshot.positions if p.market_index == market_index), None)
    if position is None or position.direction is not direction:
        return 0
    return position.size


def _spec(link: SessionLink, market_index: int) -> MarketSpec:
    spec = next((s for s in link.venue.market_specs().values() if s.market_index == market_index), None)
    if spec is None:
        raise RektError(f"Perp market {market_index} does not exist on this cluster.")
    return spec


def _entry_name(bracket: PendingBracket) -> str:
    chain = bracket.entry_chain_order_id
    return f"#{chain}" if chain is not None else f"(user order id {bracket.entry_user_order_id})"
