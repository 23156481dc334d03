"""getSignaturesForAddress: the landed transactions that name an address, newest first.

As a validator answers it: `before` and `until` bound the walk back through history
(neither signature is included), `limit` caps it at 1,000, and each entry carries the
slot, block time and error. The localnet walks its persisted transactions; it is a
small cluster, so a scan is quick enough and needs no address index. The history-lag
fault leaves out the newest slots, as a lagging history index does.
"""

from solders.transaction import VersionedTransaction

from rekt_localnet.store import TransactionRecord

from rekt_localnet.node import Node
from rekt_localnet.wire import invalid_params, param, parse_config, parse_pubkey

MAX_LIMIT = 1_000


def _names(record: TransactionRecord, address: str) -> bool:
    """Whether the transaction names `address`, as a static key or one loaded from a lookup table."""
    loaded = record.meta.get("loadedAddresses") or {}
    keys = [*map(str, VersionedTransaction.from_bytes(record.wire).message.account_keys),
            *loaded.get("writable", ()), *loaded.get("readonly", ())]  # fmt: skip
    return address in keys


def get_signatures_for_address(node: Node, params: list):
    address = str(parse_pubkey(param(params, 0, "address")))
    config = parse_config(params, 1)
    limit = config.get("limit") or MAX_LIMIT
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise invalid_params(f"limit must be between 1 and {MAX_LIMIT}")
    before, until = config.get("before"), config.get("until")
    finalized_only = config.get("commitment") == "finalized"
    newest_listed = node.ledger.slot - node.faults.history_lag_slots
    found: list[dict] = []
    started = before is None
    for record in reversed(node.ledger.landed_since(0)):
        if not started:
            started = record.signature == before
            continue
        if record.signature == until or len(found) == limit:
            break
        if (finalized_only and not node.ledger.is_finalized(record)) or record.slot > newest_listed:
            continue
        if _names(record, address):
            found.append({
                "signature": record.signature,
                "slot": record.slot,
                "err": record.err,
                "memo": None,
                "blockTime": record.block_time,
                "confirmationStatus": "finalized" if node.ledger.is_finalized(record) else "confirmed",
            })
    return found


METHODS = {"getSignaturesForAddress": get_signatures_for_address}
