"""The native programs (System, Token, Associated Token Account) and the runtime's
account rules as programs meet them (ownership, privileges, CPI, compute)."""

import struct
from dataclasses import replace

import pytest
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, CreateAccountWithSeedParams, create_account
from solders.system_program import create_account_with_seed
from spl.token.instructions import SyncNativeParams, TransferParams, sync_native
from spl.token.instructions import transfer as token_transfer

from rekt_localnet.account import Account, rent_exempt_minimum
from rekt_localnet.keys import FAUCET_KEYPAIR, LOCALNET_FAUCET, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, USDC_MINT
from rekt_localnet.programs.ata import associated_token_address, create_idempotent_instruction
from rekt_localnet.programs.token import mint_to_instruction
from rekt_localnet.runtime import AccountRef, InstructionError, PreflightFailure
from rekt_localnet.token import Mint, TokenAccount
from tests.localnet import runtime_fixtures
from tests.localnet.transactions import FEE, LAMPORTS_PER_SOL, close, legacy, pay, wrapped_sol_account

chain = runtime_fixtures.chain

SOL = LAMPORTS_PER_SOL
TOKEN_RESERVE = rent_exempt_minimum(165)


def failure(chain, instructions, signers) -> PreflightFailure:
    with pytest.raises(PreflightFailure) as caught:
        chain.runtime.send(legacy(instructions, signers, chain.blockhash))
    return caught.value


def token(chain, key) -> TokenAccount:
    return TokenAccount.unpack(chain.ledger.get(key).data)


def test_create_account_needs_both_signatures_and_a_free_address(chain):
    alice, new, owner = chain.funded(SOL), Keypair(), Pubkey.new_unique()
    params = CreateAccountParams(
        from_pubkey=alice.pubkey(), to_pubkey=new.pubkey(), lamports=rent_exempt_minimum(100), space=100, owner=owner
    )
    chain.runtime.send(legacy([create_account(params)], [alice, new], chain.blockhash))
    assert chain.ledger.get(new.pubkey()) == Account(rent_exempt_minimum(100), owner, bytes(100))
    bigger = CreateAccountParams(**{**params, "lamports": rent_exempt_minimum(100) + 1})
    again = failure(chain, [create_account(bigger)], [alice, new])
    assert again.err == {"InstructionError": [0, {"Custom": 0}]}
    unsigned = Instruction(SYSTEM_PROGRAM_ID, bytes(create_account(params).data), [
        AccountMeta(alice.pubkey(), True, True), AccountMeta(Keypair().pubkey(), False, True)])
    assert failure(chain, [unsigned], [alice]).err == {"InstructionError": [0, "MissingRequiredSignature"]}


def test_create_account_with_seed_checks_the_derived_address(chain):
    alice = chain.funded(SOL)
    wrong = create_account_with_seed(
        CreateAccountWithSeedParams(
            from_pubkey=alice.pubkey(),
            to_pubkey=Keypair().pubkey(),
            base=alice.pubkey(),
            seed="seed",
            lamports=TOKEN_RESERVE,
            space=165,
            owner=TOKEN_PROGRAM_ID,
        )
    )
    caught = failure(chain, [wrong], [alice])
    assert caught.err == {"InstructionError": [0, {"Custom": 5}]}
    assert any(line.startswith("Create: address ") for line in caught.logs)


def test_wrapped_sol_path_as_driftpy_builds_it(chain):
    alice = chain.funded(3 * SOL)
    amount = SOL
    create, account = wrapped_sol_account(alice, amount)
    chain.runtime.send(legacy(create, [alice], chain.blockhash))
    wrapped = token(chain, account)
    assert wrapped.native_reserve == TOKEN_RESERVE and wrapped.owner == alice.pubkey()
    assert wrapped.amount == amount + SOL // 100 - TOKEN_RESERVE
    assert chain.lamports(account) == amount + SOL // 100
    # More SOL in, then sync_native: the amount follows the lamports.
    top_up = [pay(alice, account, 5_000_000), sync_native(SyncNativeParams(TOKEN_PROGRAM_ID, account))]
    chain.runtime.send(legacy(top_up, [alice], chain.blockhash))
    assert token(chain, account).amount == amount + SOL // 100 - TOKEN_RESERVE + 5_000_000
    # Closing with a balance is allowed for wrapped SOL: every lamport returns.
    chain.runtime.send(legacy([close(account, alice)], [alice], chain.blockhash))
    assert chain.ledger.get(account) is None
    assert chain.lamports(alice.pubkey()) == 3 * SOL - 3 * FEE


