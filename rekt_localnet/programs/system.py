"""The System program: transfers, account creation (also at seed-derived addresses),
assign and allocate, with the System program's own error codes and log lines.

Instruction data is bincode: a u32 variant, then fixed-width little-endian fields; a
seed is a u64 length and its UTF-8 bytes. Failures use `SystemError` custom codes as
the real program does (0 AccountAlreadyInUse, 1 ResultWithNegativeLamports, …), so a
client decoding errors sees the same values as on mainnet.
"""

import struct
from dataclasses import replace

from solders.pubkey import Pubkey

from rekt_localnet.account import Account
from rekt_localnet.keys import SYSTEM_PROGRAM_ID
from rekt_localnet.runtime.program import AccountRef, InstructionError, InvokeContext

COMPUTE_UNITS = 150
MAX_PERMITTED_DATA_LENGTH = 10 * 1024 * 1024
MAX_SEED_LEN = 32

CREATE_ACCOUNT, ASSIGN, TRANSFER, CREATE_ACCOUNT_WITH_SEED, ALLOCATE = 0, 1, 2, 3, 8

# SystemError codes.
ACCOUNT_ALREADY_IN_USE = 0
RESULT_WITH_NEGATIVE_LAMPORTS = 1
INVALID_ACCOUNT_DATA_LENGTH = 3
MAX_SEED_LENGTH_EXCEEDED = 4
ADDRESS_WITH_SEED_MISMATCH = 5

_U64 = struct.Struct("<Q")
_CREATE = struct.Struct("<QQ32s")


def account_at(ctx: InvokeContext, position: int) -> AccountRef:
    """The instruction's account at `position`, or NotEnoughAccountKeys."""
    if position >= len(ctx.accounts):
        raise InstructionError("NotEnoughAccountKeys")
    return ctx.accounts[position]


def _unpack(layout: struct.Struct, data: bytes, offset: int) -> tuple:
    if len(data) < offset + layout.size:
        raise InstructionError("InvalidInstructionData")
    return layout.unpack_from(data, offset)


class SystemProgram:
    program_id = SYSTEM_PROGRAM_ID

    def process(self, ctx: InvokeContext) -> None:
        ctx.consume(COMPUTE_UNITS)
        data = ctx.data
        if len(data) < 4:
            raise InstructionError("InvalidInstructionData")
        kind = int.from_bytes(data[:4], "little")
        if kind == TRANSFER:
            (lamports,) = _unpack(_U64, data, 4)
            _transfer(ctx, account_at(ctx, 0), account_at(ctx, 1).key, lamports)
        elif kind == CREATE_ACCOUNT:
            lamports, space, owner = _unpack(_CREATE, data, 4)
            to = account_at(ctx, 1)
            if not to.is_signer:
                raise InstructionError("MissingRequiredSignature", f"Create Account: `to` account {to.key} must sign")
            _create(ctx, account_at(ctx, 0), to.key, lamports, space, Pubkey.from_bytes(owner))
        elif kind == CREATE_ACCOUNT_WITH_SEED:
            self._create_with_seed(ctx, data)
        elif kind == ASSIGN:
            (owner,) = _unpack(struct.Struct("<32s"), data, 4)
            target = account_at(ctx, 0)
            _require_signer(target, "Assign")
            _assign(ctx, target.key, Pubkey.from_bytes(owner))
        elif kind == ALLOCATE:
            (space,) = _unpack(_U64, data, 4)
            target = account_at(ctx, 0)
            _require_signer(target, "Allocate")
            _allocate(ctx, target.key, space)
        else:
            raise InstructionError("InvalidInstructionData", f"System instruction {kind} is not supported")

    def _create_with_seed(self, ctx: InvokeContext, data: bytes) -> None:
        (base_raw, seed_len) = _unpack(struct.Struct("<32sQ"), data, 4)
        seed_end = 44 + seed_len
        if seed_len > MAX_SEED_LEN:
            raise InstructionError(MAX_SEED_LENGTH_EXCEEDED)
        lamports, space, owner_raw = _unpack(_CREATE, data, seed_end)
        try:
            seed = data[44:seed_end].decode()
        except UnicodeDecodeError:
            raise InstructionError("InvalidInstructionData") from None
        base, owner = Pubkey.from_bytes(base_raw), Pubkey.from_bytes(owner_raw)
        payer, to = account_at(ctx, 0), account_at(ctx, 1)
        if not any(ref.key == base and ref.is_signer for ref in ctx.accounts):
            raise InstructionError("MissingRequiredSignature", f"Create Account: 'base' account {base} must sign")
        expected = Pubkey.create_with_seed(base, seed, owner)
        if to.key != expected:
            message = f"Create: address {to.key} does not match derived address {expected}"
            raise InstructionError(ADDRESS_WITH_SEED_MISMATCH, message)
        _create(ctx, payer, to.key, lamports, space, owner)


