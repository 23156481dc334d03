"""How accounts, filters and request options look on the wire, shared by HTTP and websocket.

Shapes and error codes follow what a Solana validator answers, since client libraries
parse them strictly (solders rejects a notification with a missing field). Where the
localnet must choose, it chooses what the brief of the project fixes: no `encoding` means
base64, and `jsonParsed` falls back to base64 for accounts it does not parse.
"""

import base64
from collections.abc import Callable
from dataclasses import dataclass

from rekt_localnet.base58 import b58decode, b58encode
import zstandard
from solders.pubkey import Pubkey

from rekt_localnet.account import Account
from rekt_localnet.keys import TOKEN_PROGRAM_ID
from rekt_localnet.token import MINT_SIZE, TOKEN_ACCOUNT_SIZE, Mint, TokenAccount, parsed_mint, parsed_token_account

API_VERSION = "2.1.21"
FEATURE_SET = 3_271_415_109

INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
PARSE_ERROR = -32700
MIN_CONTEXT_SLOT_NOT_REACHED = -32016

ENCODINGS = ("binary", "base58", "base64", "jsonParsed", "base64+zstd")
COMMITMENTS = ("processed", "confirmed", "finalized", "recent", "single", "singleGossip", "root", "max")
MAX_BASE58_BYTES = 128
MAX_FILTERS = 4
MAX_MEMCMP_BYTES = 128


class RpcError(Exception):
    """An error answered to the client as a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict:
        error: dict = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def invalid_params(detail: str) -> RpcError:
    return RpcError(INVALID_PARAMS, f"Invalid params: {detail}")


def invalid_param(detail: str) -> RpcError:
    """The error a validator gives for one bad value (an address, an account)."""
    return RpcError(INVALID_PARAMS, f"Invalid param: {detail}")


def context(slot: int) -> dict:
    return {"apiVersion": API_VERSION, "slot": slot}


def param(params: list, index: int, what: str, *, required: bool = True):
    """The positional parameter at `index`, or None when optional and absent."""
    if index < len(params) and params[index] is not None:
        return params[index]
    if required:
        raise invalid_params(f"missing {what}")
    return None


def parse_pubkey(value: object) -> Pubkey:
    if not isinstance(value, str):
        raise invalid_param("Invalid")
    try:
        return Pubkey.from_string(value)
    except ValueError:
        raise invalid_param("WrongSize" if len(value) < 32 else "Invalid") from None


def parse_config(params: list, index: int) -> dict:
    """The options object at `index` (empty when absent), with commitment checked."""
    config = param(params, index, "config", required=False) or {}
    if not isinstance(config, dict):
        raise invalid_params(f"invalid type: expected a config object at position {index}")
    commitment = config.get("commitment")
    if commitment is not None and commitment not in COMMITMENTS:
        raise invalid_params(f"unknown variant `{commitment}`, expected one of `processed`, `confirmed`, `finalized`")
    return config


def check_min_context_slot(config: dict, slot: int) -> None:
    """Refuse, as a validator does, to answer for a slot it has not reached."""
    minimum = config.get("minContextSlot")
    if minimum is not None and not isinstance(minimum, int):
        raise invalid_params("minContextSlot must be an integer")
    if minimum is not None and minimum > slot:
        raise RpcError(MIN_CONTEXT_SLOT_NOT_REACHED, "Minimum context slot has not been reached", {"contextSlot": slot})


@dataclass(frozen=True, slots=True)
class AccountView:
    """How one request wants accounts encoded."""

    encoding: str = "base64"
    offset: int = 0
    length: int | None = None

    @classmethod
    def from_config(cls, config: dict) -> "AccountView":
        encoding = config.get("encoding") or "base64"
        if encoding not in ENCODINGS:
            expected = ", ".join(f"`{name}`" for name in ENCODINGS)
            raise invalid_params(f"unknown variant `{encoding}`, expected one of {expected}")
        data_slice = config.get("dataSlice")
        if data_slice is None:
            return cls(encoding)
        if not isinstance(data_slice, dict) or not all(
            isinstance(data_slice.get(k), int) and data_slice[k] >= 0 for k in ("offset", "length")
        ):
            raise invalid_params("dataSlice needs non-negative integer `offset` and `length`")
        return cls(encoding, data_slice["offset"], data_slice["length"])

    def encode(self, account: Account, lookup: Callable[[Pubkey], Account | None]) -> dict:
        """The account as the RPC shows it; `lookup` finds a token account's mint."""
        return {
            "data": self._data(account, lookup),
            "executable": account.executable,
            "lamports": account.lamports,
            "owner": str(account.owner),
            "rentEpoch": account.rent_epoch,
            "space": len(account.data),
        }

    def _data(self, account: Account, lookup: Callable[[Pubkey], Account | None]):
        if self.encoding == "jsonParsed" and self.length is None:
            parsed = _parsed(account, lookup)
            if parsed is not None:
                return parsed
        data = account.data if self.length is None else account.data[self.offset : self.offset + self.length]
        if self.encoding in ("binary", "base58"):
            if len(data) > MAX_BASE58_BYTES:
                raise RpcError(
                    INVALID_REQUEST,
                    "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
                )
            text = b58encode(data)
            return text if self.encoding == "binary" else [text, "base58"]
        if self.encoding == "base64+zstd":
            return [base64.b64encode(zstandard.ZstdCompressor().compress(data)).decode(), "base64+zstd"]
        return [base64.b64encode(data).decode(), "base64"]


def _parsed(account: Account, lookup: Callable[[Pubkey], Account | None]) -> dict | None:
    if account.owner != TOKEN_PROGRAM_ID:
        return None
    if len(account.data) == MINT_SIZE:
        return parsed_mint(account.data)
    if len(account.data) == TOKEN_ACCOUNT_SIZE:
        mint = lookup(TokenAccount.unpack(account.data).mint)
        if mint is not None and len(mint.data) == MINT_SIZE:
            return parsed_token_account(account.data, Mint.unpack(mint.data).decimals)
    return None


Filter = Callable[[bytes], bool]


def parse_filters(raw: object) -> list[Filter]:
    """getProgramAccounts / programSubscribe filters as predicates on account data."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_FILTERS:
        raise invalid_params(f"filters must be a list of at most {MAX_FILTERS}")
    return [_parse_filter(item) for item in raw]


def _parse_filter(item: object) -> Filter:
    if isinstance(item, dict) and isinstance(item.get("dataSize"), int):
        size = item["dataSize"]
        return lambda data: len(data) == size
    memcmp = item.get("memcmp") if isinstance(item, dict) else None
    if not isinstance(memcmp, dict) or not isinstance(memcmp.get("offset"), int) or memcmp["offset"] < 0:
        raise invalid_params(f"unsupported filter {item!r}: use memcmp {{offset, bytes}} or dataSize")
    offset, encoded = memcmp["offset"], memcmp.get("bytes")
    if not isinstance(encoded, str):
        raise invalid_params("memcmp needs `bytes` as a string")
    try:
        if memcmp.get("encoding", "base58") == "base64":
            expected = base64.b64decode(encoded, validate=True)
        else:
            expected = b58decode(encoded)
    except ValueError:
        raise invalid_params(f"memcmp bytes {encoded!r} are not valid {memcmp.get('encoding', 'base58')}") from None
    if len(expected) > MAX_MEMCMP_BYTES:
        raise invalid_params(f"memcmp bytes longer than {MAX_MEMCMP_BYTES}")
    end = offset + len(expected)
    return lambda data: data[offset:end] == expected
