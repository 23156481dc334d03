"""The SPL Token program (the original one), for what clients and the faucet use:
initialize_account (1, 2, 3), transfer, transfer_checked, mint_to, close_account and
sync_native.

Wrapped SOL follows the real program: a token account of the native mint records the
rent-exempt reserve when initialized, its `amount` is its lamports minus that reserve,
transfers move lamports along with the amount, and it may be closed while holding a
balance (the lamports go to the destination). Errors are `TokenError` custom codes.
Multisig authorities are not supported: the authority must be a signing account.
"""

import struct
from dataclasses import replace

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from rekt_localnet.account import Account, rent_exempt_minimum
from rekt_localnet.keys import SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, WRAPPED_SOL_MINT
from rekt_localnet.programs.system import account_at
from rekt_localnet.runtime.program import AccountRef, InstructionError, InvokeContext
from rekt_localnet.token import MINT_SIZE, TOKEN_ACCOUNT_SIZE, Mint, TokenAccount

INITIALIZE_ACCOUNT, TRANSFER, MINT_TO, CLOSE_ACCOUNT, TRANSFER_CHECKED = 1, 3, 7, 9, 12
INITIALIZE_ACCOUNT2, SYNC_NATIVE, INITIALIZE_ACCOUNT3 = 16, 17, 18

# TokenError codes.
NOT_RENT_EXEMPT, INSUFFICIENT_FUNDS, INVALID_MINT, MINT_MISMATCH, OWNER_MISMATCH = 0, 1, 2, 3, 4
FIXED_SUPPLY, ALREADY_IN_USE, NATIVE_NOT_SUPPORTED, NON_NATIVE_HAS_BALANCE = 5, 6, 10, 11
INVALID_STATE, OVERFLOW, ACCOUNT_FROZEN, MINT_DECIMALS_MISMATCH, NON_NATIVE_NOT_SUPPORTED = 13, 14, 17, 18, 19

ACCOUNT_STATE_FROZEN = 2
U64_LIMIT = 2**64
# About what the on-chain program spends on each instruction.
COMPUTE_UNITS = {
    INITIALIZE_ACCOUNT: 3_400,
    INITIALIZE_ACCOUNT2: 3_300,
    INITIALIZE_ACCOUNT3: 3_200,
    TRANSFER: 4_600,
    TRANSFER_CHECKED: 6_200,
    MINT_TO: 4_500,
    CLOSE_ACCOUNT: 2_900,
    SYNC_NATIVE: 3_000,
}
_NAMES = {
    INITIALIZE_ACCOUNT: "InitializeAccount",
    INITIALIZE_ACCOUNT2: "InitializeAccount2",
    INITIALIZE_ACCOUNT3: "InitializeAccount3",
    TRANSFER: "Transfer",
    TRANSFER_CHECKED: "TransferChecked",
    MINT_TO: "MintTo",
    CLOSE_ACCOUNT: "CloseAccount",
    SYNC_NATIVE: "SyncNative",
}
_AMOUNT = struct.Struct("<Q")
_AMOUNT_DECIMALS = struct.Struct("<QB")


def _args(layout: struct.Struct, data: bytes) -> tuple:
    if len(data) != 1 + layout.size:
        raise InstructionError("InvalidInstructionData")
    return layout.unpack_from(data, 1)


def mint_to_instruction(mint: Pubkey, destination: Pubkey, authority: Pubkey, amount: int) -> Instruction:
    accounts = [
        AccountMeta(mint, False, True),
        AccountMeta(destination, False, True),
        AccountMeta(authority, True, False),
    ]
    return Instruction(TOKEN_PROGRAM_ID, bytes([MINT_TO]) + _AMOUNT.pack(amount), accounts)


