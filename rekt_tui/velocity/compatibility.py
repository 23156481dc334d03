"""The relaunch adapter's compatibility check: is the live program the layout our codec speaks?

Read once when a signing link opens: the State, the session's User (when it exists) and the
program's published Anchor IDL account, then every perp and spot market the State counts. Each
must be owned by the program and carry the size and discriminator the pinned IDL gives; spot
market 0's mint must be the profile's quote mint (USDT on mainnet); and the published IDL, when
a hash is pinned, must hash to it. Anything that differs refuses signing in one sentence.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from solders.pubkey import Pubkey

from rekt_tui.domain.compatibility import Compatibility, Difference
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.drift.compatibility import idl_address, published_idl_sha256
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.velocity.codec.accounts import DISCRIMINATOR_BYTES
from rekt_tui.velocity.codec.program import VelocityProgram

log = logging.getLogger(__name__)

BATCH = 100


class _Checker:
    def __init__(self, config: VenueConfig, program: VelocityProgram) -> None:
        self.config = config
        self.program = program
        self.owner = str(program.program_id)
        self.differences: list[Difference] = []
        self.checked: list[str] = []

    def account(self, what: str, kind: str, value: dict[str, Any] | None, *, required: bool = True) -> bytes | None:
        if value is None:
            if required:
                self.differences.append(Difference(what, f"a {kind} account", "missing"))
            return None
        data = base64.b64decode(value["data"][0])
        self.checked.append(what)
        expected_head = self.program.idl.accounts[kind].discriminator
        size = self.program.accounts.size(kind)
        if value.get("owner") != self.owner:
            self.differences.append(Difference(f"{what}'s owner", self.owner, str(value.get("owner"))))
        elif data[:DISCRIMINATOR_BYTES] != expected_head:
            self.differences.append(Difference(f"{what}'s discriminator", expected_head.hex(), data[:8].hex()))
        elif size is not None and len(data) != size:
            self.differences.append(Difference(what, f"{size} bytes", f"{len(data)} bytes"))
        else:
            return data
        return None

    def quote_mint(self, spot_zero: bytes) -> None:
        expected = self.config.quote_mint
        if expected is None:
            return
        at = self.program.accounts.field_offset("SpotMarket", "mint")
        found = str(Pubkey.from_bytes(spot_zero[at : at + 32]))
        self.checked.append("SpotMarket 0 mint")
        if found != expected:
            self.differences.append(Difference("SpotMarket 0's mint", expected, found))

    def idl(self, value: dict[str, Any] | None) -> None:
        pinned = self.config.idl_sha256
        if value is None:
            if pinned is not None:
                self.differences.append(Difference("the published IDL", f"sha256 {pinned}", "missing"))
            return
        found = published_idl_sha256(base64.b64decode(value["data"][0]))
        self.checked.append("published IDL")
        log.info("program %s publishes an IDL with sha256 %s", self.owner, found)
        if pinned is not None and found != pinned:
            self.differences.append(Difference("the published IDL", f"sha256 {pinned}", f"sha256 {found}"))

    def result(self) -> Compatibility:
        return Compatibility(self.config.venue, self.config.cluster, self.owner, tuple(self.differences),
                             tuple(self.checked))  # fmt: skip


def _count(program: VelocityProgram, state: bytes, field: str) -> int:
    at = program.accounts.field_offset("State", field)
    return int.from_bytes(state[at : at + 2], "little")


async def check_velocity_program(config: VenueConfig, authority: str) -> Compatibility:
    """Compare the cluster's program with the pinned IDL's layouts (see the module docstring)."""
    program = VelocityProgram.pinned(Pubkey.from_string(config.program_id))
    pdas = program.pdas
    check = _Checker(config, program)
    rpc = JsonRpc(config.rpc_url)
    try:
        user = pdas.user(Pubkey.from_string(authority), 0)
        state_value, user_value, idl_value = await _accounts(rpc, [pdas.state(), user, idl_address(program.program_id)])
        check.idl(idl_value)
        check.account("User", "User", user_value, required=False)
        state = check.account("State", "State", state_value)
        if state is None:
            return check.result()
        perps = [pdas.perp_market(i) for i in range(_count(program, state, "number_of_markets"))]
        spots = [pdas.spot_market(i) for i in range(_count(program, state, "number_of_spot_markets"))]
        markets = await _accounts(rpc, [*perps, *spots])
        for index, value in enumerate(markets[: len(perps)]):
            check.account(f"PerpMarket {index}", "PerpMarket", value)
        for index, value in enumerate(markets[len(perps) :]):
            data = check.account(f"SpotMarket {index}", "SpotMarket", value)
            if index == 0 and data is not None:
                check.quote_mint(data)
        if not spots:
            check.differences.append(Difference("SpotMarket 0", "the quote market", "missing"))
    finally:
        await rpc.close()
    return check.result()


async def _accounts(rpc: JsonRpc, keys: list[Pubkey]) -> list[dict[str, Any] | None]:
    values: list[dict[str, Any] | None] = []
    for start in range(0, len(keys), BATCH):
        batch = [str(key) for key in keys[start : start + BATCH]]
        values.extend((await rpc.call("getMultipleAccounts", [batch, {"encoding": "base64"}]))["value"])
    return values
