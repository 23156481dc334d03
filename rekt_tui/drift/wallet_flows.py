"""The session wallet's SOL from the chain's own transaction meta: what came in, what it
paid in fees and rent, and what it sent away.

Every finalized transaction naming the wallet is read once. In a transaction someone
else paid for (an airdrop, a transfer in), the wallet's balance change is money in. In
one it paid for, `meta.fee` is the fee (failed transactions pay it too); accounts that
went from no lamports to some are rent it locked up (a Drift User and UserStats, a token
account), accounts emptied give rent back, and its top-level System transfers are money
sent out (a sweep). What moved into Drift's SOL vault is not counted here: the Drift
records say it, and the identity checks one against the other.
"""

import base64
import struct
from typing import Any

from solders.transaction import VersionedTransaction

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.history import WalletFlows
from rekt_tui.drift.records import fetch_transactions, signature_entries
from rekt_tui.drift.rpc import JsonRpc

SYSTEM_PROGRAM = "11111111111111111111111111111111"
SYSTEM_TRANSFER = 2  # the System program's Transfer instruction


def _sent(message: Any, keys: list[str], wallet: str, post: list[int]) -> tuple[int, set[int]]:
    """Lamports the wallet's top-level System transfers moved, and the receiving key indexes.
    A receiver that ends the transaction empty kept nothing (wrapped SOL, closed once its
    lamports were deposited): that is no money sent, the venue's deposit record says it."""
    total, receivers = 0, set()
    for instruction in message.instructions:
        data = bytes(instruction.data)
        accounts = list(instruction.accounts)
        if keys[instruction.program_id_index] != SYSTEM_PROGRAM or len(data) != 12 or len(accounts) < 2:
            continue
        kind, lamports = struct.unpack("<IQ", data)
        if kind == SYSTEM_TRANSFER and keys[accounts[0]] == wallet and post[accounts[1]] > 0:
            total += lamports
            receivers.add(accounts[1])
    return total, receivers


def transaction_flows(transaction: dict[str, Any], wallet: str) -> tuple[int, int, int, int]:
    """(funded, sent, fee, rent) of one base64-encoded `getTransaction` answer for `wallet`."""
    meta = transaction["meta"]
    message = VersionedTransaction.from_bytes(base64.b64decode(transaction["transaction"][0])).message
    loaded = meta.get("loadedAddresses") or {}
    keys = [*map(str, message.account_keys), *loaded.get("writable", ()), *loaded.get("readonly", ())]
    pre, post = meta["preBalances"], meta["postBalances"]
    if wallet not in keys:
        return 0, 0, 0, 0
    me = keys.index(wallet)
    if me != 0:  # someone else paid: whatever reached the wallet was sent to it
        return post[me] - pre[me], 0, 0, 0
    fee = int(meta["fee"])
    if meta.get("err") is not None:  # rolled back: only the fee was taken
        return 0, 0, fee, 0
    sent, receivers = _sent(message, keys, wallet, post)
    rent = 0
    for index, (before, after) in enumerate(zip(pre, post)):
        if index == me or index in receivers:
            continue
        if before == 0 and after > 0:
            rent += after
        elif before > 0 and after == 0:
            rent -= before
    return 0, sent, fee, rent


async def read_wallet_flows(rpc: JsonRpc, wallet: str) -> WalletFlows:
    """The wallet's flows over every finalized transaction up to the slot its balance is read at."""
    balance = await rpc.call("getBalance", [wallet, {"commitment": "finalized"}])
    slot, lamports = int(balance["context"]["slot"]), int(balance["value"])
    entries = [entry for entry in await signature_entries(rpc, wallet, None) if int(entry["slot"]) <= slot]
    signatures = [entry["signature"] for entry in entries]  # later ones were finalized after the balance read
    funded = sent = fees = rent = 0
    for signature, transaction in zip(signatures, await fetch_transactions(rpc, signatures, "base64")):
        if transaction is None:
            raise RektError(f"The RPC node lists transaction {signature} but does not serve it; try again.")
        parts = transaction_flows(transaction, wallet)
        funded, sent, fees, rent = funded + parts[0], sent + parts[1], fees + parts[2], rent + parts[3]
    return WalletFlows(funded=funded, sent=sent, fees=fees, rent=rent, balance=lamports, slot=slot,
                       transactions=len(signatures))  # fmt: skip
