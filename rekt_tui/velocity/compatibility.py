"""The relaunch adapter's compatibility check: is the live program the layout our codec speaks?

Read once when a signing link opens: the State, the session's User (when it exists) and the
program's published Anchor IDL account, then every perp and spot market the State counts. Each
must be owned by the program and carry the size and discriminator the pinned IDL gives; spot
market 0's mint must be the profile's quote mint (USDT on mainnet); and the published IDL, when
a hash is pinned, must hash to it. Anything that differs refuses signing in one sentence.
"""

from __future__ import annotations

from solders.pubkey import Pubkey

from rekt_tui.domain.compatibility import Compatibility
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.drift.compatibility import check_program
from rekt_tui.velocity.codec.program import VelocityProgram


class _VelocityLayout:
    """The pinned IDL's layouts and the relaunch's seeds, through our codec."""

    pinned_idl_sha256: str | None = None  # a profile's `idl_sha256` pins the published one

    def __init__(self, program: VelocityProgram) -> None:
        self._program = program

    def size(self, kind: str) -> int | None:
        return self._program.accounts.size(kind)

    def discriminator(self, kind: str) -> bytes:
        return bytes(self._program.idl.accounts[kind].discriminator)

    def quote_mint(self, spot_zero: bytes) -> Pubkey:
        at = self._program.accounts.field_offset("SpotMarket", "mint")
        return Pubkey.from_bytes(spot_zero[at : at + 32])

    def market_counts(self, state: bytes) -> tuple[int, int]:
        return self._count(state, "number_of_markets"), self._count(state, "number_of_spot_markets")

    def _count(self, state: bytes, field: str) -> int:
        at = self._program.accounts.field_offset("State", field)
        return int.from_bytes(state[at : at + 2], "little")

    def state(self) -> Pubkey:
        return self._program.pdas.state()

    def user(self, authority: Pubkey) -> Pubkey:
        return self._program.pdas.user(authority, 0)

    def perp_market(self, index: int) -> Pubkey:
        return self._program.pdas.perp_market(index)

    def spot_market(self, index: int) -> Pubkey:
        return self._program.pdas.spot_market(index)

    def known_instruction(self) -> bytes:
        return bytes(self._program.idl.instructions["place_and_take_perp_order_v1"].discriminator)


async def check_velocity_program(config: VenueConfig, authority: str) -> Compatibility:
    """Compare the cluster's program with the pinned IDL's layouts (see the module docstring)."""
    program = VelocityProgram.pinned(Pubkey.from_string(config.program_id))
    return await check_program(config, authority, _VelocityLayout(program))
