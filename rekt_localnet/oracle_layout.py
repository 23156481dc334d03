"""Where the oracle feed's fields sit in Drift's account bytes, found once from the IDL.

The feed rewrites a few integers of each oracle and perp market every slot. Decoding and
re-encoding a whole PerpMarket with anchorpy costs about a millisecond; patching the
integers in place costs microseconds. The offsets are not hand-written: each field is
located by encoding a default account with a distinct marker value in it, so they follow
the IDL driftpy ships.
"""

from dataclasses import dataclass, replace
from functools import cache

from rekt_localnet.encoding import default_account, encode_account

_MARKER = 0x5EED_0000_0000_0000


@dataclass(frozen=True, slots=True)
class Field:
    offset: int
    size: int
    signed: bool

    def read(self, data: bytes) -> int:
        return int.from_bytes(data[self.offset : self.offset + self.size], "little", signed=self.signed)

    def write(self, buffer: bytearray, value: int) -> None:
        buffer[self.offset : self.offset + self.size] = value.to_bytes(self.size, "little", signed=self.signed)


def _with(value, path: tuple[str, ...], new: int):
    if len(path) == 1:
        return replace(value, **{path[0]: new})
    return replace(value, **{path[0]: _with(getattr(value, path[0]), path[1:], new)})


def _locate(account_name: str, path: tuple[str, ...], size: int, signed: bool) -> Field:
    default = default_account(account_name)
    marked = encode_account(account_name, _with(default, path, _MARKER))
    offset = marked.find(_MARKER.to_bytes(8, "little"))
    if offset < 0 or marked.find(_MARKER.to_bytes(8, "little"), offset + 1) >= 0:
        raise ValueError(f"cannot locate {account_name}.{'.'.join(path)} in its encoding")
    return Field(offset, size, signed)


@dataclass(frozen=True, slots=True)
class OracleFields:
    price: Field
    max_price: Field
    confidence: Field
    last_update_slot: Field
    amm_last_update_slot: Field


@dataclass(frozen=True, slots=True)
class PerpMarketFields:
    peg_multiplier: Field
    last_oracle_price: Field
    last_oracle_conf: Field
    last_oracle_delay: Field
    last_oracle_price_twap: Field
    last_oracle_price_twap5min: Field
    last_oracle_price_twap_ts: Field


@cache
def oracle_fields() -> OracleFields:
    def at(name: str, size: int = 8, signed: bool = False) -> Field:
        return _locate("PrelaunchOracle", (name,), size, signed)

    return OracleFields(
        at("price", signed=True), at("max_price", signed=True), at("confidence"), at("last_update_slot"),
        at("amm_last_update_slot"),
    )


@cache
def perp_market_fields() -> PerpMarketFields:
    def history(name: str, signed: bool = True) -> Field:
        return _locate("PerpMarket", ("amm", "historical_oracle_data", name), 8, signed)

    return PerpMarketFields(
        _locate("PerpMarket", ("amm", "peg_multiplier"), 16, False),
        history("last_oracle_price"),
        history("last_oracle_conf", signed=False),
        history("last_oracle_delay"),
        history("last_oracle_price_twap"),
        history("last_oracle_price_twap5min"),
        history("last_oracle_price_twap_ts"),
    )
