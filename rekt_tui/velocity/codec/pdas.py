"""Program-derived addresses of the relaunched program (its seeds, not Drift's)."""

from __future__ import annotations

from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.binary import CodecError

STATE_SEED = b"velocity_state"
SIGNER_SEED = b"velocity_signer"
USER_SEED = b"user"
USER_STATS_SEED = b"user_stats"
USER_CONDITIONS_SEED = b"user_conditions"
PERP_MARKET_SEED = b"perp_market"
SPOT_MARKET_SEED = b"spot_market"
SPOT_MARKET_VAULT_SEED = b"spot_market_vault"
REVENUE_SHARE_ESCROW_SEED = b"REV_ESCROW"


class SeedError(CodecError):
    """An index cannot be a seed: the program's indexes are u16."""


def _u16(value: int) -> bytes:
    if not 0 <= value <= 0xFFFF:
        raise SeedError(f"{value} is not a valid sub-account or market index (0 to 65535).")
    return value.to_bytes(2, "little")


class Pdas:
    """Derives the program's accounts for one deployment (program id)."""

    def __init__(self, program_id: Pubkey) -> None:
        self.program_id = program_id

    def _find(self, *seeds: bytes) -> Pubkey:
        return Pubkey.find_program_address(list(seeds), self.program_id)[0]

    def state(self) -> Pubkey:
        return self._find(STATE_SEED)

    def signer(self) -> Pubkey:
        return self._find(SIGNER_SEED)

    def user(self, authority: Pubkey, sub_account_id: int) -> Pubkey:
        return self._find(USER_SEED, bytes(authority), _u16(sub_account_id))

    def user_stats(self, authority: Pubkey) -> Pubkey:
        return self._find(USER_STATS_SEED, bytes(authority))

    def user_conditions(self, user: Pubkey) -> Pubkey:
        return self._find(USER_CONDITIONS_SEED, bytes(user))

    def perp_market(self, market_index: int) -> Pubkey:
        return self._find(PERP_MARKET_SEED, _u16(market_index))

    def spot_market(self, market_index: int) -> Pubkey:
        return self._find(SPOT_MARKET_SEED, _u16(market_index))

    def spot_market_vault(self, market_index: int) -> Pubkey:
        return self._find(SPOT_MARKET_VAULT_SEED, _u16(market_index))

    def revenue_share_escrow(self, authority: Pubkey) -> Pubkey:
        return self._find(REVENUE_SHARE_ESCROW_SEED, bytes(authority))
