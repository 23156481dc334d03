"""The wallet's flows from one transaction's meta, for what the scripted session does not
reach: a sweep (a System transfer out, to an address that did not exist), rent given back
by a closed account, a failed transaction (only its fee), money sent in by another payer,
and each venue's SOL deposit (the lamports wrapped on the way in are neither sent nor rent).
Transactions are real signed solders transactions; the meta is shaped as getTransaction's."""

import base64

import pytest
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountWithSeedParams, create_account_with_seed
from spl.token.constants import TOKEN_PROGRAM_ID, WRAPPED_SOL_MINT
from spl.token.instructions import (
    CloseAccountParams,
    SyncNativeParams,
    close_account,
    create_idempotent_associated_token_account,
    get_associated_token_address,
    sync_native,
)

from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import Message
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from rekt_tui.drift.wallet_flows import transaction_flows

WALLET = Keypair.from_seed(bytes([3]) * 32)
OTHER = Keypair.from_seed(bytes([4]) * 32)
FEE = 5_000


def answer(payer: Keypair, lamports: int, to, pre: list[int], post: list[int], err=None) -> dict:
    ix = transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to, lamports=lamports))
    tx = Transaction([payer], Message([ix], payer.pubkey()), Hash.default())
    meta = {"err": err, "fee": FEE, "preBalances": pre, "postBalances": post}
    return {"slot": 1, "transaction": [base64.b64encode(bytes(tx)).decode(), "base64"], "meta": meta}


def test_a_sweep_to_a_new_address_is_sent_not_rent():
    to = Keypair.from_seed(bytes([5]) * 32).pubkey()
    swept = answer(WALLET, 90_000, to, pre=[100_000, 0, 1], post=[100_000 - 90_000 - FEE, 90_000, 1])
    assert transaction_flows(swept, str(WALLET.pubkey())) == (0, 90_000, FEE, 0)


def test_a_failed_transaction_costs_its_fee_and_nothing_else():
    failed = answer(WALLET, 90_000, OTHER.pubkey(), pre=[100_000, 0, 1], post=[100_000 - FEE, 0, 1],
                    err={"InstructionError": [0, {"Custom": 1}]})  # fmt: skip
    assert transaction_flows(failed, str(WALLET.pubkey())) == (0, 0, FEE, 0)


def test_money_in_from_another_payer_is_funding_and_rent_comes_back_when_an_account_closes():
    funded = answer(OTHER, 70_000, WALLET.pubkey(), pre=[10**9, 5, 1], post=[10**9 - 70_000 - FEE, 70_005, 1])
    assert transaction_flows(funded, str(WALLET.pubkey())) == (70_000, 0, 0, 0)
    # The wallet pays; its transfer's receiver is sent money; an emptied third account gave back its rent.
    closing = answer(WALLET, 1_000, OTHER.pubkey(), pre=[100_000, 50, 1], post=[100_000, 1_050, 1])
    closing["meta"]["preBalances"].append(2_039_280)
    closing["meta"]["postBalances"].append(0)
    closing["meta"]["loadedAddresses"] = {"writable": [str(Keypair.from_seed(bytes([6]) * 32).pubkey())],
                                          "readonly": []}  # fmt: skip
    assert transaction_flows(closing, str(WALLET.pubkey())) == (0, 1_000, FEE, -2_039_280)


def _wrap_and_deposit(venue: str, lamports: int, rent: int) -> tuple[list, Pubkey]:
    """A SOL deposit's wrapping as each venue's client builds it (the deposit instruction
    itself is left out: the vault's gain is in the meta all the same); returns the temporary
    account. driftpy funds a seeded account as it creates it; the relaunch's adapter
    transfers into the wallet's wrapped-SOL account."""
    wallet = WALLET.pubkey()
    if venue == "drift":
        temporary = Pubkey.create_with_seed(wallet, "wsol", TOKEN_PROGRAM_ID)
        create = create_account_with_seed(CreateAccountWithSeedParams(
            from_pubkey=wallet, to_pubkey=temporary, base=wallet, seed="wsol", lamports=lamports + rent, space=165,
            owner=TOKEN_PROGRAM_ID,
        ))  # fmt: skip
        return [create, close_account(CloseAccountParams(TOKEN_PROGRAM_ID, temporary, wallet, wallet))], temporary
    temporary = get_associated_token_address(wallet, WRAPPED_SOL_MINT)
    return [
        create_idempotent_associated_token_account(wallet, wallet, WRAPPED_SOL_MINT),
        transfer(TransferParams(from_pubkey=wallet, to_pubkey=temporary, lamports=lamports)),
        sync_native(SyncNativeParams(TOKEN_PROGRAM_ID, temporary)),
        close_account(CloseAccountParams(TOKEN_PROGRAM_ID, temporary, wallet, wallet)),
    ], temporary


@pytest.mark.parametrize("venue", ["drift", "velocity"])
def test_a_sol_deposit_wraps_lamports_that_are_neither_sent_nor_rent(venue):
    lamports, rent, vault = 200_000_000, 2_039_280, Keypair.from_seed(bytes([7]) * 32).pubkey()
    instructions, temporary = _wrap_and_deposit(venue, lamports, rent)
    tx = Transaction([WALLET], Message(instructions, WALLET.pubkey()), Hash.default())
    keys = [*map(str, tx.message.account_keys), str(vault)]  # the vault, as a lookup table would load it
    pre = {str(WALLET.pubkey()): 10**9, str(vault): 5 * 10**9}
    post = {str(WALLET.pubkey()): 10**9 - lamports - FEE, str(vault): 5 * 10**9 + lamports}
    meta = {"err": None, "fee": FEE, "preBalances": [pre.get(k, 1) for k in keys],
            "postBalances": [post.get(k, 1) for k in keys],
            "loadedAddresses": {"writable": [str(vault)], "readonly": []}}  # fmt: skip
    for index, key in enumerate(keys):
        if key == str(temporary):  # created and closed within the transaction
            meta["preBalances"][index] = meta["postBalances"][index] = 0
    answer_ = {"slot": 1, "transaction": [base64.b64encode(bytes(tx)).decode(), "base64"], "meta": meta}
    assert transaction_flows(answer_, str(WALLET.pubkey())) == (0, 0, FEE, 0)
