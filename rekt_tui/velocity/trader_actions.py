"""The trader's instructions for the relaunched program, from the session's chain view.

Builders return instructions and send nothing; each refuses in one sentence what the program
would refuse, before anything is signed. Margin checks on chain read the markets and oracles a
user touches from the remaining accounts, in protocol-v2's order: oracles, spot markets, perp
markets (the relaunch keeps it, as its unchanged `deposit`/`settle_pnl` signatures suggest).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NoReturn

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from spl.token.constants import TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, WRAPPED_SOL_MINT
from spl.token.instructions import (
    CloseAccountParams, SyncNativeParams, close_account, create_idempotent_associated_token_account, get_associated_token_address,
    sync_native,
)  # fmt: skip

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.money import format_sol
from rekt_tui.velocity.chain_view import ChainView
from rekt_tui.velocity.codec import trader_instructions as ix
from rekt_tui.velocity.codec.order_params import OrderParams
from rekt_tui.velocity.codec.trader_instructions import BookAccounts, Referrer
from rekt_tui.velocity.layouts import MAX_ESCROW_ORDERS, QUOTE_MARKET_INDEX, SpotMarketView

SUB_ACCOUNT = 0
ACCOUNT_NAME = "rekt-tui"
ESCROW_HEADER_BYTES, ESCROW_SLOT_BYTES = 152, 32
WRAPPED_SOL_ACCOUNT_LAMPORTS = 10**9 // 100  # rent and headroom of the temporary wrapped-SOL account


def token_program(market: SpotMarketView) -> Pubkey:
    """The market's token program: bit 0 of `token_program_flag` marks Token-2022."""
    return TOKEN_2022_PROGRAM_ID if market.token_program_flag & 1 else TOKEN_PROGRAM_ID


def token_account(view: ChainView, market_index: int, owner: Pubkey | None = None) -> Pubkey:
    market = view.spot(market_index)
    return get_associated_token_address(owner or view.authority, market.mint, token_program(market))


def remaining_accounts(
    view: ChainView, *, writable_perps: Iterable[int] = (), writable_spots: Iterable[int] = (),
    readable_perps: Iterable[int] = (),
) -> list[AccountMeta]:  # fmt: skip
    """Oracles, spot markets, then perp markets: every market the account holds, plus those named."""
    user = view.user
    perps_w, spots_w = set(writable_perps), set(writable_spots)
    perps = set(perps_w) | set(readable_perps)
    spots = set(spots_w)
    if user is not None:
        perps |= {p.market_index for p in user.perp_positions if not p.is_empty}
        spots |= {s.market_index for s in user.spot_positions if s.scaled_balance or s.open_orders}
    if perps:
        spots.add(QUOTE_MARKET_INDEX)  # every perp settles in the quote market
    oracles: dict[Pubkey, None] = {}
    for index in sorted(perps):
        oracles[view.perp(index).oracle] = None
    for index in sorted(spots):
        if view.spot(index).oracle != Pubkey.default():
            oracles[view.spot(index).oracle] = None
    metas = [AccountMeta(key, False, False) for key in oracles]
    metas += [AccountMeta(view.program.pdas.spot_market(i), False, i in spots_w) for i in sorted(spots)]
    metas += [AccountMeta(view.program.pdas.perp_market(i), False, i in perps_w) for i in sorted(perps)]
    return metas


def book(view: ChainView, market_index: int) -> BookAccounts:
    market = view.perp(market_index)
    return BookAccounts(quoter_slab=market.quoter_slab, clob_market=market.clob_market)


# Account

def initialize(view: ChainView, referrer: str | None, *, has_user_stats: bool) -> list[Instruction]:
    """UserStats (unless it exists) and the User, linked to `referrer`'s first sub-account;
    with a referrer, the escrow through which the program pays it (when it pays that way)."""
    if view.user is not None:
        raise RektError("The session wallet's account on this venue is already initialized.")
    program, authority = view.program, view.authority
    linked = None
    if referrer:
        key = Pubkey.from_string(referrer)
        linked = Referrer(user=program.pdas.user(key, 0), user_stats=program.pdas.user_stats(key))
    instructions = [] if has_user_stats else [ix.initialize_user_stats(program, authority, authority)]
    instructions.append(ix.initialize_user(program, authority, authority, SUB_ACCOUNT, ACCOUNT_NAME, linked))
    if referrer and view.pays_referral_through_escrow:
        instructions.append(referral_escrow(view))
    return instructions


