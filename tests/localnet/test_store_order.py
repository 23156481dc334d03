"""The ledger store lists a slot's transactions in the order they ran, not by signature, also
after a restart and in a ledger written before it kept that order."""

import sqlite3

from rekt_localnet.identity import LEDGER_FILE
from rekt_localnet.store import LedgerStore, SlotCommit, TransactionRecord

# Signatures whose sorted order is the reverse of the order they ran in.
RAN = ("zz-first", "mm-second", "aa-third")


def _commit(store: LedgerStore, signatures, slot: int) -> None:
    for signature in signatures:  # the ledger commits each transaction as it lands
        record = TransactionRecord(signature, slot, 1_700_000_000, None, b"wire", {"fee": 5000})
        store.commit(SlotCommit({"slot": slot}, {}, [], [(record, slot)], 0))


def _listed(store: LedgerStore) -> list[str]:
    return [record.signature for record, _ in store.transactions_since(0)]


def test_a_slots_transactions_are_listed_in_the_order_they_ran(tmp_path):
    store = LedgerStore(tmp_path)
    _commit(store, RAN, slot=7)
    _commit(store, ("bb-next-slot",), slot=8)
    assert _listed(store) == [*RAN, "bb-next-slot"]
    store.close()
    reopened = LedgerStore(tmp_path)
    _commit(reopened, ("aa-after-restart",), slot=8)
    assert _listed(reopened) == [*RAN, "bb-next-slot", "aa-after-restart"]
    reopened.close()


def test_a_ledger_written_before_the_order_was_kept_still_opens(tmp_path):
    store = LedgerStore(tmp_path)
    _commit(store, ("kept",), slot=3)
    store.close()
    db = sqlite3.connect(tmp_path / LEDGER_FILE)
    db.executescript("""
        CREATE TABLE old AS SELECT signature, slot, block_time, err, wire, meta, shown_slot FROM transactions;
        DROP TABLE transactions;
        ALTER TABLE old RENAME TO transactions;
    """)
    db.close()
    reopened = LedgerStore(tmp_path)
    _commit(reopened, RAN, slot=4)
    assert _listed(reopened) == ["kept", *RAN]
    reopened.close()
