"""SPL Token account and mint layouts, and the `jsonParsed` view validators give of them.

Only the original Token program's fixed layouts are needed: a mint is 82 bytes and a
token account 165, each field little-endian, optional values as a 4-byte tag plus the
value. Amounts stay integers; the float `uiAmount` exists only because the RPC format
has it, and is derived from the exact decimal string.
"""

import struct
from dataclasses import dataclass
from decimal import Decimal

from solders.pubkey import Pubkey

MINT_SIZE = 82
TOKEN_ACCOUNT_SIZE = 165

ACCOUNT_STATE_INITIALIZED = 1
_STATE_NAMES = {0: "uninitialized", 1: "initialized", 2: "frozen"}

_MINT = struct.Struct("<I32sQB?I32s")
_TOKEN_ACCOUNT = struct.Struct("<32s32sQI32sBIQQI32s")


def _option_key(key: Pubkey | None) -> tuple[int, bytes]:
    return (0, bytes(32)) if key is None else (1, bytes(key))


def _key_or_none(tag: int, raw: bytes) -> Pubkey | None:
    return Pubkey.from_bytes(raw) if tag else None


@dataclass(frozen=True, slots=True)
class Mint:
    """A token mint: supply and decimals are what balances are read against."""

    decimals: int
    supply: int = 0
    mint_authority: Pubkey | None = None
    freeze_authority: Pubkey | None = None
    is_initialized: bool = True

    def pack(self) -> bytes:
        return _MINT.pack(
            *_option_key(self.mint_authority),
            self.supply,
            self.decimals,
            self.is_initialized,
            *_option_key(self.freeze_authority),
        )

    @classmethod
    def unpack(cls, data: bytes) -> "Mint":
        auth_tag, auth, supply, decimals, initialized, freeze_tag, freeze = _MINT.unpack(data[:MINT_SIZE])
        return cls(decimals, supply, _key_or_none(auth_tag, auth), _key_or_none(freeze_tag, freeze), initialized)


@dataclass(frozen=True, slots=True)
class TokenAccount:
    """A token account. For wrapped SOL `native_reserve` holds the rent reserve that
    the account's lamports carry on top of `amount`."""

    mint: Pubkey
    owner: Pubkey
    amount: int = 0
    delegate: Pubkey | None = None
    state: int = ACCOUNT_STATE_INITIALIZED
    native_reserve: int | None = None
    delegated_amount: int = 0
    close_authority: Pubkey | None = None

    def pack(self) -> bytes:
        return _TOKEN_ACCOUNT.pack(
            bytes(self.mint),
            bytes(self.owner),
            self.amount,
            *_option_key(self.delegate),
            self.state,
            0 if self.native_reserve is None else 1,
            self.native_reserve or 0,
            self.delegated_amount,
            *_option_key(self.close_authority),
        )

    @classmethod
    def unpack(cls, data: bytes) -> "TokenAccount":
        (mint, owner, amount, del_tag, delegate, state, native_tag, reserve, delegated, close_tag, close) = (
            _TOKEN_ACCOUNT.unpack(data[:TOKEN_ACCOUNT_SIZE])
        )
        return cls(
            Pubkey.from_bytes(mint),
            Pubkey.from_bytes(owner),
            amount,
            _key_or_none(del_tag, delegate),
            state,
            reserve if native_tag else None,
            delegated,
            _key_or_none(close_tag, close),
        )


def ui_amount(amount: int, decimals: int) -> dict:
    """The `tokenAmount` object of the RPC: exact string first, float as a courtesy."""
    exact = Decimal(amount).scaleb(-decimals)
    text = f"{exact:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return {"amount": str(amount), "decimals": decimals, "uiAmount": float(exact), "uiAmountString": text}


def parsed_mint(data: bytes) -> dict:
    """`jsonParsed` data of a mint account."""
    mint = Mint.unpack(data)
    info = {
        "decimals": mint.decimals,
        "freezeAuthority": str(mint.freeze_authority) if mint.freeze_authority else None,
        "isInitialized": mint.is_initialized,
        "mintAuthority": str(mint.mint_authority) if mint.mint_authority else None,
        "supply": str(mint.supply),
    }
    return {"program": "spl-token", "parsed": {"info": info, "type": "mint"}, "space": len(data)}


def parsed_token_account(data: bytes, decimals: int) -> dict:
    """`jsonParsed` data of a token account whose mint has `decimals`."""
    account = TokenAccount.unpack(data)
    info: dict = {
        "isNative": account.native_reserve is not None,
        "mint": str(account.mint),
        "owner": str(account.owner),
        "state": _STATE_NAMES.get(account.state, "uninitialized"),
        "tokenAmount": ui_amount(account.amount, decimals),
    }
    if account.delegate is not None:
        info["delegate"] = str(account.delegate)
        info["delegatedAmount"] = ui_amount(account.delegated_amount, decimals)
    if account.native_reserve is not None:
        info["rentExemptReserve"] = ui_amount(account.native_reserve, decimals)
    if account.close_authority is not None:
        info["closeAuthority"] = str(account.close_authority)
    return {"program": "spl-token", "parsed": {"info": info, "type": "account"}, "space": len(data)}
