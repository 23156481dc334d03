"""Instructions for a session's account and funds: open the Drift account, move collateral
in and out, settle PnL, sweep the wallet.

Each builder reads the subscribed DriftClient's current state and returns instructions;
it sends nothing (our sender does, see transactions.py). Amounts were validated by the
domain before they got here; what is refused here is what the chain would refuse anyway
(no account yet, nothing to withdraw, a wallet that cannot pay), so the user gets one
sentence instead of a failed transaction and its fee.
"""

from driftpy.addresses import get_user_account_public_key, get_user_stats_account_public_key
from driftpy.constants.numeric_constants import QUOTE_SPOT_MARKET_INDEX
from driftpy.constants.spot_markets import WRAPPED_SOL_MINT
from driftpy.decode.utils import decode_name
from driftpy.drift_client import DEFAULT_USER_NAME, DriftClient
from driftpy.drift_user import DriftUser
from driftpy.types import ReferrerInfo, SpotMarketAccount
from solders.instruction import Instruction
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import CloseAccountParams, close_account, get_associated_token_address
from spl.token.instructions import TransferParams as SplTransferParams
from spl.token.instructions import transfer as spl_transfer

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.money import format_sol, format_usd

SOL_SPOT_MARKET_INDEX = 1
# driftpy's wrapped-SOL path funds its temporary token account with the amount plus this
# (the account's rent); closing it at the end of the transaction gives it all back.
WRAPPED_SOL_ACCOUNT_LAMPORTS = 10**9 // 100
# SPL token account layout: mint (32), owner (32), amount (u64 little-endian).
_TOKEN_AMOUNT = slice(64, 72)
TOKEN_ACCOUNT_SIZE = 165


def drift_user(client: DriftClient) -> DriftUser:
    """The session's subscribed DriftUser, or a sentence saying there is none yet."""
    user = client.users.get(client.active_sub_account_id)
    if user is None or user.get_user_account_and_slot() is None:
        raise RektError("This session has no Drift account loaded; initialize it (rekt-tui init) first.")
    return user


def _spot_market(client: DriftClient, market_index: int) -> SpotMarketAccount:
    market = client.get_spot_market_account(market_index)
    if market is None:
        raise RektError(f"Spot market {market_index} does not exist on this cluster.")
    return market


def spot_symbol(client: DriftClient, market_index: int) -> str:
    return str(decode_name(_spot_market(client, market_index).name)).strip()


async def wallet_lamports(client: DriftClient) -> int:
    return (await client.connection.get_balance(client.wallet.public_key)).value


async def wallet_usdc(client: DriftClient) -> int:
    """USDC (1e6) in the session wallet's associated token account; 0 when it has none. The
    session wallet is the authority: a read-only client signs with a throwaway keypair."""
    account = get_associated_token_address(client.authority, _spot_market(client, QUOTE_SPOT_MARKET_INDEX).mint)
    return await token_balance(client, account) or 0


async def token_balance(client: DriftClient, token_account: Pubkey) -> int | None:
    """Tokens in an SPL token account; None when the account does not exist."""
    account = (await client.connection.get_account_info(token_account)).value
    return None if account is None else int.from_bytes(bytes(account.data)[_TOKEN_AMOUNT], "little")


async def initialize_account(client: DriftClient, referrer: Pubkey | None) -> list[Instruction]:
    """UserStats (unless it exists) and User, recording `referrer` on the new UserStats.

    The referrer's own User and UserStats must exist, or Drift refuses the account
    (CouldNotDeserializeReferrer); checking first turns that into a config sentence.
    """
    keys = [client.get_user_account_public_key(), client.get_user_stats_public_key()]
    referrer_info = None
    if referrer is not None:
        if referrer == client.authority:
            raise RektError("The configured referrer is this session's own wallet; set another referrer.")
        referrer_info = ReferrerInfo(
            get_user_account_public_key(client.program_id, referrer, 0),
            get_user_stats_account_public_key(client.program_id, referrer),
        )
        keys += [referrer_info.referrer, referrer_info.referrer_stats]
    found = (await client.connection.get_multiple_accounts(keys)).value
    if found[0] is not None:
        raise RektError("This session already has a Drift account; there is nothing to initialize.")
    if referrer is not None and (found[2] is None or found[3] is None):
        raise RektError(
            f"The configured referrer {referrer} has no Drift account on this cluster; fix the cluster's referrer."
        )
    stats = [] if found[1] is not None else [client.get_initialize_user_stats()]
    # driftpy takes None for "no referrer" though its annotation does not say so.
    return [*stats, client.get_initialize_user_instructions(0, DEFAULT_USER_NAME, referrer_info)]  # type: ignore[arg-type]


