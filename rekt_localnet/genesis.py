"""The localnet's first ledger: Drift with its markets, oracles, vaults and lookup table.

Every Drift account sits at the address `driftpy.addresses` derives, so an unpatched
DriftClient finds it exactly as on mainnet. Genesis is a pure function of its config:
the same seed, prices and time give the same accounts byte for byte.

Oracles are PrelaunchOracles, one per asset. The SOL spot market shares SOL-PERP's
oracle (as both share one price feed on mainnet); USDC, which has no perp market, gets
the prelaunch-oracle address of index 65535, outside the range of real perp markets.
"""

import struct
import time
from dataclasses import dataclass, field
from hashlib import sha256

from driftpy.addresses import (
    get_insurance_fund_vault_public_key,
    get_perp_market_public_key,
    get_prelaunch_oracle_public_key,
    get_spot_market_public_key,
    get_spot_market_vault_public_key,
    get_state_public_key,
    get_user_account_public_key,
    get_user_stats_account_public_key,
)
from solders.hash import Hash
from solders.pubkey import Pubkey

from rekt_localnet import drift_accounts
from rekt_localnet.account import Account, rent_exempt_minimum
from rekt_localnet.keys import (
    ADDRESS_LOOKUP_TABLE_PROGRAM_ID,
    ASSOCIATED_TOKEN_PROGRAM_ID,
    BPF_LOADER_ID,
    COMPUTE_BUDGET_PROGRAM_ID,
    DRIFT_PROGRAM_ID,
    LOCALNET_ADMIN,
    LOCALNET_FAUCET,
    LOCALNET_LOOKUP_TABLE,
    LOCALNET_REFERRER,
    LOOKUP_TABLE_CREATION_SLOT,
    NATIVE_LOADER_ID,
    RENT_SYSVAR_ID,
    SYSTEM_PROGRAM_ID,
    SYSVAR_OWNER_ID,
    TOKEN_PROGRAM_ID,
    WRAPPED_SOL_MINT,
)
from rekt_localnet.markets import DEFAULT_PRICES, PERP_MARKETS, SPOT_MARKETS
from rekt_localnet.token import Mint, TokenAccount

LAMPORTS_PER_SOL = 10**9
FAUCET_LAMPORTS = 500_000_000 * LAMPORTS_PER_SOL
REFERRER_LAMPORTS = 10 * LAMPORTS_PER_SOL
QUOTE_ORACLE_INDEX = 65_535
# Oracle confidence at genesis: one basis point of the price.
CONFIDENCE_DIVISOR = 10_000
GENESIS_SLOT = 0

_LOOKUP_TABLE_META = struct.Struct("<IQQB?32sH")
_RENT_SYSVAR = struct.Struct("<QdB")


@dataclass(frozen=True)
class GenesisConfig:
    """What genesis depends on. `unix_time` stamps TWAPs and funding; tests pin it."""

    seed: int = 0
    prices: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    unix_time: int = field(default_factory=lambda: int(time.time()))

    def __post_init__(self) -> None:
        missing = set(DEFAULT_PRICES) - set(self.prices)
        if missing:
            raise ValueError(f"genesis prices lack {', '.join(sorted(missing))}")
        if any(price <= 0 for price in self.prices.values()):
            raise ValueError("genesis prices must be positive integers in 1e6")


@dataclass(frozen=True)
class Genesis:
    """The accounts of the first slot and the hash the blockhash chain starts from."""

    accounts: dict[Pubkey, Account]
    blockhash: Hash


def oracle_address(asset: str) -> Pubkey:
    """The PrelaunchOracle that prices `asset`."""
    for spec in PERP_MARKETS:
        if spec.asset == asset:
            return get_prelaunch_oracle_public_key(DRIFT_PROGRAM_ID, spec.market_index)
    return get_prelaunch_oracle_public_key(DRIFT_PROGRAM_ID, QUOTE_ORACLE_INDEX)


def _oracle_perp_index(asset: str) -> int:
    return next((spec.market_index for spec in PERP_MARKETS if spec.asset == asset), QUOTE_ORACLE_INDEX)


def drift_signer() -> tuple[Pubkey, int]:
    """The PDA that owns Drift's vaults, and its bump (State's `signer_nonce`)."""
    return Pubkey.find_program_address([b"drift_signer"], DRIFT_PROGRAM_ID)


def lookup_table_addresses() -> list[Pubkey]:
    """What the market lookup table holds: the accounts nearly every Drift instruction names."""
    signer, _ = drift_signer()
    addresses = [get_state_public_key(DRIFT_PROGRAM_ID), signer]
    addresses += [get_perp_market_public_key(DRIFT_PROGRAM_ID, spec.market_index) for spec in PERP_MARKETS]
    addresses += [get_spot_market_public_key(DRIFT_PROGRAM_ID, spec.market_index) for spec in SPOT_MARKETS]
    addresses += list(dict.fromkeys(oracle_address(asset) for asset in DEFAULT_PRICES))
    addresses += [get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, spec.market_index) for spec in SPOT_MARKETS]
    addresses += [spec.mint for spec in SPOT_MARKETS]
    addresses += [TOKEN_PROGRAM_ID, SYSTEM_PROGRAM_ID, RENT_SYSVAR_ID]
    return addresses


def encode_lookup_table(authority: Pubkey, addresses: list[Pubkey]) -> bytes:
    """An active address lookup table (never deactivated) in the program's layout."""
    meta = _LOOKUP_TABLE_META.pack(1, 2**64 - 1, LOOKUP_TABLE_CREATION_SLOT, 0, True, bytes(authority), 0)
    return meta + b"".join(bytes(address) for address in addresses)


