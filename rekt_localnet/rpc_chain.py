"""JSON-RPC methods about the chain itself: slots, blockhashes, signatures, the faucet.

getTransaction lives with the other transaction methods in rpc_transactions.py,
getSignaturesForAddress in rpc_signatures.py.
"""

from rekt_localnet.faucet import AirdropError
from rekt_localnet.node import Node
from rekt_localnet.store import TransactionRecord
from rekt_localnet.wire import (
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


def get_version(node: Node, params: list):
    return {"solana-core": API_VERSION, "feature-set": FEATURE_SET}


def get_health(node: Node, params: list):
    return "ok"


def get_genesis_hash(node: Node, params: list):
    """The ledger's identity: the hash its first blockhash was derived from, kept on disk."""
    return node.ledger.genesis_hash


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
    "getVersion": get_version,
    "getHealth": get_health,
    "getGenesisHash": get_genesis_hash,
    "getEpochInfo": get_epoch_info,
    "requestAirdrop": request_airdrop,
}
