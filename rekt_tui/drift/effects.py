"""Looking on chain for an intent's effect before a transaction is called expired.

A signature with no status after its blockhash expired is not proof that nothing
happened: a lagging node shows a landed transaction late (docs/RELIABILITY.md R5).
Before the sender rebuilds, and whenever reconciliation re-examines an `expired` row,
it asks here:

- the payer's transaction history (`getSignaturesForAddress`): the payer signs every
  transaction of the session, so any of the intent's signatures that landed is there,
  with its slot and error;
- for an intent that places an order, the Drift user account: Drift numbers orders
  from `next_order_id`, which only an order placed with the session's signature
  advances, so an account whose `next_order_id` passed the value read before signing
  shows the order was placed (even a market order that filled and left no open
  order); an open order carrying the intent's `user_order_id` says the same.

`Checkpoint` is what is read before signing; it is persisted in the intent, so
reconciliation can ask the same question after a crash.
"""

import base64
import logging
from dataclasses import dataclass
from typing import Any

from rekt_tui.drift.rpc import JsonRpc

log = logging.getLogger(__name__)

CHECKPOINT_KEY = "chain_checkpoint"
HISTORY_PAGE = 100
HISTORY_PAGES = 5  # 500 transactions of the payer since signing: far more than a session makes


@dataclass(frozen=True)
class Evidence:
    """The intent's effect as the chain shows it; `signature` when the landed transaction is known."""

    slot: int
    detail: str
    signature: str | None = None
    err: Any = None


def places_order(intent: dict) -> bool:
    """Intents that place an order name its registry row (`order`) or its `user_order_id`."""
    return "order" in intent or "user_order_id" in intent


class EffectProbe:
    """Reads the chain for one session: its payer (authority) and its Drift user account."""

    def __init__(self, rpc: JsonRpc, payer: str, user_account: str, *, reads_orders: bool = True) -> None:
        self._rpc = rpc
        self.payer = payer
        self.user_account = user_account
        # False for a venue whose User is not driftpy's layout (the relaunch): only the payer's
        # history is evidence there, never a misread `next_order_id`.
        self.reads_orders = reads_orders

    async def checkpoint(self, intent: dict) -> dict:
        """What to compare with later: the slot now and, for an order, the account's next order id."""
        if not places_order(intent) or not self.reads_orders:
            slot = await self._rpc.call("getSlot", [{"commitment": "confirmed"}])
            return {"slot": slot}
        slot, user = await self._user()
        return {"slot": slot, "next_order_id": None if user is None else user.next_order_id}

    async def find(self, signatures: list[str], intent: dict) -> Evidence | None:
        """The effect of `intent` (sent as `signatures`) if the chain shows it; None if it does not."""
        checkpoint = intent.get(CHECKPOINT_KEY) or {}
        landed = await self._in_history(signatures, checkpoint.get("slot"))
        if landed is not None:
            return landed
        if places_order(intent) and self.reads_orders:
            return await self._order_placed(intent, checkpoint.get("next_order_id"))
        return None

    async def _in_history(self, signatures: list[str], since_slot: int | None) -> Evidence | None:
        wanted = set(signatures)
        before: str | None = None
        for _ in range(HISTORY_PAGES):
            config: dict = {"limit": HISTORY_PAGE, "commitment": "confirmed"}
            if before is not None:
                config["before"] = before
            page = await self._rpc.call("getSignaturesForAddress", [self.payer, config]) or []
            for entry in page:
                if entry["signature"] in wanted:
                    return Evidence(entry["slot"], "found in the payer's history", entry["signature"], entry.get("err"))
            if len(page) < HISTORY_PAGE or (since_slot is not None and page[-1]["slot"] < since_slot):
                return None
            before = page[-1]["signature"]
        return None

    async def _order_placed(self, intent: dict, next_order_id: int | None) -> Evidence | None:
        slot, user = await self._user()
        if user is None:
            return None
        user_order_id = intent.get("user_order_id")
        from driftpy.types import is_variant

        for order in user.orders:
            if user_order_id and order.user_order_id == user_order_id and is_variant(order.status, "Open"):
                return Evidence(slot, f"open order {order.order_id} carries user_order_id {user_order_id}")
        if next_order_id is not None and user.next_order_id > next_order_id:
            return Evidence(slot, f"the account placed order {next_order_id} after this was signed")
        return None

    async def _user(self) -> tuple[int, Any]:
        """(slot, decoded User account or None)."""
        from driftpy.decode.user import decode_user

        config = {"encoding": "base64", "commitment": "confirmed"}
        answer = await self._rpc.call("getAccountInfo", [self.user_account, config])
        value = answer["value"]
        if not value:
            return answer["context"]["slot"], None
        return answer["context"]["slot"], decode_user(base64.b64decode(value["data"][0]))


def probe_for(rpc: JsonRpc, program_id: str, authority: str, venue: str = "drift") -> EffectProbe:
    """The probe for `authority`'s first user account (sub-account 0; the relaunch keeps the seeds)."""
    from driftpy.addresses import get_user_account_public_key
    from solders.pubkey import Pubkey

    user = get_user_account_public_key(Pubkey.from_string(program_id), Pubkey.from_string(authority))
    return EffectProbe(rpc, authority, str(user), reads_orders=venue == "drift")