def test_wrapped_sol_transfer_moves_lamports_in_one_atomic_transaction(chain):
    alice, bob = chain.funded(3 * SOL), chain.funded(SOL)
    create_a, account_a = wrapped_sol_account(alice, SOL)
    create_b, account_b = wrapped_sol_account(bob, 0)
    move = token_transfer(TransferParams(TOKEN_PROGRAM_ID, account_a, account_b, alice.pubkey(), SOL // 2))
    chain.runtime.send(legacy([*create_a, *create_b, move, close(account_a, alice)], [alice, bob], chain.blockhash))
    assert token(chain, account_b).amount == SOL // 2 + SOL // 100 - TOKEN_RESERVE
    assert chain.lamports(account_b) == SOL // 2 + SOL // 100
    too_much = token_transfer(TransferParams(TOKEN_PROGRAM_ID, account_b, account_b, bob.pubkey(), 10 * SOL))
    assert failure(chain, [too_much], [bob]).err == {"InstructionError": [0, {"Custom": 1}]}


def test_associated_token_account_create_and_idempotent(chain):
    alice = chain.funded(SOL)
    address = associated_token_address(alice.pubkey(), USDC_MINT)
    create = create_idempotent_instruction(alice.pubkey(), alice.pubkey(), USDC_MINT)
    plain = Instruction(create.program_id, b"", create.accounts)
    signature = chain.runtime.send(legacy([plain], [alice], chain.blockhash))
    held = token(chain, address)
    assert (held.mint, held.owner, held.amount) == (USDC_MINT, alice.pubkey(), 0)
    assert chain.ledger.get(address).lamports == TOKEN_RESERVE
    inner = chain.status(signature).meta["innerInstructions"]
    assert [ix["stackHeight"] for ix in inner[0]["instructions"]] == [2, 2]
    # (A second instruction makes it a new transaction, not a resend of the first.)
    twice = [plain, pay(alice, LOCALNET_FAUCET, 2)]
    assert failure(chain, twice, [alice]).err == {"InstructionError": [0, "IllegalOwner"]}
    chain.runtime.send(legacy([create, pay(alice, LOCALNET_FAUCET, 1)], [alice], chain.blockhash))
    wrong = Instruction(create.program_id, bytes(create.data), [
        create.accounts[0], AccountMeta(Keypair().pubkey(), False, True), *create.accounts[2:]])
    assert failure(chain, [wrong], [alice]).err == {"InstructionError": [0, "InvalidSeeds"]}


def test_mint_to_needs_the_mint_authority(chain):
    alice = chain.funded(SOL)
    address = associated_token_address(alice.pubkey(), USDC_MINT)
    create = create_idempotent_instruction(alice.pubkey(), alice.pubkey(), USDC_MINT)
    stolen = mint_to_instruction(USDC_MINT, address, alice.pubkey(), 1_000)
    assert failure(chain, [create, stolen], [alice]).err == {"InstructionError": [1, {"Custom": 4}]}
    mint = [create, mint_to_instruction(USDC_MINT, address, LOCALNET_FAUCET, 25_000_000)]
    chain.runtime.send(legacy(mint, [alice, FAUCET_KEYPAIR], chain.blockhash))
    assert token(chain, address).amount == 25_000_000
    assert Mint.unpack(chain.ledger.get(USDC_MINT).data).supply == 25_000_000
    assert failure(chain, [close(address, alice)], [alice]).err == {"InstructionError": [0, {"Custom": 11}]}


class RuleBreaker:
    """A test program that does, on request, what the runtime must refuse."""

    program_id = Pubkey.new_unique()

    def process(self, ctx) -> None:
        target = ctx.accounts[0]
        action = ctx.data[0]
        if action == 0:  # spend lamports of an account it does not own
            account = ctx.account(target.key)
            ctx.write(target.key, replace(account, lamports=account.lamports - 1))
        elif action == 1:  # CPI a transfer with a signature nobody gave
            signer = AccountRef(target.key, True, True)
            to = AccountRef(ctx.accounts[1].key, False, True)
            ctx.invoke(SYSTEM_PROGRAM_ID, [signer, to], struct.pack("<IQ", 2, 1))
        elif action == 2:  # read an account the instruction does not name
            ctx.account(LOCALNET_FAUCET)
        elif action == 3:  # burn more compute than the transaction has
            ctx.consume(2_000_000)
        elif action == 4:  # create lamports out of nothing
            ctx.write(Pubkey.new_unique(), Account(1, self.program_id))
        else:
            raise InstructionError(6003, "AnchorError occurred. Error Code: InsufficientCollateral.")


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (0, "ExternalAccountLamportSpend"),
        (1, "PrivilegeEscalation"),
        (2, "MissingAccount"),
        (3, "ComputationalBudgetExceeded"),
        (4, "MissingAccount"),
        (5, {"Custom": 6003}),
    ],
)
def test_runtime_enforces_account_rules_on_programs(chain, action, expected):
    program = RuleBreaker()
    chain.runtime.register(program)
    alice, victim = chain.funded(SOL), chain.funded(SOL)
    accounts = [AccountMeta(victim.pubkey(), False, True), AccountMeta(alice.pubkey(), False, True),
                AccountMeta(SYSTEM_PROGRAM_ID, False, False)]
    caught = failure(chain, [Instruction(program.program_id, bytes([action]), accounts)], [alice])
    assert caught.err == {"InstructionError": [0, expected]}
    assert caught.logs[0] == f"Program {program.program_id} invoke [1]"
    assert caught.logs[-2].startswith(f"Program {program.program_id} consumed ")
    assert chain.lamports(victim.pubkey()) == SOL
