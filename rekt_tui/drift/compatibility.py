"""The Drift adapter's compatibility check: is the live program the layout driftpy 0.8.89 speaks?

Read once when a signing link opens: one simulated call (`drift/pause_probe.py`: does the
program still have its instructions?), then two `getMultipleAccounts` calls: the State, the
session's User (when it exists) and the program's published Anchor IDL account, then every
perp and spot market the State counts. Each must be owned by the program and carry the
size and discriminator of driftpy's IDL; spot market 0's mint must be the profile's quote
mint; and the published IDL, when a hash is pinned for it, must hash to the pin. The result
is venue-neutral (`domain.compatibility`); anything that differs refuses signing.
"""

import base64
import hashlib
import logging
import zlib
from collections.abc import Sequence
from typing import Protocol

from solders.pubkey import Pubkey

from rekt_tui.domain.compatibility import Compatibility, Difference
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.drift.pause_probe import refuses_every_instruction
from rekt_tui.drift.rpc import JsonRpc

log = logging.getLogger(__name__)

# Account sizes (discriminator included) in driftpy 0.8.89's IDL, the layouts this adapter
# encodes and decodes; a test checks them against that IDL.
EXPECTED_SIZES = {"State": 992, "User": 4376, "PerpMarket": 1216, "SpotMarket": 776}
DISCRIMINATOR_SIZE = 8
# Fields read at fixed offsets of those layouts (trusted only once size and discriminator match;
# a test checks them against driftpy's IDL): SpotMarket's mint follows its pubkey and oracle.
SPOT_MINT_OFFSET = DISCRIMINATOR_SIZE + 32 + 32
STATE_NUMBER_OF_MARKETS_OFFSET = 966  # u16, then number_of_spot_markets (u16)
# Anchor's IdlAccount: discriminator, authority (32), then the zlib-compressed IDL as a Vec<u8>.
IDL_SEED = "anchor:idl"
IDL_DATA_OFFSET = DISCRIMINATOR_SIZE + 32
# Hashes (sha256 of the decompressed IDL) of IDLs published on chain that this adapter was
# built for, by program id. None is pinned: the paused program's published IDL could not be
# read from here. A profile's `idl_sha256` pins one.
PINNED_IDL_SHA256: dict[str, str] = {}


def discriminator(account_name: str) -> bytes:
    """Anchor's account discriminator: the first 8 bytes of sha256("account:<Name>")."""
    return hashlib.sha256(f"account:{account_name}".encode()).digest()[:DISCRIMINATOR_SIZE]


def idl_address(program_id: Pubkey) -> Pubkey:
    """Where Anchor publishes a program's IDL: seed "anchor:idl" on the program's empty-seed PDA."""
    base = Pubkey.find_program_address([], program_id)[0]
    return Pubkey.create_with_seed(base, IDL_SEED, program_id)


def published_idl_sha256(data: bytes) -> str | None:
    """sha256 (hex) of the IDL JSON an IdlAccount holds; None when its data is not one."""
    if len(data) < IDL_DATA_OFFSET + 4 or data[:DISCRIMINATOR_SIZE] != discriminator("IdlAccount"):
        return None
    length = int.from_bytes(data[IDL_DATA_OFFSET : IDL_DATA_OFFSET + 4], "little")
    compressed = data[IDL_DATA_OFFSET + 4 : IDL_DATA_OFFSET + 4 + length]
    try:
        return hashlib.sha256(zlib.decompress(compressed)).hexdigest()
    except zlib.error:
        return None


def market_counts(state: bytes) -> tuple[int, int]:
    """(perp markets, spot markets) a State of the expected layout counts."""
    at = STATE_NUMBER_OF_MARKETS_OFFSET
    return int.from_bytes(state[at : at + 2], "little"), int.from_bytes(state[at + 2 : at + 4], "little")


class ProgramLayout(Protocol):
    """What a venue's adapter was built for: its accounts' sizes and discriminators, where a
    few fields sit, and where its accounts live. Each venue supplies one; the check is shared."""

    pinned_idl_sha256: str | None  # the published IDL's hash, when one is pinned for this program

    def size(self, kind: str) -> int | None: ...
    def discriminator(self, kind: str) -> bytes: ...
    def quote_mint(self, spot_zero: bytes) -> Pubkey: ...
    def market_counts(self, state: bytes) -> tuple[int, int]: ...
    def state(self) -> Pubkey: ...
    def user(self, authority: Pubkey) -> Pubkey: ...
    def perp_market(self, index: int) -> Pubkey: ...
    def spot_market(self, index: int) -> Pubkey: ...
    def known_instruction(self) -> bytes: ...


