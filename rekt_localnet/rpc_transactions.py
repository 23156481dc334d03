"""JSON-RPC methods that take transactions: send, simulate, fetch, and the transaction
faults and test-USDC faucet of the admin API (`rekt_*`).

Errors are shaped as a validator's: -32602 for bytes that do not decode or sanitize,
-32003 for a bad signature, -32002 "Transaction simulation failed: …" with `err`,
`logs` and `unitsConsumed` when preflight fails, -32015 when a v0 transaction is
fetched without `maxSupportedTransactionVersion`.

Admin methods:
- `rekt_mintUsdc [owner, amount]`: mint test USDC (native units; on a relaunch localnet,
  its USDT-like quote) to the owner's associated token account, creating it; answers
  `{signature, tokenAccount}`.
- `rekt_dropTransactions [n]`, `rekt_failTransactions [n, code]`,
  `rekt_delayConfirmations [slots]`, `rekt_clearTransactionFaults []`: transaction
  faults (runtime/faults.py); each answers the transaction faults now in force.
"""

import base64
import binascii

from solders.message import MessageV0
from solders.transaction import VersionedTransaction

from rekt_localnet.base58 import b58decode, b58encode
from rekt_localnet.node import Node
from rekt_localnet.runtime import MalformedTransaction, PreflightFailure, SignatureVerificationFailed
from rekt_localnet.wire import (
    AccountView,
    RpcError,
    context,
    invalid_params,
    param,
    parse_config,
    parse_pubkey,
)

SEND_PREFLIGHT_FAILURE = -32002
SIGNATURE_VERIFICATION_FAILURE = -32003
UNSUPPORTED_TRANSACTION_VERSION = -32015
INVALID_PARAMS = -32602
PACKET_DATA_SIZE = 1232
MAX_COUNT = 1_000_000


def _wire(params: list, config: dict) -> bytes:
    encoded = param(params, 0, "transaction")
    encoding = config.get("encoding") or "base58"
    if not isinstance(encoded, str) or encoding not in ("base58", "base64"):
        raise invalid_params(f"unsupported encoding: {encoding}. Supported encodings: base58, base64")
    try:
        wire = base64.b64decode(encoded, validate=True) if encoding == "base64" else b58decode(encoded)
    except (ValueError, binascii.Error):
        raise RpcError(INVALID_PARAMS, f"invalid {encoding} encoding: {encoded[:32]!r}") from None
    if len(wire) > PACKET_DATA_SIZE:
        message = f"decoded VersionedTransaction too large: {len(wire)} bytes (max: {PACKET_DATA_SIZE} bytes)"
        raise RpcError(INVALID_PARAMS, message)
    return wire


def _rejected(error: Exception) -> RpcError:
    if isinstance(error, PreflightFailure):
        data = {
            "err": error.err,
            "logs": error.logs,
            "accounts": None,
            "unitsConsumed": error.units_consumed,
            "returnData": None,
            "innerInstructions": None,
            "replacementBlockhash": None,
        }
        return RpcError(SEND_PREFLIGHT_FAILURE, str(error), data)
    if isinstance(error, SignatureVerificationFailed):
        return RpcError(SIGNATURE_VERIFICATION_FAILURE, str(error))
    return RpcError(INVALID_PARAMS, str(error))


def send_transaction(node: Node, params: list):
    """skipPreflight, preflightCommitment and maxRetries are accepted; the localnet has
    one bank, so every commitment simulates against the same state."""
    config = parse_config(params, 1)
    wire = _wire(params, config)
    try:
        return node.runtime.send(wire, skip_preflight=bool(config.get("skipPreflight")))
    except (MalformedTransaction, SignatureVerificationFailed, PreflightFailure) as error:
        raise _rejected(error) from None


def simulate_transaction(node: Node, params: list):
    config = parse_config(params, 1)
    wire = _wire(params, {"encoding": config.get("encoding") or "base58"})
    sig_verify, replace = bool(config.get("sigVerify")), bool(config.get("replaceRecentBlockhash"))
    if sig_verify and replace:
        raise invalid_params("sigVerify may not be used with replaceRecentBlockhash")
    wanted = config.get("accounts")
    if wanted is not None and (not isinstance(wanted, dict) or not isinstance(wanted.get("addresses"), list)):
        raise invalid_params("accounts must be {addresses: [...], encoding}")
    try:
        result = node.runtime.simulate(wire, sig_verify=sig_verify, replace_recent_blockhash=replace)
    except (MalformedTransaction, SignatureVerificationFailed) as error:
        raise _rejected(error) from None
    accounts = None
    if wanted is not None:
        view = AccountView.from_config({"encoding": wanted.get("encoding") or "base64"})
        states = [result.account(parse_pubkey(raw)) for raw in wanted["addresses"]]
        accounts = [None if state is None else view.encode(state, result.account) for state in states]
    replacement = None
    if result.replacement_blockhash is not None:
        blockhash, last_valid = result.replacement_blockhash
        replacement = {"blockhash": blockhash, "lastValidBlockHeight": last_valid}
    value = {
        "err": result.err,
        "logs": result.logs,
        "accounts": accounts,
        "unitsConsumed": result.units_consumed,
        "returnData": None,
        "innerInstructions": None,
        "replacementBlockhash": replacement,
    }
    return {"context": context(node.ledger.slot), "value": value}