def referral_escrow(view: ChainView) -> Instruction:
    """The trader's RevenueShareEscrow, one order slot per perp market: a referred fill keeps
    its market's slot for good, so every market the venue lists can earn the discount."""
    return ix.initialize_revenue_share_escrow(view.program, view.authority, view.authority, _escrow_slots(view))


def _escrow_slots(view: ChainView) -> int:
    return min(max(len(view.perps), 1), MAX_ESCROW_ORDERS)


def escrow_size(view: ChainView) -> int:
    """The escrow's bytes as the program allocates them: room for its slots and one builder."""
    return ESCROW_HEADER_BYTES + ESCROW_SLOT_BYTES * _escrow_slots(view)


def referral_room(view: ChainView, market_indexes: Iterable[int]) -> list[Instruction]:
    """Ahead of taker orders: a resize giving each of their markets a referral slot, when the
    escrow has none left (a market listed after it was opened would otherwise earn neither the
    trader's discount nor the referrer's reward). Empty when nothing is missing."""
    escrow = view.escrow
    if not view.pays_referral_through_escrow or escrow is None or escrow.referrer == Pubkey.default():
        return []
    slots = escrow.slots_for(market_indexes)
    if slots <= escrow.slots:
        return []
    return [ix.resize_revenue_share_escrow_orders(view.program, view.authority, view.authority, slots)]


def referral_accounts(view: ChainView) -> list[AccountMeta]:
    """What a taker fill names after its makers: the escrow (writable: the program accrues the
    referrer's reward in it), then the referrer's UserStats, which sets the reward's rate."""
    if not view.pays_referral_through_escrow or view.escrow is None:
        return []
    metas = [AccountMeta(view.escrow_key, False, True)]
    if view.escrow.referrer != Pubkey.default():
        metas.append(AccountMeta(view.program.pdas.user_stats(view.escrow.referrer), False, False))
    return metas


def deposit_token(view: ChainView, market_index: int, amount: int) -> list[Instruction]:
    view.require_user()
    market = view.spot(market_index)
    source = token_account(view, market_index)
    remaining = remaining_accounts(view, writable_spots=[market_index])
    return [ix.deposit(view.program, view.authority, SUB_ACCOUNT, market_index, amount, source,
                       token_program(market), remaining=remaining)]  # fmt: skip


def deposit_sol(view: ChainView, market_index: int, lamports: int, wallet_lamports: int) -> list[Instruction]:
    """Wrap `lamports` in the wallet's wrapped-SOL account, deposit them, close the account."""
    view.require_user()
    if wallet_lamports < lamports + WRAPPED_SOL_ACCOUNT_LAMPORTS:
        raise RektError(
            f"The session wallet holds {format_sol(wallet_lamports)}; depositing {format_sol(lamports)} needs "
            f"{format_sol(WRAPPED_SOL_ACCOUNT_LAMPORTS)} more for the temporary wrapped-SOL account."
        )
    authority = view.authority
    wrapped = get_associated_token_address(authority, WRAPPED_SOL_MINT)
    return [
        create_idempotent_associated_token_account(authority, authority, WRAPPED_SOL_MINT),
        transfer(TransferParams(from_pubkey=authority, to_pubkey=wrapped, lamports=lamports)),
        sync_native(SyncNativeParams(TOKEN_PROGRAM_ID, wrapped)),
        *deposit_token(view, market_index, lamports),
        close_account(CloseAccountParams(TOKEN_PROGRAM_ID, wrapped, authority, authority)),
    ]