class _Checker:
    def __init__(self, config: VenueConfig, layout: ProgramLayout) -> None:
        self.config = config
        self.layout = layout
        self.program = config.program_id
        self.differences: list[Difference] = []
        self.checked: list[str] = []
        self.paused = False

    def account(self, what: str, kind: str, value: dict | None, *, required: bool = True) -> bytes | None:
        """The account's data if it is a `kind` of this program; otherwise a difference is noted."""
        if value is None:
            if required:
                self.differences.append(Difference(what, f"a {kind} account", "missing"))
            return None
        data = base64.b64decode(value["data"][0])
        self.checked.append(what)
        expected, head = self.layout.size(kind), self.layout.discriminator(kind)
        if value.get("owner") != self.program:
            self.differences.append(Difference(f"{what}'s owner", self.program, str(value.get("owner"))))
        elif data[:DISCRIMINATOR_SIZE] != head:
            self.differences.append(Difference(f"{what}'s discriminator", head.hex(), data[:8].hex()))
        elif expected is not None and len(data) != expected:
            self.differences.append(Difference(what, f"{expected} bytes", f"{len(data)} bytes"))
        else:
            return data
        return None

    def quote_mint(self, spot_zero: bytes) -> None:
        expected = self.config.quote_mint
        if expected is None:
            return
        found = str(self.layout.quote_mint(spot_zero))
        self.checked.append("SpotMarket 0 mint")
        if found != expected:
            self.differences.append(Difference("SpotMarket 0's mint", expected, found))

    def idl(self, value: dict | None) -> None:
        pinned = self.config.idl_sha256 or self.layout.pinned_idl_sha256
        if value is None:
            if pinned is not None:
                self.differences.append(Difference("the published IDL", f"sha256 {pinned}", "missing"))
            return
        found = published_idl_sha256(base64.b64decode(value["data"][0]))
        self.checked.append("published IDL")
        log.info("program %s publishes an IDL with sha256 %s", self.program, found)
        if pinned is not None and found != pinned:
            self.differences.append(Difference("the published IDL", f"sha256 {pinned}", f"sha256 {found}"))

    def result(self) -> Compatibility:
        config = self.config
        return Compatibility(
            config.venue, config.cluster, self.program, tuple(self.differences), tuple(self.checked), self.paused
        )


class _DriftLayout:
    """driftpy 0.8.89's layouts and addresses."""

    def __init__(self, program: Pubkey) -> None:
        from driftpy import addresses

        self._program = program
        self._addresses = addresses
        self.pinned_idl_sha256 = PINNED_IDL_SHA256.get(str(program))

    def size(self, kind: str) -> int | None:
        return EXPECTED_SIZES[kind]

    def discriminator(self, kind: str) -> bytes:
        return discriminator(kind)

    def quote_mint(self, spot_zero: bytes) -> Pubkey:
        return Pubkey.from_bytes(spot_zero[SPOT_MINT_OFFSET : SPOT_MINT_OFFSET + 32])

    def market_counts(self, state: bytes) -> tuple[int, int]:
        return market_counts(state)

    def state(self) -> Pubkey:
        return self._addresses.get_state_public_key(self._program)

    def user(self, authority: Pubkey) -> Pubkey:
        return self._addresses.get_user_account_public_key(self._program, authority, 0)

    def perp_market(self, index: int) -> Pubkey:
        return self._addresses.get_perp_market_public_key(self._program, index)

    def spot_market(self, index: int) -> Pubkey:
        return self._addresses.get_spot_market_public_key(self._program, index)

    def known_instruction(self) -> bytes:
        return hashlib.sha256(b"global:place_perp_order").digest()[:DISCRIMINATOR_SIZE]


async def check_drift_program(config: VenueConfig, authority: str) -> Compatibility:
    """Compare the cluster's program with driftpy's layouts (see the module's docstring)."""
    return await check_program(config, authority, _DriftLayout(Pubkey.from_string(config.program_id)))


async def check_program(config: VenueConfig, authority: str, layout: ProgramLayout) -> Compatibility:
    """Compare the cluster's program with `layout`: whether it still has its instructions, then
    State, the session's User, the published IDL, every market the State counts, and spot
    market 0's mint."""
    check = _Checker(config, layout)
    rpc = JsonRpc(config.rpc_url)
    try:
        payer = Pubkey.from_string(authority)
        user = layout.user(payer)
        program = Pubkey.from_string(config.program_id)
        check.paused = await refuses_every_instruction(rpc, program, payer, layout.known_instruction())
        state_value, user_value, idl_value = await _accounts(rpc, [layout.state(), user, idl_address(program)])
        check.idl(idl_value)
        check.account("User", "User", user_value, required=False)
        state = check.account("State", "State", state_value)
        if state is None:
            return check.result()
        perp_count, spot_count = layout.market_counts(state)
        perps = [layout.perp_market(i) for i in range(perp_count)]
        spots = [layout.spot_market(i) for i in range(spot_count)]
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


async def _accounts(rpc: JsonRpc, keys: Sequence[Pubkey]) -> list[dict | None]:
    values: list[dict | None] = []
    for start in range(0, len(keys), 100):  # getMultipleAccounts takes at most 100 keys
        batch = [str(key) for key in keys[start : start + 100]]
        values.extend((await rpc.call("getMultipleAccounts", [batch, {"encoding": "base64"}]))["value"])
    return values
