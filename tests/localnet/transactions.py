"""Building signed transactions for localnet tests, the way clients build them."""

import random
import string

from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountWithSeedParams, TransferParams, create_account_with_seed, transfer
from solders.transaction import Transaction, VersionedTransaction
from spl.token.instructions import CloseAccountParams, InitializeAccountParams, close_account, initialize_account

from rekt_localnet.genesis import lookup_table_addresses
from rekt_localnet.keys import LOCALNET_LOOKUP_TABLE, TOKEN_PROGRAM_ID, WRAPPED_SOL_MINT

LAMPORTS_PER_SOL = 1_000_000_000
FEE = 5_000


def legacy(instructions: list[Instruction], signers: list[Keypair], blockhash: str) -> bytes:
    payer = signers[0].pubkey()
    return bytes(Transaction.new_signed_with_payer(instructions, payer, signers, Hash.from_string(blockhash)))


def localnet_table() -> AddressLookupTableAccount:
    return AddressLookupTableAccount(LOCALNET_LOOKUP_TABLE, lookup_table_addresses())


def v0(instructions: list[Instruction], signers: list[Keypair], blockhash: str) -> bytes:
    """A v0 transaction compiled against the localnet lookup table, as driftpy sends them."""
    message = MessageV0.try_compile(signers[0].pubkey(), instructions, [localnet_table()], Hash.from_string(blockhash))
    return bytes(VersionedTransaction(message, signers))


def pay(source: Keypair, destination: Pubkey, lamports: int) -> Instruction:
    return transfer(TransferParams(from_pubkey=source.pubkey(), to_pubkey=destination, lamports=lamports))


def wrapped_sol_account(owner: Keypair, amount: int) -> tuple[list[Instruction], Pubkey]:
    """driftpy's `get_wrapped_sol_account_creation_ixs`: a seed account of 165 bytes owned
    by the Token program, funded with amount + 0.01 SOL, then InitializeAccount."""
    seed = "".join(random.choices(string.ascii_letters + string.digits, k=32))
    account = Pubkey.create_with_seed(owner.pubkey(), seed, TOKEN_PROGRAM_ID)
    create = create_account_with_seed(
        CreateAccountWithSeedParams(
            from_pubkey=owner.pubkey(),
            to_pubkey=account,
            base=owner.pubkey(),
            seed=seed,
            lamports=amount + LAMPORTS_PER_SOL // 100,
            space=165,
            owner=TOKEN_PROGRAM_ID,
        )
    )
    params = InitializeAccountParams(
        program_id=TOKEN_PROGRAM_ID, account=account, mint=WRAPPED_SOL_MINT, owner=owner.pubkey()
    )
    init = initialize_account(params)
    return [create, init], account


def close(account: Pubkey, owner: Keypair) -> Instruction:
    """driftpy's close of the wrapped-SOL account: lamports back to the owner."""
    params = CloseAccountParams(program_id=TOKEN_PROGRAM_ID, account=account, dest=owner.pubkey(), owner=owner.pubkey())
    return close_account(params)
