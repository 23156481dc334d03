"""One-cancels-other for brackets, which the chain does not have: the watcher ends what is left.

When a take-profit or stop-loss fills, or a liquidation or a close from anywhere ends the
position, the other leg would rest on and act on the next position opened on that side, at a
price chosen for the old one. The watcher shows `OrphanedLegs` each reading; a market that went
flat with protection and no entry resting there is looked at after `GRACE_S` (a `close` run
elsewhere ends its own legs once its fill shows, and should not have to race it). Under the
session's signing lock,
with the account read afresh (another signer may have ended them already) and no stop running
(it cancels everything itself), the market's resting protection is cancelled in one
transaction and told. A cancel that failed, or whose outcome is not known, is tried again
after `RETRY_S`. At start, legs a fire orphaned while nothing watched are found by their
sibling from the same transaction having left the chain (`domain.brackets.sibling_left`), and
legs a close of ours left behind by the close having left it since (`closed_since`).

A close does not cancel its market's protection when it is sent: a market order can fail to
fill (its auction ends out of range), and the position would be left unguarded. With nothing
watching (the CLI's `close`), `legs_after_close` waits for the fill and then ends the legs.
"""

import asyncio
import logging
import time
from collections.abc import Callable

from rekt_tui.domain.alerts import Severity
from rekt_tui.domain.brackets import (
    closed_since, held_markets, orphaned_legs, resting_protection, sibling_left, went_flat,
)
from rekt_tui.domain.errors import AfterSigning, RektError
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.registry import RegistryError
from rekt_tui.services.link import SessionLink
from rekt_tui.services.orders import OrderService
from rekt_tui.services.teardown import teardown_in_progress
from rekt_tui.services.unresolved import resolve_before_signing

log = logging.getLogger(__name__)
GRACE_S = 2.0  # a market gone flat keeps its resting protection this long
RETRY_S = 30.0  # after a failed or unknown cancel: the fresh read decides what is left
POLL_S = 0.5  # how often a close's market is read while its fill is awaited
Tell = Callable[[Severity, str], None]


class OrphanedLegs:
    """One session's one-cancels-other, run by its watcher (the cockpit's or `guard`'s)."""

    def __init__(self, link: SessionLink, tell: Tell, symbol: Callable[[int], str]) -> None:
        self._link = link
        self._tell = tell
        self._symbol = symbol  # a perp market's name by index
        self._wakeup = asyncio.Event()
        self._markets: set[int] = set()  # gone flat with protection resting, not yet looked at
        self._told: set[str] = set()

    def seen(self, before: AccountSnapshot | None, after: AccountSnapshot) -> None:
        """A new reading: markets that went flat with protection left resting get looked at."""
        self._again({m for m in went_flat(before, after) if orphaned_legs(after, m)})

    async def run(self) -> None:
        await self._orphaned_at_start()
        while True:
            await self._wakeup.wait()
            await asyncio.sleep(GRACE_S)
            self._wakeup.clear()
            markets, self._markets = self._markets, set()
            await self._cancel(markets)

    async def _cancel(self, markets: set[int]) -> None:
        names = {index: self._symbol(index) for index in markets}
        where = ", ".join(names.values())
        try:
            for sentence in await cancel_orphaned_legs(self._link, markets, names):
                self._tell(Severity.INFO, sentence)
            return
        except AfterSigning as error:  # signed: it may have landed, and the message says what is known
            sentence = (f"The cancel of the take-profit / stop-loss left resting in flat {where} was signed; "
                        f"its outcome is not known: {error.message}")  # fmt: skip
        except Exception as error:  # noqa: BLE001 - RPC, registry or chain trouble: say so, try again
            message = error.message if isinstance(error, RektError) else f"see {self._link.settings.log_file}"
            log.warning("orphaned legs not cancelled: %s", error, exc_info=not isinstance(error, RektError))
            sentence = (f"The take-profit / stop-loss left resting in flat {where} could not be cancelled "
                        f"({message}); the watcher tries again in {RETRY_S:.0f} s, "
                        "and d cancels them now.")  # fmt: skip
        if sentence not in self._told:  # a failure that repeats is told once
            self._told.add(sentence)
            self._tell(Severity.CRITICAL, sentence)
        asyncio.get_running_loop().call_later(RETRY_S, self._again, markets)

    async def _orphaned_at_start(self) -> None:
        """Legs a fire left orphaned while nothing watched (the cockpit closed, no `guard`)."""
        snapshot = self._link.venue.snapshot()
        if snapshot is None:
            return
        try:
            rows = await self._link.registry.list_orders(self._link.pubkey)
        except RegistryError as error:  # the next market to go flat is still looked after
            log.warning("order rows not read for orphaned legs: %s", error)
            return
        markets = {o.market_index for o in snapshot.orders if resting_protection(o)}
        left_behind = (sibling_left, closed_since)  # a sibling fired, or a close of ours filled
        left = {
            m for m in markets
            if (legs := orphaned_legs(snapshot, m)) and any(sign(rows, legs, snapshot) for sign in left_behind)
        }  # fmt: skip
        self._again(left)

    def _again(self, markets: set[int]) -> None:
        if markets:
            self._markets |= markets
            self._wakeup.set()


