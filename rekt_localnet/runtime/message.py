"""Decoding a wire transaction into what execution needs: keys, flags, instructions.

Legacy and v0 messages are read the same way once a v0 message's lookup tables are
resolved: static keys first, then the writable and then the read-only addresses loaded
from the tables, in lookup order, exactly the index space a v0 instruction refers to.

Write locks are demoted as a validator demotes them: an account invoked as a program,
an executable account or a sysvar is never writable, whatever the header says.
"""

import struct
from collections.abc import Callable
from dataclasses import dataclass

from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from rekt_localnet.account import U64_MAX, Account
from rekt_localnet.keys import ADDRESS_LOOKUP_TABLE_PROGRAM_ID, SYSVAR_OWNER_ID
from rekt_localnet.runtime.errors import MalformedTransaction

# The lookup table's metadata: type tag, deactivation slot, then fields execution ignores.
LOOKUP_TABLE_META_SIZE = 56
_TABLE_HEAD = struct.Struct("<IQ")
LOOKUP_TABLE_TYPE = 1
_SANITIZE_FAILURE = "invalid transaction: Transaction failed to sanitize accounts offsets correctly"


@dataclass(frozen=True, slots=True)
class CompiledInstruction:
    program_index: int
    account_indexes: bytes
    data: bytes


@dataclass(frozen=True, slots=True)
class LoadedTransaction:
    """A sanitized transaction with every account key resolved."""

    wire: bytes
    transaction: VersionedTransaction
    signature: str
    keys: list[Pubkey]
    writable: list[bool]
    signer: list[bool]
    instructions: list[CompiledInstruction]
    blockhash: str
    version: object  # "legacy" or 0, as getTransaction shows it
    loaded_writable: list[Pubkey]
    loaded_readonly: list[Pubkey]

    @property
    def payer(self) -> Pubkey:
        return self.keys[0]

    def signatures_valid(self) -> bool:
        return all(self.transaction.verify_with_results())


def _decode(wire: bytes) -> VersionedTransaction:
    try:
        tx = VersionedTransaction.from_bytes(wire)
    except ValueError as error:
        raise MalformedTransaction(f"failed to deserialize VersionedTransaction: {error}") from None
    try:
        tx.sanitize()
    except Exception:
        raise MalformedTransaction(_SANITIZE_FAILURE) from None
    if len(tx.signatures) != tx.message.header.num_required_signatures:
        raise MalformedTransaction(_SANITIZE_FAILURE)
    return tx


def _table_addresses(key: Pubkey, lookup: Callable[[Pubkey], Account | None]) -> list[bytes]:
    account = lookup(key)
    data = b"" if account is None else account.data
    if (
        account is None
        or account.owner != ADDRESS_LOOKUP_TABLE_PROGRAM_ID
        or len(data) < LOOKUP_TABLE_META_SIZE
        or (len(data) - LOOKUP_TABLE_META_SIZE) % 32
        or _TABLE_HEAD.unpack_from(data) != (LOOKUP_TABLE_TYPE, U64_MAX)
    ):
        raise MalformedTransaction("invalid transaction: Transaction loads an address table account that doesn't exist")
    return [data[offset : offset + 32] for offset in range(LOOKUP_TABLE_META_SIZE, len(data), 32)]


def _resolve(message: MessageV0, lookup: Callable[[Pubkey], Account | None]) -> tuple[list[Pubkey], list[Pubkey]]:
    writable: list[Pubkey] = []
    readonly: list[Pubkey] = []
    for table in message.address_table_lookups:
        addresses = _table_addresses(table.account_key, lookup)
        for indexes, into in ((table.writable_indexes, writable), (table.readonly_indexes, readonly)):
            for index in bytes(indexes):
                if index >= len(addresses):
                    raise MalformedTransaction(
                        "invalid transaction: Transaction address table lookup uses an invalid index"
                    )
                into.append(Pubkey.from_bytes(addresses[index]))
    return writable, readonly


def load(wire: bytes, lookup: Callable[[Pubkey], Account | None]) -> LoadedTransaction:
    """Decode, sanitize and resolve `wire`; raises MalformedTransaction like a node's -32602."""
    tx = _decode(wire)
    message = tx.message
    static = list(message.account_keys)
    if isinstance(message, MessageV0):
        loaded_writable, loaded_readonly = _resolve(message, lookup)
        version: object = 0
    else:
        loaded_writable, loaded_readonly, version = [], [], "legacy"
    keys = static + loaded_writable + loaded_readonly
    if len(set(keys)) != len(keys):
        raise MalformedTransaction("invalid transaction: Account loaded twice")
    header = message.header
    signed = header.num_required_signatures
    writable = [
        index < signed - header.num_readonly_signed_accounts
        if index < signed
        else index < len(static) - header.num_readonly_unsigned_accounts
        for index in range(len(static))
    ]
    writable += [True] * len(loaded_writable) + [False] * len(loaded_readonly)
    instructions = [
        CompiledInstruction(ix.program_id_index, bytes(ix.accounts), bytes(ix.data)) for ix in message.instructions
    ]
    if any(ix.program_index >= len(keys) or any(i >= len(keys) for i in ix.account_indexes) for ix in instructions):
        raise MalformedTransaction(_SANITIZE_FAILURE)
    programs = {ix.program_index for ix in instructions}
    for index, key in enumerate(keys):
        if writable[index] and (index in programs or _reserved(lookup(key))):
            writable[index] = False
    return LoadedTransaction(
        wire=wire,
        transaction=tx,
        signature=str(tx.signatures[0]),
        keys=keys,
        writable=writable,
        signer=[index < signed for index in range(len(keys))],
        instructions=instructions,
        blockhash=str(message.recent_blockhash),
        version=version,
        loaded_writable=loaded_writable,
        loaded_readonly=loaded_readonly,
    )


def _reserved(account: Account | None) -> bool:
    return account is not None and (account.executable or account.owner == SYSVAR_OWNER_ID)