async def deposit_usdc(client: DriftClient, amount: int) -> list[Instruction]:
    """Deposit USDC from the wallet's associated token account."""
    drift_user(client)
    source = client.get_associated_token_account_public_key(QUOTE_SPOT_MARKET_INDEX)
    held = await token_balance(client, source) or 0
    if held < amount:
        raise RektError(
            f"The session wallet holds {format_usd(held)} of USDC, less than the {format_usd(amount)} to deposit."
        )
    return await client.get_deposit_collateral_ix(amount, QUOTE_SPOT_MARKET_INDEX, source)


async def deposit_sol(client: DriftClient, lamports: int) -> list[Instruction]:
    """Deposit SOL through driftpy's wrapped-SOL path (create, deposit, close in one
    transaction). Keeping SOL back for fees is the caller's decision."""
    drift_user(client)
    balance = await wallet_lamports(client)
    if balance < lamports + WRAPPED_SOL_ACCOUNT_LAMPORTS:
        raise RektError(
            f"The session wallet holds {format_sol(balance)}; depositing {format_sol(lamports)} needs "
            f"{format_sol(WRAPPED_SOL_ACCOUNT_LAMPORTS)} more for the temporary wrapped-SOL account."
        )
    return await client.get_deposit_collateral_ix(lamports, SOL_SPOT_MARKET_INDEX, client.wallet.public_key)


async def withdraw(
    client: DriftClient, market_index: int, amount: int, *, reduce_only: bool = True
) -> list[Instruction]:
    """Withdraw to the wallet: USDC to its associated token account (created if missing),
    SOL through a temporary wrapped-SOL account that is closed back into the wallet.

    Reduce-only by default: Drift then withdraws at most the deposit and never opens a
    borrow, so sending it twice is harmless.
    """
    user = drift_user(client)
    symbol = spot_symbol(client, market_index)
    if reduce_only and user.get_token_amount(market_index) <= 0:
        raise RektError(f"There is no {symbol} deposit in Drift to withdraw.")
    if _spot_market(client, market_index).mint != WRAPPED_SOL_MINT:
        destination = client.get_associated_token_account_public_key(market_index)
        return await client.get_withdraw_collateral_ix(amount, market_index, destination, reduce_only)
    if await wallet_lamports(client) < WRAPPED_SOL_ACCOUNT_LAMPORTS:
        raise RektError(
            f"Withdrawing SOL needs {format_sol(WRAPPED_SOL_ACCOUNT_LAMPORTS)} in the session wallet "
            "for a temporary wrapped-SOL account; fund the wallet with a little SOL first."
        )
    return await client.get_withdraw_collateral_ix(amount, market_index, client.wallet.public_key, reduce_only)


def settle_pnl(client: DriftClient, market_index: int) -> list[Instruction]:
    """Move the PnL of one perp market into the USDC balance (a loss beyond the USDC
    deposit becomes a USDC borrow)."""
    user = drift_user(client)
    if user.get_perp_position(market_index) is None:
        raise RektError(f"There is no position or unsettled PnL in perp market {market_index} to settle.")
    return [client.get_settle_pnl_ix(user.user_public_key, user.get_user_account(), market_index)]


async def sweep_wallet(client: DriftClient, destination: Pubkey, *, fee: int) -> list[Instruction]:
    """Empty the session wallet into `destination`: its USDC (to the destination's
    associated token account, created if missing), the rent of its own USDC account
    (closed), and all its SOL but `fee`, what this transaction costs. The wallet ends at
    zero lamports, so the cluster drops it.
    """
    wallet = client.wallet.public_key
    if destination == wallet:
        raise RektError("The sweep destination is the session wallet itself; give another address.")
    mint = _spot_market(client, QUOTE_SPOT_MARKET_INDEX).mint
    source = get_associated_token_address(wallet, mint)
    usdc = await token_balance(client, source)
    instructions, rent = [], 0
    if usdc:
        target = get_associated_token_address(destination, mint)
        if await token_balance(client, target) is None:
            rent = (await client.connection.get_minimum_balance_for_rent_exemption(TOKEN_ACCOUNT_SIZE)).value
        instructions += [
            client.create_associated_token_account_idempotent_instruction(target, wallet, destination, mint),
            spl_transfer(SplTransferParams(TOKEN_PROGRAM_ID, source, target, wallet, usdc)),
        ]
    if usdc is not None:
        instructions.append(close_account(CloseAccountParams(TOKEN_PROGRAM_ID, source, destination, wallet)))
    balance = await wallet_lamports(client)
    if balance <= fee + rent:
        raise RektError(
            f"The session wallet holds {format_sol(balance)}, not enough to pay for sweeping it "
            f"({format_sol(fee + rent)})."
        )
    rest = transfer(TransferParams(from_pubkey=wallet, to_pubkey=destination, lamports=balance - fee - rent))
    return [*instructions, rest]