def _programs() -> dict[Pubkey, Account]:
    """Program accounts (executable, so clients that check a program exists find it) and Rent."""
    native = {
        SYSTEM_PROGRAM_ID: b"system_program",
        COMPUTE_BUDGET_PROGRAM_ID: b"compute_budget_program",
        ADDRESS_LOOKUP_TABLE_PROGRAM_ID: b"address_lookup_table_program",
    }
    programs = {key: Account(1, NATIVE_LOADER_ID, name, executable=True) for key, name in native.items()}
    for key in (TOKEN_PROGRAM_ID, ASSOCIATED_TOKEN_PROGRAM_ID, DRIFT_PROGRAM_ID):
        programs[key] = Account.rent_exempt(BPF_LOADER_ID, b"", executable=True)
    rent = _RENT_SYSVAR.pack(3480, 2.0, 50)
    programs[RENT_SYSVAR_ID] = Account.rent_exempt(SYSVAR_OWNER_ID, rent)
    return programs


def _token_accounts(signer: Pubkey) -> dict[Pubkey, Account]:
    """Mints, and the deposit and insurance-fund vaults of every spot market, all empty."""
    accounts = {
        WRAPPED_SOL_MINT: Account.rent_exempt(TOKEN_PROGRAM_ID, Mint(decimals=9).pack()),
    }
    for spec in SPOT_MARKETS:
        if spec.mint != WRAPPED_SOL_MINT:
            mint = Mint(decimals=spec.decimals, mint_authority=LOCALNET_FAUCET)
            accounts[spec.mint] = Account.rent_exempt(TOKEN_PROGRAM_ID, mint.pack())
        native_reserve = rent_exempt_minimum(165) if spec.mint == WRAPPED_SOL_MINT else None
        vault = TokenAccount(spec.mint, signer, native_reserve=native_reserve).pack()
        for address in (
            get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, spec.market_index),
            get_insurance_fund_vault_public_key(DRIFT_PROGRAM_ID, spec.market_index),
        ):
            accounts[address] = Account.rent_exempt(TOKEN_PROGRAM_ID, vault)
    return accounts


def _drift(config: GenesisConfig, signer: Pubkey, signer_nonce: int) -> dict[Pubkey, bytes]:
    """Drift's own accounts, as data; the caller funds them rent-exempt."""
    now = config.unix_time
    data = {
        get_state_public_key(DRIFT_PROGRAM_ID): drift_accounts.state(
            admin=LOCALNET_ADMIN,
            signer=signer,
            signer_nonce=signer_nonce,
            perp_markets=len(PERP_MARKETS),
            spot_markets=len(SPOT_MARKETS),
            users=1,
        )
    }
    for asset, price in sorted(config.prices.items()):
        data[oracle_address(asset)] = drift_accounts.prelaunch_oracle(
            price=price,
            confidence=price // CONFIDENCE_DIVISOR,
            perp_market_index=_oracle_perp_index(asset),
            slot=GENESIS_SLOT,
        )
    for spec in PERP_MARKETS:
        address = get_perp_market_public_key(DRIFT_PROGRAM_ID, spec.market_index)
        price = config.prices[spec.asset]
        data[address] = drift_accounts.perp_market(
            spec,
            address=address,
            oracle=oracle_address(spec.asset),
            price=price,
            confidence=price // CONFIDENCE_DIVISOR,
            now=now,
            slot=GENESIS_SLOT,
        )
    for spec in SPOT_MARKETS:
        address = get_spot_market_public_key(DRIFT_PROGRAM_ID, spec.market_index)
        price = config.prices[spec.asset]
        data[address] = drift_accounts.spot_market(
            spec,
            address=address,
            oracle=oracle_address(spec.asset),
            vault=get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, spec.market_index),
            insurance_fund_vault=get_insurance_fund_vault_public_key(DRIFT_PROGRAM_ID, spec.market_index),
            price=price,
            confidence=price // CONFIDENCE_DIVISOR,
            now=now,
        )
    data[get_user_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER, 0)] = drift_accounts.user(
        authority=LOCALNET_REFERRER, sub_account_id=0, name="Main Account", slot=GENESIS_SLOT
    )
    data[get_user_stats_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER)] = drift_accounts.user_stats(
        authority=LOCALNET_REFERRER, sub_accounts=1, now=now
    )
    return data


def build_genesis(config: GenesisConfig) -> Genesis:
    """All accounts of slot 0, and the genesis hash derived from the seed."""
    signer, signer_nonce = drift_signer()
    accounts = _programs()
    accounts.update(_token_accounts(signer))
    for address, data in _drift(config, signer, signer_nonce).items():
        accounts[address] = Account.rent_exempt(DRIFT_PROGRAM_ID, data)
    table = encode_lookup_table(LOCALNET_ADMIN, lookup_table_addresses())
    accounts[LOCALNET_LOOKUP_TABLE] = Account.rent_exempt(ADDRESS_LOOKUP_TABLE_PROGRAM_ID, table)
    accounts[LOCALNET_FAUCET] = Account(FAUCET_LAMPORTS, SYSTEM_PROGRAM_ID)
    accounts[LOCALNET_REFERRER] = Account(REFERRER_LAMPORTS, SYSTEM_PROGRAM_ID)
    blockhash = Hash(sha256(b"rekt-tui localnet genesis" + config.seed.to_bytes(8, "little", signed=True)).digest())
    return Genesis(accounts, blockhash)
