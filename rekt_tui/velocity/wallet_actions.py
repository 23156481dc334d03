"""Emptying the session wallet: its quote tokens and all its SOL but this transaction's fee."""

from __future__ import annotations

from solders.instruction import Instruction
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from spl.token.instructions import (
    CloseAccountParams, TransferParams as TokenTransferParams, close_account,
    create_idempotent_associated_token_account, get_associated_token_address,
)  # fmt: skip
from spl.token.instructions import transfer as token_transfer

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.money import format_sol
from rekt_tui.velocity.connection import VelocityConnection
from rekt_tui.velocity.layouts import QUOTE_MARKET_INDEX
from rekt_tui.velocity.trader_actions import token_program

TOKEN_ACCOUNT_SIZE = 165


async def sweep(connection: VelocityConnection, destination: Pubkey, *, fee: int) -> list[Instruction]:
    """The wallet's quote tokens to `destination`'s token account (created if missing), its own
    token account closed, then every lamport but `fee`: the wallet ends at zero."""
    view = connection.view
    wallet = view.authority
    if destination == wallet:
        raise RektError("The sweep destination is the session wallet itself; give another address.")
    market = view.spot(QUOTE_MARKET_INDEX)
    program_id = token_program(market)
    source = get_associated_token_address(wallet, market.mint, program_id)
    held = await connection.token_amount(source)
    instructions: list[Instruction] = []
    rent = 0
    if held:
        target = get_associated_token_address(destination, market.mint, program_id)
        if await connection.token_amount(target) is None:
            rent = await connection.rent(TOKEN_ACCOUNT_SIZE)
        instructions += [
            create_idempotent_associated_token_account(wallet, destination, market.mint, program_id),
            token_transfer(TokenTransferParams(program_id, source, target, wallet, held)),
        ]
    if held is not None:
        instructions.append(close_account(CloseAccountParams(program_id, source, destination, wallet)))
    balance = await connection.lamports(wallet)
    if balance <= fee + rent:
        raise RektError(
            f"The session wallet holds {format_sol(balance)}, not enough to pay for sweeping it ({format_sol(fee + rent)})."
        )
    return [*instructions, transfer(TransferParams(from_pubkey=wallet, to_pubkey=destination, lamports=balance - fee - rent))]
