"""The relaunched program's accounts one instruction names, decoded once and written back.

Markets, oracles and counterparties are recognised by owner and discriminator wherever the
client put them (named slot or remaining accounts), as the Drift simulation does.
"""

from dataclasses import replace
from typing import Any

from solders.pubkey import Pubkey

from rekt_localnet.runtime.program import InstructionError, InvokeContext

from .codec import VELOCITY_PROGRAM_ID, decode, encode, program
from .constants import PRICE_PRECISION
from .errors import fail

_KINDS = ("State", "PerpMarket", "SpotMarket", "User", "UserStats", "PythLazerOracle", "RevenueShareEscrow")


class VelocityView:
    """Typed access to the program's accounts an instruction names."""

    def __init__(self, ctx: InvokeContext) -> None:
        self.ctx = ctx
        self._kind: dict[Pubkey, str] = {}
        self._decoded: dict[Pubkey, dict[str, Any]] = {}
        self._dirty: dict[Pubkey, None] = {}
        self.writable = {ref.key for ref in ctx.accounts if ref.is_writable}
        tags = {program().idl.accounts[kind].discriminator: kind for kind in _KINDS}
        for ref in ctx.accounts:
            account = ctx.account(ref.key) if ref.key not in self._kind else None
            if account is not None and account.owner == VELOCITY_PROGRAM_ID and bytes(account.data[:8]) in tags:
                self._kind[ref.key] = tags[bytes(account.data[:8])]

    def is_signer(self, key: Pubkey) -> bool:
        return any(ref.key == key and ref.is_signer for ref in self.ctx.accounts)

    def get(self, key: Pubkey, kind: str) -> dict[str, Any]:
        if self._kind.get(key) != kind:
            raise InstructionError("AccountDiscriminatorMismatch" if key in self._kind else "InvalidAccountData",
                                   f"{key} is not the program's {kind}")  # fmt: skip
        if key not in self._decoded:
            self._decoded[key] = decode(kind, self.ctx.account(key).data)
        return self._decoded[key]

    def keys(self, kind: str) -> list[Pubkey]:
        return [key for key, known in self._kind.items() if known == kind]

    def state(self) -> dict[str, Any]:
        return self.get(program().pdas.state(), "State")

    def adopt(self, key: Pubkey, kind: str, value: dict[str, Any]) -> None:
        """Take a freshly created account (its bytes are still zero) as `kind`."""
        self._kind[key] = kind
        self._decoded[key] = value

    def save(self, key: Pubkey) -> None:
        if key not in self.writable:
            raise fail("MarketWrongMutability" if self._kind.get(key) in ("PerpMarket", "SpotMarket") else
                       "CouldNotLoadUserData", f"{key} must be writable")  # fmt: skip
        self._dirty[key] = None

    def flush(self) -> None:
        for key in self._dirty:
            account = self.ctx.account(key)
            data = encode(self._kind[key], self._decoded[key])  # a vec's unused room stays zero
            self.ctx.write(key, replace(account, data=data.ljust(len(account.data), b"\0")))
        self._dirty.clear()

    def spot_market(self, index: int) -> tuple[Pubkey, dict[str, Any]]:
        key = program().pdas.spot_market(index)
        if self._kind.get(key) != "SpotMarket":
            raise fail("SpotMarketNotFound", f"spot market {index} is not among the accounts")
        return key, self.get(key, "SpotMarket")

    def perp_market(self, index: int) -> tuple[Pubkey, dict[str, Any]]:
        key = program().pdas.perp_market(index)
        if self._kind.get(key) != "PerpMarket":
            raise fail("PerpMarketNotFound", f"perp market {index} is not among the accounts")
        return key, self.get(key, "PerpMarket")

    def oracle_price(self, oracle: Pubkey) -> int:
        """The oracle's price in PRICE_PRECISION (1e6); the quote's (default key) is 1."""
        if oracle == Pubkey.default():
            return PRICE_PRECISION
        if self._kind.get(oracle) != "PythLazerOracle":
            raise fail("InvalidOracle", f"oracle {oracle} is not among the accounts")
        value = self.get(oracle, "PythLazerOracle")
        exponent = value["exponent"]
        scale = 10 ** (6 + exponent) if exponent >= -6 else None
        return value["price"] * scale if scale is not None else value["price"] // 10 ** (-6 - exponent)