def get_transaction(node: Node, params: list):
    """A landed transaction in `json` (the default), `base64` or `base58` encoding."""
    signature = param(params, 0, "signature")
    option = param(params, 1, "config", required=False)
    config = {"encoding": option} if isinstance(option, str) else parse_config(params, 1)
    if config.get("commitment") in ("processed", "recent"):
        raise invalid_params("Method does not support commitment below `confirmed`")
    record = node.ledger.transaction(signature) if isinstance(signature, str) else None
    if record is None:
        return None
    tx = VersionedTransaction.from_bytes(record.wire)
    version: object = 0 if isinstance(tx.message, MessageV0) else "legacy"
    supported = config.get("maxSupportedTransactionVersion")
    if version == 0 and (not isinstance(supported, int) or supported < 0):
        raise RpcError(
            UNSUPPORTED_TRANSACTION_VERSION,
            "Transaction version (0) is not supported by the requesting client. Please try the request again "
            'with the following configuration parameter: "maxSupportedTransactionVersion": 0',
        )
    encoding = config.get("encoding") or "json"
    if encoding == "base64":
        transaction: object = [base64.b64encode(record.wire).decode(), "base64"]
    elif encoding == "base58":
        transaction = [b58encode(record.wire), "base58"]
    else:
        transaction = _json_transaction(tx)
    return {
        "slot": record.slot,
        "blockTime": record.block_time,
        "meta": record.meta,
        "transaction": transaction,
        "version": version,
    }


def _json_transaction(tx: VersionedTransaction) -> dict:
    """The `json` encoding: signatures and the message with keys as strings."""
    message = tx.message
    body: dict = {
        "header": {
            "numRequiredSignatures": message.header.num_required_signatures,
            "numReadonlySignedAccounts": message.header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": message.header.num_readonly_unsigned_accounts,
        },
        "accountKeys": [str(key) for key in message.account_keys],
        "recentBlockhash": str(message.recent_blockhash),
        "instructions": [
            {
                "programIdIndex": ix.program_id_index,
                "accounts": list(bytes(ix.accounts)),
                "data": b58encode(bytes(ix.data)),
                "stackHeight": None,
            }
            for ix in message.instructions
        ],
    }
    if isinstance(message, MessageV0):
        body["addressTableLookups"] = [
            {
                "accountKey": str(lookup.account_key),
                "writableIndexes": list(bytes(lookup.writable_indexes)),
                "readonlyIndexes": list(bytes(lookup.readonly_indexes)),
            }
            for lookup in message.address_table_lookups
        ]
    return {"signatures": [str(sig) for sig in tx.signatures], "message": body}


# Admin

def _count(params: list, index: int, what: str) -> int:
    value = param(params, index, what)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
        raise invalid_params(f"{what} must be an integer between 0 and {MAX_COUNT}")
    return value


def _faults(node: Node) -> dict:
    faults = node.runtime.faults
    return {
        "drop": faults.drop,
        "fail": faults.fail,
        "failCode": faults.fail_code,
        "confirmationDelay": faults.confirmation_delay,
    }


def mint_usdc(node: Node, params: list):
    owner = parse_pubkey(param(params, 0, "owner"))
    amount = param(params, 1, "amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount < 2**64:
        raise invalid_params("amount must be a positive integer of native units (6 decimals)")
    signature, account = node.faucet.mint_usdc(owner, amount)
    return {"signature": signature, "tokenAccount": str(account)}


def drop_transactions(node: Node, params: list):
    node.runtime.drop_transactions(_count(params, 0, "count"))
    return _faults(node)


def fail_transactions(node: Node, params: list):
    count, code = _count(params, 0, "count"), param(params, 1, "code")
    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code < 2**32:
        raise invalid_params("code must be a custom program error code (a u32)")
    node.runtime.fail_transactions(count, code)
    return _faults(node)


def delay_confirmations(node: Node, params: list):
    node.runtime.delay_confirmations(_count(params, 0, "slots"))
    return _faults(node)


def clear_transaction_faults(node: Node, params: list):
    node.runtime.clear_transaction_faults()
    return _faults(node)


METHODS = {
    "sendTransaction": send_transaction,
    "simulateTransaction": simulate_transaction,
    "getTransaction": get_transaction,
    "rekt_mintUsdc": mint_usdc,
    "rekt_dropTransactions": drop_transactions,
    "rekt_failTransactions": fail_transactions,
    "rekt_delayConfirmations": delay_confirmations,
    "rekt_clearTransactionFaults": clear_transaction_faults,
}