class TokenProgram:
    program_id = TOKEN_PROGRAM_ID

    def process(self, ctx: InvokeContext) -> None:
        data = ctx.data
        kind = data[0] if data else None
        if kind not in _NAMES:
            raise InstructionError("InvalidInstructionData", f"Token instruction {kind} is not supported")
        ctx.consume(COMPUTE_UNITS[kind])
        ctx.log(f"Instruction: {_NAMES[kind]}")
        if kind == INITIALIZE_ACCOUNT:
            self._initialize(ctx, account_at(ctx, 2).key)
        elif kind in (INITIALIZE_ACCOUNT2, INITIALIZE_ACCOUNT3):
            (owner,) = _args(struct.Struct("<32s"), data)
            self._initialize(ctx, Pubkey.from_bytes(owner))
        elif kind == TRANSFER:
            (amount,) = _args(_AMOUNT, data)
            self._transfer(ctx, account_at(ctx, 0), account_at(ctx, 1), account_at(ctx, 2), amount, None)
        elif kind == TRANSFER_CHECKED:
            amount, decimals = _args(_AMOUNT_DECIMALS, data)
            mint = account_at(ctx, 1)
            checked = (mint.key, decimals)
            self._transfer(ctx, account_at(ctx, 0), account_at(ctx, 2), account_at(ctx, 3), amount, checked)
        elif kind == MINT_TO:
            (amount,) = _args(_AMOUNT, data)
            self._mint_to(ctx, amount)
        elif kind == CLOSE_ACCOUNT:
            self._close(ctx)
        else:
            self._sync_native(ctx)

    # Reading accounts the way the token program checks them

    @staticmethod
    def _token(ctx: InvokeContext, key: Pubkey) -> TokenAccount:
        account = ctx.account(key)
        if account is None or account.owner != TOKEN_PROGRAM_ID:
            raise InstructionError("IncorrectProgramId", f"{key} is not a token account")
        if len(account.data) != TOKEN_ACCOUNT_SIZE:
            raise InstructionError("InvalidAccountData")
        token = TokenAccount.unpack(account.data)
        if token.state == 0:
            raise InstructionError("UninitializedAccount")
        return token

    @staticmethod
    def _mint(ctx: InvokeContext, key: Pubkey) -> Mint:
        account = ctx.account(key)
        if account is None or account.owner != TOKEN_PROGRAM_ID or len(account.data) != MINT_SIZE:
            raise InstructionError(INVALID_MINT, "Error: Invalid Mint")
        mint = Mint.unpack(account.data)
        if not mint.is_initialized:
            raise InstructionError(INVALID_MINT, "Error: Invalid Mint")
        return mint

    @staticmethod
    def _save(ctx: InvokeContext, key: Pubkey, token: TokenAccount, lamports: int | None = None) -> None:
        account = ctx.account(key)
        ctx.write(key, replace(account, data=token.pack(), lamports=account.lamports if lamports is None else lamports))

    @staticmethod
    def _authorize(ref: AccountRef, expected: Pubkey) -> None:
        if ref.key != expected:
            raise InstructionError(OWNER_MISMATCH, "Error: owner does not match")
        if not ref.is_signer:
            raise InstructionError("MissingRequiredSignature")

    # Instructions

    def _initialize(self, ctx: InvokeContext, owner: Pubkey) -> None:
        target, mint_ref = account_at(ctx, 0), account_at(ctx, 1)
        account = ctx.account(target.key)
        if account is None or account.owner != TOKEN_PROGRAM_ID:
            raise InstructionError("IncorrectProgramId", f"{target.key} is not owned by the token program")
        if len(account.data) != TOKEN_ACCOUNT_SIZE:
            raise InstructionError("InvalidAccountData")
        if TokenAccount.unpack(account.data).state != 0:
            raise InstructionError(ALREADY_IN_USE, "Error: account or token already in use")
        reserve = rent_exempt_minimum(TOKEN_ACCOUNT_SIZE)
        if account.lamports < reserve:
            raise InstructionError(NOT_RENT_EXEMPT, "Error: Lamport balance below rent-exempt threshold")
        self._mint(ctx, mint_ref.key)
        native = mint_ref.key == WRAPPED_SOL_MINT
        token = TokenAccount(
            mint_ref.key,
            owner,
            amount=account.lamports - reserve if native else 0,
            native_reserve=reserve if native else None,
        )
        self._save(ctx, target.key, token)

    def _transfer(
        self,
        ctx: InvokeContext,
        source_ref: AccountRef,
        dest_ref: AccountRef,
        authority: AccountRef,
        amount: int,
        checked: tuple[Pubkey, int] | None,
    ) -> None:
        source, dest = self._token(ctx, source_ref.key), self._token(ctx, dest_ref.key)
        if source.state == ACCOUNT_STATE_FROZEN or dest.state == ACCOUNT_STATE_FROZEN:
            raise InstructionError(ACCOUNT_FROZEN, "Error: Account is frozen")
        if source.amount < amount:
            raise InstructionError(INSUFFICIENT_FUNDS, "Error: insufficient funds")
        if source.mint != dest.mint:
            raise InstructionError(MINT_MISMATCH, "Error: Account not associated with this Mint")
        if checked is not None:
            mint_key, decimals = checked
            if mint_key != source.mint:
                raise InstructionError(MINT_MISMATCH, "Error: Account not associated with this Mint")
            if self._mint(ctx, mint_key).decimals != decimals:
                raise InstructionError(MINT_DECIMALS_MISMATCH)
        delegated = source.delegate is not None and authority.key == source.delegate
        if delegated:
            self._authorize(authority, source.delegate)
            if source.delegated_amount < amount:
                raise InstructionError(INSUFFICIENT_FUNDS, "Error: insufficient funds")
            left = source.delegated_amount - amount
            source = replace(source, delegated_amount=left, delegate=source.delegate if left else None)
        else:
            self._authorize(authority, source.owner)
        if source_ref.key == dest_ref.key:
            return
        native = source.native_reserve is not None
        from_lamports = ctx.account(source_ref.key).lamports - (amount if native else 0)
        self._save(ctx, source_ref.key, replace(source, amount=source.amount - amount), from_lamports)
        to_lamports = ctx.account(dest_ref.key).lamports + (amount if native else 0)
        self._save(ctx, dest_ref.key, replace(dest, amount=dest.amount + amount), to_lamports)

    def _mint_to(self, ctx: InvokeContext, amount: int) -> None:
        mint_ref, dest_ref, authority = account_at(ctx, 0), account_at(ctx, 1), account_at(ctx, 2)
        dest = self._token(ctx, dest_ref.key)
        if dest.native_reserve is not None:
            raise InstructionError(NATIVE_NOT_SUPPORTED)
        if dest.mint != mint_ref.key:
            raise InstructionError(MINT_MISMATCH, "Error: Account not associated with this Mint")
        mint = self._mint(ctx, mint_ref.key)
        if mint.mint_authority is None:
            raise InstructionError(FIXED_SUPPLY)
        self._authorize(authority, mint.mint_authority)
        if mint.supply + amount >= U64_LIMIT:
            raise InstructionError(OVERFLOW)
        mint_account = ctx.account(mint_ref.key)
        ctx.write(mint_ref.key, replace(mint_account, data=replace(mint, supply=mint.supply + amount).pack()))
        self._save(ctx, dest_ref.key, replace(dest, amount=dest.amount + amount))

    def _close(self, ctx: InvokeContext) -> None:
        target, dest_ref, authority = account_at(ctx, 0), account_at(ctx, 1), account_at(ctx, 2)
        if target.key == dest_ref.key:
            raise InstructionError("InvalidAccountData")
        token = self._token(ctx, target.key)
        if token.native_reserve is None and token.amount != 0:
            message = "Error: Non-native account can only be closed if its balance is zero"
            raise InstructionError(NON_NATIVE_HAS_BALANCE, message)
        self._authorize(authority, token.close_authority or token.owner)
        lamports = ctx.account(target.key).lamports
        dest = ctx.account(dest_ref.key) or Account(0, SYSTEM_PROGRAM_ID)
        ctx.write(target.key, None)
        ctx.write(dest_ref.key, replace(dest, lamports=dest.lamports + lamports))

    def _sync_native(self, ctx: InvokeContext) -> None:
        target = account_at(ctx, 0)
        token = self._token(ctx, target.key)
        if token.native_reserve is None:
            raise InstructionError(NON_NATIVE_NOT_SUPPORTED)
        amount = ctx.account(target.key).lamports - token.native_reserve
        if amount < token.amount:
            raise InstructionError(INVALID_STATE)
        self._save(ctx, target.key, replace(token, amount=amount))
