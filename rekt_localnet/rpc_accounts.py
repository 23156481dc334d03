"""JSON-RPC methods that read accounts: by address, by program, balances, token accounts."""

from rekt_localnet.account import rent_exempt_minimum
from rekt_localnet.keys import TOKEN_PROGRAM_ID
from rekt_localnet.ledger import Ledger
from rekt_localnet.node import Node
from rekt_localnet.token import MINT_SIZE, TOKEN_ACCOUNT_SIZE, Mint, TokenAccount, ui_amount
from rekt_localnet.wire import (
    AccountView,
    check_min_context_slot,
    context,
    invalid_param,
    invalid_params,
    param,
    parse_config,
    parse_filters,
    parse_pubkey,
)

MAX_MULTIPLE_ACCOUNTS = 100


def _config(ledger: Ledger, params: list, index: int) -> dict:
    config = parse_config(params, index)
    check_min_context_slot(config, ledger.slot)
    return config


def get_account_info(node: Node, params: list):
    ledger = node.ledger
    key = parse_pubkey(param(params, 0, "pubkey"))
    view = AccountView.from_config(_config(ledger, params, 1))
    account = ledger.get(key)
    value = None if account is None else view.encode(account, ledger.get)
    return {"context": context(ledger.slot), "value": value}


def get_multiple_accounts(node: Node, params: list):
    ledger = node.ledger
    keys = param(params, 0, "pubkeys")
    if not isinstance(keys, list):
        raise invalid_params("expected a list of pubkeys")
    if len(keys) > MAX_MULTIPLE_ACCOUNTS:
        raise invalid_params(f"Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")
    view = AccountView.from_config(_config(ledger, params, 1))
    values = []
    for raw in keys:
        account = ledger.get(parse_pubkey(raw))
        values.append(None if account is None else view.encode(account, ledger.get))
    return {"context": context(ledger.slot), "value": values}


def get_program_accounts(node: Node, params: list):
    ledger = node.ledger
    program = parse_pubkey(param(params, 0, "program id"))
    config = _config(ledger, params, 1)
    view = AccountView.from_config(config)
    filters = parse_filters(config.get("filters"))
    found = [
        {"pubkey": str(key), "account": view.encode(account, ledger.get)}
        for key, account in ledger.owned_by(program)
        if all(matches(account.data) for matches in filters)
    ]
    if config.get("withContext"):
        return {"context": context(ledger.slot), "value": found}
    return found


def get_balance(node: Node, params: list):
    ledger = node.ledger
    key = parse_pubkey(param(params, 0, "pubkey"))
    _config(ledger, params, 1)
    account = ledger.get(key)
    return {"context": context(ledger.slot), "value": 0 if account is None else account.lamports}


def _token_account(ledger: Ledger, key) -> TokenAccount:
    account = ledger.get(key)
    if account is None or account.owner != TOKEN_PROGRAM_ID or len(account.data) != TOKEN_ACCOUNT_SIZE:
        raise invalid_param("not a Token account")
    return TokenAccount.unpack(account.data)


def _decimals(ledger: Ledger, mint_key) -> int:
    mint = ledger.get(mint_key)
    if mint is None or len(mint.data) != MINT_SIZE:
        raise invalid_param("could not find mint")
    return Mint.unpack(mint.data).decimals


def get_token_account_balance(node: Node, params: list):
    ledger = node.ledger
    token = _token_account(ledger, parse_pubkey(param(params, 0, "token account")))
    _config(ledger, params, 1)
    return {"context": context(ledger.slot), "value": ui_amount(token.amount, _decimals(ledger, token.mint))}


def get_token_accounts_by_owner(node: Node, params: list):
    ledger = node.ledger
    owner = parse_pubkey(param(params, 0, "owner"))
    selector = param(params, 1, "mint or programId filter")
    if not isinstance(selector, dict) or len(selector) != 1 or not ({"mint", "programId"} & selector.keys()):
        raise invalid_params("expected {mint} or {programId} as the second parameter")
    config = _config(ledger, params, 2)
    view = AccountView.from_config(config)
    mint = parse_pubkey(selector["mint"]) if "mint" in selector else None
    if "programId" in selector and parse_pubkey(selector["programId"]) != TOKEN_PROGRAM_ID:
        raise invalid_param("unrecognized Token program id")
    found = []
    for key, account in ledger.owned_by(TOKEN_PROGRAM_ID):
        if len(account.data) != TOKEN_ACCOUNT_SIZE:
            continue
        token = TokenAccount.unpack(account.data)
        if token.owner == owner and (mint is None or token.mint == mint):
            found.append({"pubkey": str(key), "account": view.encode(account, ledger.get)})
    return {"context": context(ledger.slot), "value": found}


def get_minimum_balance_for_rent_exemption(node: Node, params: list):
    ledger = node.ledger
    size = param(params, 0, "data length")
    if not isinstance(size, int) or size < 0:
        raise invalid_params("data length must be a non-negative integer")
    _config(ledger, params, 1)
    return rent_exempt_minimum(size)


METHODS = {
    "getAccountInfo": get_account_info,
    "getMultipleAccounts": get_multiple_accounts,
    "getProgramAccounts": get_program_accounts,
    "getBalance": get_balance,
    "getTokenAccountBalance": get_token_account_balance,
    "getTokenAccountsByOwner": get_token_accounts_by_owner,
    "getMinimumBalanceForRentExemption": get_minimum_balance_for_rent_exemption,
}
