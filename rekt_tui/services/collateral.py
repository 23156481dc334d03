"""Collateral of a running session: withdraw part of it without a full stop.

Adding collateral is the checklist's deposit (`SessionService.deposit`), open at any time.
A withdrawal is planned first — parsed, previewed on a copy of the account, guarded
(domain/collateral.py) — and only a plan without refusals is signed, after its row is
recorded like every other intent. "all" (or "max") asks for the most that passes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from uuid import uuid4

from rekt_tui.domain.collateral import WithdrawPreview, WithdrawRequest, check_withdraw
from rekt_tui.domain.errors import RektError, UsageError
from rekt_tui.domain.guards import OrderRefused, Refusal
from rekt_tui.domain.money import parse_amount
from rekt_tui.drift.sender import Landed
from rekt_tui.services.landing import land, record_balances_after_landing
from rekt_tui.services.link import SessionLink
from rekt_tui.services.session import parse_asset

ALL_WORDS = frozenset({"all", "max"})
# Halvings between nothing and the whole deposit: enough for any token's precision.
SEARCH_STEPS = 64


@dataclass(frozen=True)
class WithdrawPlan:
    request: WithdrawRequest
    market_index: int
    preview: WithdrawPreview
    refusals: tuple[Refusal, ...]
    largest: int  # the most of the asset that passes every guard now (token precision)


class CollateralService:
    """Withdrawals of one session over its live link."""

    def __init__(self, link: SessionLink) -> None:
        self._link = link
        self._venue = link.venue
        self._settings = link.settings

    async def plan_withdraw(self, amount_text: str, asset_text: str) -> WithdrawPlan:
        """Parse and check a withdrawal; its refusals (if any) carry the numbers."""
        asset = parse_asset(asset_text, self._settings.labels)
        wanted = amount_text.strip().lower()
        if wanted in ALL_WORDS:
            return await self._plan(asset, None)
        return await self._plan(asset, parse_amount(amount_text, self._decimals(asset), what="Amount"))

    async def withdraw(self, plan: WithdrawPlan) -> Landed:
        """Sign a plan without refusals; the guards run again on the account as it is now."""
        fresh = await self._plan(plan.request.asset, plan.request.amount)
        if fresh.refusals:
            raise OrderRefused(fresh.refusals)
        request = fresh.request
        transaction = self._venue.withdraw(fresh.market_index, request.amount)
        intent = {"action": "withdraw", "asset": request.asset, "amount": request.amount, "request": uuid4().hex}
        landed = await land(self._link, "withdraw", intent, transaction)
        await record_balances_after_landing(self._link)
        return landed

    async def _plan(self, asset: str, amount: int | None) -> WithdrawPlan:
        """`amount` None: the most that passes."""
        snapshot = self._venue.snapshot()
        if snapshot is None:
            account = self._settings.labels.account
            raise RektError(f"This session has no {account} loaded, so there is nothing to withdraw.")
        if self._venue.is_stale(self._settings.ui.stale_after_s):
            raise RektError(f"The account feed is {self._venue.feed_state.value}; wait for fresh data to withdraw.")
        index = self._market_index(asset)
        decimals = self._decimals(asset)
        ledger = await self._link.registry.get_loss_ledger(self._link.session.pubkey)
        breach = ledger.breach if ledger is not None else None
        strategy = self._settings.preset(self._link.session.strategy)

        def refusals(amount: int, largest: int | None = None) -> list[Refusal]:
            request = WithdrawRequest(asset, decimals, amount)
            preview = self._venue.preview_withdraw(index, amount)
            return check_withdraw(
                request, preview, strategy, has_positions=bool(snapshot.positions), breach=breach, largest=largest,
                labels=self._settings.labels,
            )

        held = self._venue.preview_withdraw(index, 0).held
        largest = _largest(held, lambda candidate: not refusals(candidate))
        if amount is None:
            if largest == 0:
                raise RektError(" ".join(r.sentence for r in refusals(held)))
            amount = largest
        request = WithdrawRequest(asset, decimals, amount)
        found = tuple(refusals(amount, largest))
        return WithdrawPlan(request, index, self._venue.preview_withdraw(index, amount), found, largest)

    def _decimals(self, asset: str) -> int:
        return self._venue.spot_spec(self._market_index(asset)).base_decimals

    def _market_index(self, asset: str) -> int:
        held = self._venue.holdings().spot_balances
        for index, amount in held.items():
            if amount > 0 and self._venue.spot_symbol(index) == asset:
                return index
        venue = self._settings.labels.name
        raise UsageError(f"{venue} holds no {asset} for this session, so there is none to withdraw.")


def _largest(held: int, passes: Callable[[int], bool]) -> int:
    """The most of `held` that passes, by bisection: each guard only tightens as the amount grows."""
    if held == 0 or passes(held):
        return held
    low, high = 0, held
    for _ in range(SEARCH_STEPS):
        if high - low <= 1:
            break
        middle = (low + high) // 2
        low, high = (middle, high) if passes(middle) else (low, middle)
    return low
