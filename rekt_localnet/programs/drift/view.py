"""The Drift accounts one instruction can see, decoded once and written back on demand.

Instruction account lists in driftpy's IDL do not always match what driftpy passes, so
markets, oracles and counterparties are found by what they are (owner and account
discriminator), not by their position: whatever the client put among the remaining
accounts is recognised.
"""

from typing import Any

from solders.pubkey import Pubkey

from rekt_localnet.account import Account
from rekt_localnet.encoding import decode_account, discriminator, encode_account
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.runtime.program import InstructionError, InvokeContext

from .errors import fail
from .spot import accrue_interest

_KINDS = ("State", "PerpMarket", "SpotMarket", "User", "UserStats", "PrelaunchOracle")


class DriftView:
    """Typed access to the Drift accounts an instruction names."""

    def __init__(self, ctx: InvokeContext) -> None:
        self.ctx = ctx
        self._kind: dict[Pubkey, str] = {}
        self._decoded: dict[Pubkey, Any] = {}
        self.writable: set[Pubkey] = set()
        self._dirty: dict[Pubkey, None] = {}
        tags = {discriminator(kind): kind for kind in _KINDS}
        for ref in ctx.accounts:
            if ref.is_writable:
                self.writable.add(ref.key)
            if ref.key in self._kind:
                continue
            account = ctx.account(ref.key)
            if account is not None and account.owner == DRIFT_PROGRAM_ID and account.data[:8] in tags:
                self._kind[ref.key] = tags[account.data[:8]]

    def get(self, key: Pubkey, kind: str) -> Any:
        """The decoded account at `key`, which must be a `kind` the instruction names."""
        if self._kind.get(key) != kind:
            raise InstructionError("InvalidAccountData", f"{key} is not a Drift {kind}")
        if key not in self._decoded:
            self._decoded[key] = decode_account(self.ctx.account(key).data)
        return self._decoded[key]

    def keys(self, kind: str) -> list[Pubkey]:
        return [key for key, known in self._kind.items() if known == kind]

    def state(self) -> Any:
        keys = self.keys("State")
        if not keys:
            raise InstructionError("NotEnoughAccountKeys", "the Drift State account is missing")
        return self.get(keys[0], "State")

    def perp_market(self, index: int) -> Any:
        for key in self.keys("PerpMarket"):
            market = self.get(key, "PerpMarket")
            if market.market_index == index:
                return market
        raise fail("PerpMarketNotFound", f"perp market {index} is not among the accounts")

    def spot_market(self, index: int) -> Any:
        for key in self.keys("SpotMarket"):
            market = self.get(key, "SpotMarket")
            if market.market_index == index:
                return market
        raise fail("SpotMarketNotFound", f"spot market {index} is not among the accounts")

    def spot_market_to_update(self, index: int) -> Any:
        """A spot market whose balances this instruction changes: its interest accrues
        to now first, and it is saved if the client passed it writable."""
        market = self.spot_market(index)
        if market.pubkey in self.writable:
            accrue_interest(market, self.ctx.clock.unix_timestamp)
            self.save(market.pubkey)
        return market

    def oracle_price(self, oracle: Pubkey) -> int:
        """The price (1e6) of a PrelaunchOracle the instruction names."""
        if self._kind.get(oracle) != "PrelaunchOracle":
            raise fail("OracleNotFound", f"oracle {oracle} is not among the accounts")
        return self.get(oracle, "PrelaunchOracle").price

    def perp_oracle_price(self, index: int) -> int:
        return self.oracle_price(self.perp_market(index).amm.oracle)

    def users(self) -> list[Pubkey]:
        return self.keys("User")

    def save(self, key: Pubkey, *, required: bool = True) -> None:
        """Mark the decoded account to be written back by `flush`. Market aggregates are
        refreshed only where the client passed the market writable (`required=False`), as
        Drift's own accounting would be if the market were not writable."""
        if required or key in self.writable:
            self._dirty[key] = None

    def flush(self) -> None:
        """Encode and write every account marked by `save`, each once."""
        for key in self._dirty:
            current = self.ctx.account(key)
            data = encode_account(self._kind[key], self._decoded[key])
            self.ctx.write(key, Account(current.lamports, current.owner, data, current.executable, current.rent_epoch))
        self._dirty.clear()

    def adopt(self, key: Pubkey, kind: str, value: Any) -> None:
        """Take an account created by this instruction into the view, to be saved later."""
        self._kind[key] = kind
        self._decoded[key] = value
