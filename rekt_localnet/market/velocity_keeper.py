"""The keeper of a relaunch localnet: it fires armed trigger orders once the oracle crosses them,
and cranks each perp market's funding once its funding period has passed.

Every slot it reads the Users with open orders, and for each armed trigger whose condition holds
(or a limit trigger left triggered, while the book still crosses it) sends
`trigger_market_order_v1` / `trigger_limit_order_v1`, naming the makers of the book's crossing
orders so the fill can reach them. A refused send backs off for a while, as the Drift keeper's.
"""

import logging
import time

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from rekt_localnet.keys import FAUCET_KEYPAIR, fixed_keypair
from rekt_localnet.ledger import Ledger
from rekt_localnet.programs.velocity.book import ASK, BID, Book
from rekt_localnet.programs.velocity.codec import CLOB_PROGRAM_ID, VELOCITY_PROGRAM_ID, decode, program, size
from rekt_localnet.programs.velocity.markets import LAZER_SCALE, VELOCITY_PERP_MARKETS, book_addresses, lazer_oracle_address
from rekt_localnet.programs.velocity.referral import escrow_address
from rekt_localnet.runtime import Runtime

from .chain import submit

log = logging.getLogger(__name__)
KEEPER_KEYPAIR = fixed_keypair("velocity keeper")
KEEPER_LAMPORTS = 100 * 10**9
BACKOFF_SLOTS = 20
MAKERS_PER_FILL = 4
INSTRUCTIONS_SYSVAR = Pubkey.from_string("Sysvar1nstructions1111111111111111111111111")


def _open_orders_offset() -> int:
    return program().accounts.field_offset("User", "open_orders")


class VelocityKeeper:
    """Runs once a slot (`tick`), after the oracle feed has moved prices."""

    def __init__(self, ledger: Ledger, runtime: Runtime) -> None:
        self._ledger = ledger
        self._runtime = runtime
        self._backoff: dict[tuple[Pubkey, int], int] = {}
        self._user_size = size("User")
        self._offset = _open_orders_offset()

    def bootstrap(self) -> None:
        key = KEEPER_KEYPAIR.pubkey()
        if self._ledger.get(key) is None:
            funding = TransferParams(from_pubkey=FAUCET_KEYPAIR.pubkey(), to_pubkey=key, lamports=KEEPER_LAMPORTS)
            submit(self._runtime, self._ledger, [transfer(funding)], [FAUCET_KEYPAIR])

    def tick(self, slot: int) -> None:
        try:
            self._tick(slot)
        except Exception:
            log.exception("velocity keeper tick at slot %d failed", slot)

    def _oracle(self, market_index: int) -> int:
        asset = VELOCITY_PERP_MARKETS[market_index].asset
        return decode("PythLazerOracle", self._ledger.get(lazer_oracle_address(asset)).data)["price"] // LAZER_SCALE

    def _tick(self, slot: int) -> None:
        self._backoff = {reason: until for reason, until in self._backoff.items() if until > slot}
        now = int(time.time())
        for spec in VELOCITY_PERP_MARKETS:
            key = program().pdas.perp_market(spec.market_index)
            market = decode("PerpMarket", self._ledger.get(key).data)
            due = market["last_funding_rate_ts"] + market["market_stats"]["funding_period"]
            if now >= due and self._backoff.get((key, -1), 0) <= slot:
                accounts = {"state": program().pdas.state(), "perp_market": key, "oracle": market["oracle"]}
                crank = program().instructions.build("update_funding_rate", {"market_index": spec.market_index}, accounts)
                if not submit(self._runtime, self._ledger, [crank], [KEEPER_KEYPAIR]):
                    self._backoff[(key, -1)] = slot + BACKOFF_SLOTS
        for key, account in list(self._ledger.owned_by(VELOCITY_PROGRAM_ID)):
            if len(account.data) != self._user_size or account.data[self._offset] == 0:
                continue
            user = decode("User", account.data)
            for order in user["orders"]:
                if order["status"] == "Open" and order["order_type"] in ("TriggerMarket", "TriggerLimit"):
                    if self._backoff.get((key, order["order_id"]), 0) <= slot and self._due(order):
                        self._fire(slot, key, user, order)

    def _due(self, order: dict) -> bool:
        oracle, condition = self._oracle(order["market_index"]), order["trigger_condition"]
        if condition == "Above":
            return oracle > order["trigger_price"]
        if condition == "Below":
            return oracle < order["trigger_price"]
        return bool(self._makers(order))  # a triggered limit: only while the book crosses it

    def _makers(self, order: dict) -> list[tuple[Pubkey, Pubkey]]:
        """(User, authority) of the book's orders the trigger could fill against, best first."""
        book = Book.unpack(self._ledger.get(book_addresses(order["market_index"])[1]).data)
        long = order["direction"] == "Long"
        limit = order["price"] if order["order_type"] == "TriggerLimit" else 0
        makers: list[tuple[Pubkey, Pubkey]] = []
        for resting in book.side(ASK if long else BID):
            if limit and (resting.price > limit if long else resting.price < limit):
                break
            if (resting.user, resting.authority) not in makers:
                makers.append((resting.user, resting.authority))
        return makers[:MAKERS_PER_FILL]

    def _fire(self, slot: int, user_key: Pubkey, user: dict, order: dict) -> None:
        if not submit(self._runtime, self._ledger, [self.instruction(user_key, user, order)], [KEEPER_KEYPAIR]):
            self._backoff[(user_key, order["order_id"])] = slot + BACKOFF_SLOTS

    def instruction(self, user_key: Pubkey, user: dict, order: dict) -> Instruction:
        pdas, index = program().pdas, order["market_index"]
        slab, clob = book_addresses(index)
        keeper = KEEPER_KEYPAIR.pubkey()
        accounts = {
            "state": pdas.state(), "authority": keeper, "filler": keeper, "filler_stats": keeper,
            "user": user_key, "user_stats": pdas.user_stats(user["authority"]), "quoter_slab": slab,
            "clob_market": clob, "clob_program": CLOB_PROGRAM_ID, "crank_conditions": pdas.state(),
            "trigger_conditions": pdas.user_conditions(user_key),
        }  # fmt: skip
        perp_indexes = sorted({p["market_index"] for p in user["perp_positions"] if p["base_asset_amount"] or p["open_orders"]} | {index})
        remaining = [AccountMeta(lazer_oracle_address(VELOCITY_PERP_MARKETS[i].asset), False, False) for i in perp_indexes]
        remaining += [AccountMeta(pdas.spot_market(0), False, False)]
        remaining += [AccountMeta(pdas.perp_market(i), False, True) for i in perp_indexes]
        for maker, authority in self._makers(order):
            remaining += [AccountMeta(maker, False, True), AccountMeta(pdas.user_stats(authority), False, True)]
        escrow = escrow_address(user["authority"])
        if self._ledger.get(escrow) is not None:  # once opened, it rides on every fill of the trader's
            remaining.append(AccountMeta(escrow, False, True))
        if order["order_type"] == "TriggerMarket":
            args = {"args": {"market_index": index, "order_id": order["order_id"], "signed_route": []}}
            accounts["ix_sysvar"] = INSTRUCTIONS_SYSVAR
            return program().instructions.build("trigger_market_order_v1", args, accounts, remaining)
        args = {"args": {"market_index": index, "order_id": order["order_id"]}}
        return program().instructions.build("trigger_limit_order_v1", args, accounts, remaining)
