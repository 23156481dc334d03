"""One-cancels-other for brackets, which the chain does not have: the watcher ends what is left.

When a take-profit or stop-loss fills, or a liquidation or a close from anywhere ends the
position, the other leg would rest on and act on the next position opened on that side, at a
price chosen for the old one. The watcher hands each market it saw go flat here
(`domain.brackets.went_flat`); under the session's signing lock, with the account read
afresh (another signer may have ended them already) and no stop running (it cancels everything
itself), the market's resting protection is cancelled in one transaction. `x` does the same
for its own closes (`OrderService.close`).
"""

from rekt_tui.domain.brackets import orphaned_legs
from rekt_tui.services.link import SessionLink
from rekt_tui.services.orders import OrderService
from rekt_tui.services.teardown import teardown_in_progress
from rekt_tui.services.unresolved import resolve_before_signing


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
