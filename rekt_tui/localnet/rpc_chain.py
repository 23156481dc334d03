"""JSON-RPC methods about the chain itself: slots, blockhashes, signatures, the faucet."""

import base64

from rekt_tui.domain.pubkey import b58decode, b58encode
from solders.transaction import Transaction

from rekt_tui.localnet.faucet import AirdropError
from rekt_tui.localnet.node import Node
from rekt_tui.localnet.store import TransactionRecord
from rekt_tui.localnet.wire import (
    API_VERSION,
    FEATURE_SET,
    RpcError,
    check_min_context_slot,
    context,
    invalid_params,
    param,
    parse_config,
    parse_pubkey,
)

SLOTS_PER_EPOCH = 432_000
MAX_SIGNATURE_STATUSES = 256
SERVER_ERROR_AIRDROP = -32003


def _config(node: Node, params: list, index: int) -> dict:
    config = parse_config(params, index)
    check_min_context_slot(config, node.ledger.slot)
    return config


def get_slot(node: Node, params: list):
    _config(node, params, 0)
    return node.ledger.slot


def get_block_height(node: Node, params: list):
    _config(node, params, 0)
    return node.ledger.block_height


def get_latest_blockhash(node: Node, params: list):
    _config(node, params, 0)
    blockhash, last_valid = node.ledger.latest_blockhash
    return {"context": context(node.ledger.slot), "value": {"blockhash": blockhash, "lastValidBlockHeight": last_valid}}


def is_blockhash_valid(node: Node, params: list):
    blockhash = param(params, 0, "blockhash")
    _config(node, params, 1)
    valid = isinstance(blockhash, str) and node.ledger.blockhash_last_valid_height(blockhash) is not None
    return {"context": context(node.ledger.slot), "value": valid}


def _status(node: Node, record: TransactionRecord | None):
    if record is None:
        return None
    finalized = node.ledger.is_finalized(record)
    return {
        "slot": record.slot,
        "confirmations": None if finalized else 0,
        "err": record.err,
        "status": {"Ok": None} if record.err is None else {"Err": record.err},
        "confirmationStatus": "finalized" if finalized else "confirmed",
    }


def get_signature_statuses(node: Node, params: list):
    signatures = param(params, 0, "signatures")
    if not isinstance(signatures, list) or not all(isinstance(sig, str) for sig in signatures):
        raise invalid_params("expected a list of signatures")
    if len(signatures) > MAX_SIGNATURE_STATUSES:
        raise invalid_params(f"Too many inputs provided; max {MAX_SIGNATURE_STATUSES}")
    search = bool(parse_config(params, 1).get("searchTransactionHistory"))
    statuses = [_status(node, node.ledger.transaction(sig, search_history=search)) for sig in signatures]
    return {"context": context(node.ledger.slot), "value": statuses}


def get_transaction(node: Node, params: list):
    """A landed transaction in `json` (the default) or `base64` encoding."""
    signature = param(params, 0, "signature")
    option = param(params, 1, "config", required=False)
    config = {"encoding": option} if isinstance(option, str) else parse_config(params, 1)
    if config.get("commitment") in ("processed", "recent"):
        raise invalid_params("Method does not support commitment below `confirmed`")
    record = node.ledger.transaction(signature) if isinstance(signature, str) else None
    if record is None:
        return None
    if config.get("encoding") == "base64":
        transaction: object = [base64.b64encode(record.wire).decode(), "base64"]
    else:
        transaction = _json_transaction(record.wire)
    return {
        "slot": record.slot,
        "blockTime": record.block_time,
        "meta": record.meta,
        "transaction": transaction,
        "version": "legacy",
    }


def _json_transaction(wire: bytes) -> dict:
    """The `json` encoding of a legacy transaction: signatures and the message, keys as strings."""
    tx = Transaction.from_bytes(wire)
    message = tx.message
    keys = [str(key) for key in message.account_keys]
    return {
        "signatures": [str(sig) for sig in tx.signatures],
        "message": {
            "header": {
                "numRequiredSignatures": message.header.num_required_signatures,
                "numReadonlySignedAccounts": message.header.num_readonly_signed_accounts,
                "numReadonlyUnsignedAccounts": message.header.num_readonly_unsigned_accounts,
            },
            "accountKeys": keys,
            "recentBlockhash": str(message.recent_blockhash),
            "instructions": [
                {
                    "programIdIndex": ix.program_id_index,
                    "accounts": list(ix.accounts),
                    "data": b58encode(bytes(ix.data)),
                    "stackHeight": None,
                }
                for ix in message.instructions
            ],
        },
    }


def get_version(node: Node, params: list):
    return {"solana-core": API_VERSION, "feature-set": FEATURE_SET}


def get_health(node: Node, params: list):
    return "ok"


def get_epoch_info(node: Node, params: list):
    _config(node, params, 0)
    ledger = node.ledger
    return {
        "absoluteSlot": ledger.slot,
        "blockHeight": ledger.block_height,
        "epoch": ledger.slot // SLOTS_PER_EPOCH,
        "slotIndex": ledger.slot % SLOTS_PER_EPOCH,
        "slotsInEpoch": SLOTS_PER_EPOCH,
        "transactionCount": ledger.transaction_count,
    }


def request_airdrop(node: Node, params: list):
    recipient = parse_pubkey(param(params, 0, "pubkey"))
    lamports = param(params, 1, "lamports")
    if not isinstance(lamports, int) or isinstance(lamports, bool) or not 0 < lamports < 2**64:
        raise invalid_params("lamports must be a positive integer")
    parse_config(params, 2)
    try:
        return node.faucet.request(recipient, lamports)
    except AirdropError as error:
        raise RpcError(SERVER_ERROR_AIRDROP, f"airdrop request failed: {error}") from None


METHODS = {
    "getSlot": get_slot,
    "getBlockHeight": get_block_height,
    "getLatestBlockhash": get_latest_blockhash,
    "isBlockhashValid": is_blockhash_valid,
    "getSignatureStatuses": get_signature_statuses,
    "getTransaction": get_transaction,
    "getVersion": get_version,
    "getHealth": get_health,
    "getEpochInfo": get_epoch_info,
    "requestAirdrop": request_airdrop,
}
