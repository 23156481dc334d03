"""The Associated Token Account program: create and create_idempotent.

It works as the real program does, through cross-program invocations: the System
program creates the account at the derived address (the address signs as a PDA of
this program) and the Token program initializes it for the wallet. The address must
be the one derived from (wallet, token program, mint), or the instruction fails with
InvalidSeeds; `create` on an existing account fails, `create_idempotent` accepts an
existing associated account of the same wallet and mint.
"""

import struct

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from rekt_localnet.account import rent_exempt_minimum
from rekt_localnet.keys import ASSOCIATED_TOKEN_PROGRAM_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID
from rekt_localnet.programs import system, token
from rekt_localnet.programs.system import account_at
from rekt_localnet.runtime.program import AccountRef, InstructionError, InvokeContext
from rekt_localnet.token import TOKEN_ACCOUNT_SIZE, TokenAccount

CREATE, CREATE_IDEMPOTENT = 0, 1
COMPUTE_UNITS = 9_000
INVALID_OWNER = 0  # AssociatedTokenAccountError::InvalidOwner


def associated_token_address(wallet: Pubkey, mint: Pubkey, token_program: Pubkey = TOKEN_PROGRAM_ID) -> Pubkey:
    """The address of `wallet`'s token account for `mint`."""
    seeds = [bytes(wallet), bytes(token_program), bytes(mint)]
    return Pubkey.find_program_address(seeds, ASSOCIATED_TOKEN_PROGRAM_ID)[0]


def create_idempotent_instruction(payer: Pubkey, wallet: Pubkey, mint: Pubkey) -> Instruction:
    """The instruction that creates `wallet`'s account for `mint` unless it exists."""
    accounts = [
        AccountMeta(payer, True, True),
        AccountMeta(associated_token_address(wallet, mint), False, True),
        AccountMeta(wallet, False, False),
        AccountMeta(mint, False, False),
        AccountMeta(SYSTEM_PROGRAM_ID, False, False),
        AccountMeta(TOKEN_PROGRAM_ID, False, False),
    ]
    return Instruction(ASSOCIATED_TOKEN_PROGRAM_ID, bytes([CREATE_IDEMPOTENT]), accounts)


class AssociatedTokenProgram:
    program_id = ASSOCIATED_TOKEN_PROGRAM_ID

    def process(self, ctx: InvokeContext) -> None:
        mode = ctx.data[0] if ctx.data else CREATE
        if len(ctx.data) > 1 or mode not in (CREATE, CREATE_IDEMPOTENT):
            raise InstructionError("InvalidInstructionData")
        ctx.consume(COMPUTE_UNITS)
        ctx.log("CreateIdempotent" if mode == CREATE_IDEMPOTENT else "Create")
        funder, address, wallet, mint = (account_at(ctx, i) for i in range(4))
        token_program = account_at(ctx, 5).key
        if token_program != TOKEN_PROGRAM_ID:
            raise InstructionError("IncorrectProgramId", f"token program {token_program} is not supported")
        if address.key != associated_token_address(wallet.key, mint.key, token_program):
            raise InstructionError("InvalidSeeds", "Error: Associated address does not match seed derivation")
        existing = ctx.account(address.key)
        if mode == CREATE_IDEMPOTENT and existing is not None and existing.owner == TOKEN_PROGRAM_ID:
            held = TokenAccount.unpack(existing.data)
            if held.owner != wallet.key:
                raise InstructionError(INVALID_OWNER, "Error: Associated token account owner does not match")
            if held.mint != mint.key:
                raise InstructionError("InvalidAccountData")
            return
        if existing is not None and existing.owner != SYSTEM_PROGRAM_ID:
            raise InstructionError("IllegalOwner")
        self._create_account(ctx, funder, address.key, existing.lamports if existing else 0)
        ctx.log("Initialize the associated token account")
        init = bytes([token.INITIALIZE_ACCOUNT3]) + bytes(wallet.key)
        ctx.invoke(TOKEN_PROGRAM_ID, [AccountRef(address.key, False, True), AccountRef(mint.key, False, False)], init)

    @staticmethod
    def _create_account(ctx: InvokeContext, funder: AccountRef, address: Pubkey, lamports: int) -> None:
        """Create the account through the System program, topping up a pre-funded one."""
        needed = rent_exempt_minimum(TOKEN_ACCOUNT_SIZE)
        pda = AccountRef(address, True, True)
        payer = AccountRef(funder.key, True, True)
        space, owner = TOKEN_ACCOUNT_SIZE, bytes(TOKEN_PROGRAM_ID)
        if lamports == 0:
            data = struct.pack("<IQQ32s", system.CREATE_ACCOUNT, needed, space, owner)
            ctx.invoke(SYSTEM_PROGRAM_ID, [payer, pda], data, signers=[address])
            return
        if lamports < needed:
            data = struct.pack("<IQ", system.TRANSFER, needed - lamports)
            ctx.invoke(SYSTEM_PROGRAM_ID, [payer, AccountRef(address, False, True)], data)
        ctx.invoke(SYSTEM_PROGRAM_ID, [pda], struct.pack("<IQ", system.ALLOCATE, space), signers=[address])
        ctx.invoke(SYSTEM_PROGRAM_ID, [pda], struct.pack("<I32s", system.ASSIGN, owner), signers=[address])