def _require_signer(ref: AccountRef, what: str) -> None:
    if not ref.is_signer:
        raise InstructionError("MissingRequiredSignature", f"{what}: account {ref.key} must sign")


def _transfer(ctx: InvokeContext, source: AccountRef, destination: Pubkey, lamports: int) -> None:
    if not source.is_signer:
        raise InstructionError("MissingRequiredSignature", f"Transfer: `from` account {source.key} must sign")
    sender = ctx.account(source.key)
    if sender is not None and sender.data:
        raise InstructionError("InvalidArgument", "Transfer: `from` must not carry data")
    available = 0 if sender is None else sender.lamports
    if lamports > available:
        message = f"Transfer: insufficient lamports {available}, need {lamports}"
        raise InstructionError(RESULT_WITH_NEGATIVE_LAMPORTS, message)
    if sender is not None:
        ctx.write(source.key, replace(sender, lamports=available - lamports))
    receiver = ctx.account(destination) or Account(0, SYSTEM_PROGRAM_ID)
    ctx.write(destination, replace(receiver, lamports=receiver.lamports + lamports))


def _allocate(ctx: InvokeContext, key: Pubkey, space: int) -> None:
    account = ctx.account(key) or Account(0, SYSTEM_PROGRAM_ID)
    if account.data or account.owner != SYSTEM_PROGRAM_ID:
        raise InstructionError(ACCOUNT_ALREADY_IN_USE, f"Allocate: account {key} already in use")
    if space > MAX_PERMITTED_DATA_LENGTH:
        raise InstructionError(INVALID_ACCOUNT_DATA_LENGTH, f"Allocate: requested {space}, max allowed")
    ctx.write(key, replace(account, data=bytes(space)))


def _assign(ctx: InvokeContext, key: Pubkey, owner: Pubkey) -> None:
    account = ctx.account(key) or Account(0, SYSTEM_PROGRAM_ID)
    if account.owner != owner:
        ctx.write(key, replace(account, owner=owner))


def _create(ctx: InvokeContext, payer: AccountRef, to: Pubkey, lamports: int, space: int, owner: Pubkey) -> None:
    existing = ctx.account(to)
    if existing is not None and existing.lamports > 0:
        raise InstructionError(ACCOUNT_ALREADY_IN_USE, f"Create Account: account {to} already in use")
    if space > MAX_PERMITTED_DATA_LENGTH:
        raise InstructionError(INVALID_ACCOUNT_DATA_LENGTH, f"Allocate: requested {space}, max allowed")
    if not payer.is_signer:
        raise InstructionError("MissingRequiredSignature", f"Transfer: `from` account {payer.key} must sign")
    sender = ctx.account(payer.key)
    available = 0 if sender is None else sender.lamports
    if sender is not None and sender.data:
        raise InstructionError("InvalidArgument", "Transfer: `from` must not carry data")
    if lamports > available:
        message = f"Transfer: insufficient lamports {available}, need {lamports}"
        raise InstructionError(RESULT_WITH_NEGATIVE_LAMPORTS, message)
    ctx.write(to, Account(lamports, owner, bytes(space)))
    if sender is not None:
        ctx.write(payer.key, replace(sender, lamports=available - lamports))