async def cancel_orphaned_legs(link: SessionLink, markets: set[int], names: dict[int, str]) -> list[str]:
    """Cancel the protection still resting in these flat markets; a sentence for each market done."""
    done = []
    async with link.registry.signing_lock(link.pubkey):
        if await teardown_in_progress(link.registry, link.pubkey):
            return []
        await resolve_before_signing(link.sender, link.registry, link.pubkey)
        await link.venue.refresh_account()
        snapshot = link.venue.snapshot()
        if snapshot is None:
            return []
        for market_index in sorted(markets):
            legs = orphaned_legs(snapshot, market_index)
            if not legs:
                continue  # held again, an entry rests there, or they are gone already
            landed = await OrderService(link).cancel_many([o.order_id for o in legs])
            numbers = ", ".join(f"#{o.order_id}" for o in legs)
            market = names.get(market_index, f"perp market {market_index}")
            one = len(legs) == 1
            what = f"order {numbers} was left resting and is" if one else f"orders {numbers} were left resting and are"
            it = "it" if one else "they"
            done.append(
                f"{market} is flat: take-profit / stop-loss {what} cancelled, so {it} cannot act on a later "
                f"position ({landed.signature})."
            )
    return done


def _gone_meanwhile(markets: set[int], names: dict[int, str]) -> list[str]:
    """The protection seen resting while the close filled, gone before this command ended it."""
    if not markets:
        return []
    where = ", ".join(names[m] for m in sorted(markets))
    return [f"The take-profit / stop-loss of {where} no longer rest: another process cancelled them (the cockpit or "
            "`rekt-tui guard`, seeing the market flat) or they filled; `rekt-tui history` shows which."]  # fmt: skip


async def legs_after_close(
    link: SessionLink, markets: set[int], names: dict[int, str], within_s: float,
    waiting: Callable[[str], None] | None = None,
) -> list[str]:  # fmt: skip
    """After closing these markets whole: each one flat within `within_s` has its resting protection
    cancelled; one still held (or with an entry resting) keeps it, and a sentence says so. `waiting`
    hears, once, that the fill is awaited. A sentence for each market with protection."""
    deadline, snapshot, told = time.monotonic() + within_s, None, False
    seen: set[int] = set()  # markets whose protection was resting at some read
    while True:
        try:
            snapshot = await link.venue.refresh_account()
        except Exception as error:  # noqa: BLE001 - a read that failed: the next one may not
            log.warning("account not read after a close: %s", error)
        guarded = set() if snapshot is None else {o.market_index for o in snapshot.orders if resting_protection(o)}
        held = markets if snapshot is None else held_markets(snapshot)
        seen |= guarded & markets
        if snapshot is not None and not guarded & markets:
            return _gone_meanwhile(seen, names)  # nothing (left) to wait for
        if (snapshot is not None and not guarded & markets & held) or time.monotonic() >= deadline:
            break
        if waiting is not None and not told:
            told = True
            where = ", ".join(names[m] for m in sorted(guarded & markets & held)) or "the closed markets"
            waiting(f"Waiting up to {within_s:.0f} s for the close to fill in {where}, then its take-profit / "
                    "stop-loss are cancelled.")  # fmt: skip
        await asyncio.sleep(POLL_S)
    if snapshot is None:
        where = ", ".join(names[m] for m in sorted(markets))
        return [f"The account could not be read after the close, so whether {where} still has a take-profit / "
                "stop-loss resting is not known: `rekt-tui status` lists the orders and `rekt-tui cancel` ends "
                "them."]  # fmt: skip
    done = _gone_meanwhile(seen - guarded, names)
    done += await cancel_orphaned_legs(link, (markets & guarded) - held, names)  # it skips a market an entry keeps
    for market_index in sorted(markets & guarded):
        legs = [o for o in snapshot.orders if o.market_index == market_index and resting_protection(o)]
        numbers, market = ", ".join(f"#{o.order_id}" for o in legs), names[market_index]
        if market_index in held:
            done.append(
                f"{market} is still held {within_s:.0f} s after its close was sent, so its take-profit / stop-loss "
                f"{numbers} stay resting. Once the market is flat, `rekt-tui cancel` ends them (the cockpit and "
                "`rekt-tui guard` do it themselves when they see it go flat)."
            )
        elif not orphaned_legs(snapshot, market_index):
            done.append(
                f"{market} is flat, but an entry order rests there, so its take-profit / stop-loss {numbers} stay "
                "for that entry's fill; `rekt-tui cancel` ends them."
            )
    return done
