"""The `meta` of a landed transaction, shaped as getTransaction returns it.

Balances are listed for every account key of the transaction (loaded addresses
included) in key order; token balances only for the keys that are token accounts,
before and after. solders parses this object strictly, so every field is present.
"""

from collections.abc import Callable

from solders.pubkey import Pubkey

from rekt_localnet.account import Account
from rekt_localnet.keys import TOKEN_PROGRAM_ID
from rekt_localnet.runtime.message import LoadedTransaction
from rekt_localnet.token import MINT_SIZE, TOKEN_ACCOUNT_SIZE, Mint, TokenAccount, ui_amount

Lookup = Callable[[Pubkey], Account | None]


def balances(keys: list[Pubkey], lookup: Lookup) -> list[int]:
    return [0 if (account := lookup(key)) is None else account.lamports for key in keys]


def token_balances(keys: list[Pubkey], lookup: Lookup) -> list[dict]:
    """The token accounts among `keys`, as preTokenBalances/postTokenBalances list them."""
    found = []
    for index, key in enumerate(keys):
        account = lookup(key)
        if account is None or account.owner != TOKEN_PROGRAM_ID or len(account.data) != TOKEN_ACCOUNT_SIZE:
            continue
        token = TokenAccount.unpack(account.data)
        mint = lookup(token.mint)
        if mint is None or len(mint.data) != MINT_SIZE:
            continue
        found.append(
            {
                "accountIndex": index,
                "mint": str(token.mint),
                "owner": str(token.owner),
                "programId": str(TOKEN_PROGRAM_ID),
                "uiTokenAmount": ui_amount(token.amount, Mint.unpack(mint.data).decimals),
            }
        )
    return found


def transaction_meta(
    tx: LoadedTransaction,
    *,
    err: object,
    fee: int,
    pre: tuple[list[int], list[dict]],
    post: tuple[list[int], list[dict]],
    logs: list[str],
    inner: list[dict],
    units: int,
) -> dict:
    return {
        "err": err,
        "status": {"Ok": None} if err is None else {"Err": err},
        "fee": fee,
        "preBalances": pre[0],
        "postBalances": post[0],
        "innerInstructions": inner,
        "logMessages": logs,
        "preTokenBalances": pre[1],
        "postTokenBalances": post[1],
        "rewards": [],
        "loadedAddresses": {
            "writable": [str(key) for key in tx.loaded_writable],
            "readonly": [str(key) for key in tx.loaded_readonly],
        },
        "returnData": None,
        "computeUnitsConsumed": units,
    }