def withdraw(view: ChainView, market_index: int, amount: int) -> list[Instruction]:
    """Reduce-only: at most the deposit, never a borrow, so repeating it is harmless. The
    destination token account is created first if missing; wrapped SOL is closed into the wallet."""
    user = view.require_user()
    market = view.spot(market_index)
    held = next((s for s in user.spot_positions if s.market_index == market_index and s.scaled_balance), None)
    if held is None or held.borrow:
        raise RektError(f"There is no {market.symbol} deposit on the venue to withdraw.")
    authority = view.authority
    program_id = token_program(market)
    destination = get_associated_token_address(authority, market.mint, program_id)
    remaining = remaining_accounts(view, writable_spots=[market_index])
    instructions = [
        create_idempotent_associated_token_account(authority, authority, market.mint, program_id),
        ix.withdraw(view.program, authority, SUB_ACCOUNT, market_index, amount, destination, program_id,
                    reduce_only=True, remaining=remaining),
    ]  # fmt: skip
    if market.mint == WRAPPED_SOL_MINT:
        instructions.append(close_account(CloseAccountParams(TOKEN_PROGRAM_ID, destination, authority, authority)))
    return instructions


def sell_spot(view: ChainView, market_index: int) -> NoReturn:
    """Refused: the pinned IDL has no spot order instruction (`place_spot_order` and its kin were
    removed; `begin_swap`/`end_swap` only bracket an outside swap program's route, which neither
    the localnet nor this client has), so a borrow is repaid only by depositing the asset owed."""
    symbol = view.spot(market_index).symbol
    quote = view.spot(QUOTE_MARKET_INDEX).symbol
    raise RektError(
        f"The relaunched program has no spot orders, so {symbol} cannot be traded for {quote} to repay it; "
        "deposit the borrowed asset into the account to repay it, then stop again."
    )


def settle_pnl(view: ChainView, market_indexes: Sequence[int]) -> list[Instruction]:
    user = view.require_user()
    held = {p.market_index for p in user.perp_positions if not p.is_empty}
    instructions = []
    for index in market_indexes:
        if index not in held:
            raise RektError(f"There is no position or unsettled PnL in perp market {index} to settle.")
        remaining = remaining_accounts(view, writable_perps=[index], writable_spots=[QUOTE_MARKET_INDEX])
        instructions.append(ix.settle_pnl(view.program, view.authority, SUB_ACCOUNT, index, remaining))
    return instructions


# Orders

def take(view: ChainView, params: OrderParams, makers: Sequence[AccountMeta] = ()) -> Instruction:
    """A taker order against the market's on-chain book, filling against the `makers` named
    (their User and UserStats, writable) and naming the trader's referral escrow; what does
    not fill at once is cancelled."""
    remaining = remaining_accounts(view, writable_perps=[params.market_index]) + list(makers) + referral_accounts(view)
    return ix.place_and_take_perp_order_v1(view.program, view.authority, SUB_ACCOUNT, params,
                                           book(view, params.market_index), remaining=remaining)  # fmt: skip


def make(view: ChainView, params: OrderParams) -> Instruction:
    """A post-only order resting on the market's on-chain book."""
    remaining = remaining_accounts(view, writable_perps=[params.market_index])
    return ix.place_and_make_perp_order_v1(view.program, view.authority, SUB_ACCOUNT, params,
                                           book(view, params.market_index), remaining=remaining)  # fmt: skip


def triggers(view: ChainView, params: Sequence[OrderParams]) -> Instruction:
    """Stop and take-profit orders, armed in `User.orders` until their trigger fires."""
    remaining = remaining_accounts(view, readable_perps=[p.market_index for p in params])
    return ix.place_trigger_orders_v1(view.program, view.authority, SUB_ACCOUNT, params, remaining)


def cancel_triggers(view: ChainView, order_ids: Sequence[int] | None) -> list[Instruction]:
    """Armed triggers (held in `User.orders`): these ids, or all of them for None."""
    remaining = remaining_accounts(view)
    if order_ids is None:
        accounts: dict[str, Pubkey | None] = {
            "state": view.program.pdas.state(), "user": view.user_key, "authority": view.authority,
        }  # fmt: skip
        args = {"market_type": None, "market_index": None, "direction": None}
        return [view.program.instructions.build("cancel_orders", args, accounts, remaining)]
    return [ix.cancel_order(view.program, view.authority, SUB_ACCOUNT, i, remaining) for i in order_ids]
