"""The first ledger of a localnet that runs the relaunched program ("Velocity") instead of Drift.

Accounts are in the relaunch's layouts, encoded by the product's codec over the pinned IDL, at
the PDAs its seeds give: State (`velocity_state`), the signer (`velocity_signer`), a USDT-like
quote (spot market 0) and SOL (spot market 1) with their vaults, perps 0 SOL, 1 BTC, 2 ETH with
PythLazerOracle oracles, each perp's `quoter_slab` and `clob_market` (owned by the order-book
program), and the localnet referrer's User and UserStats. Like `genesis.build_genesis`, a pure
function of its config.
"""

from hashlib import sha256

from solders.hash import Hash
from solders.pubkey import Pubkey

from rekt_localnet.account import Account, rent_exempt_minimum
from rekt_localnet.genesis import (
    CONFIDENCE_DIVISOR, FAUCET_LAMPORTS, GENESIS_SLOT, REFERRER_LAMPORTS, Genesis, GenesisConfig, _programs,
    encode_lookup_table,
)  # fmt: skip
from rekt_localnet.keys import (
    ADDRESS_LOOKUP_TABLE_PROGRAM_ID, BPF_LOADER_ID, LOCALNET_ADMIN, LOCALNET_FAUCET, LOCALNET_LOOKUP_TABLE,
    LOCALNET_REFERRER, RENT_SYSVAR_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, WRAPPED_SOL_MINT,
)  # fmt: skip
from rekt_localnet.programs.velocity import accounts
from rekt_localnet.programs.velocity.book import Book, empty_slab
from rekt_localnet.programs.velocity.codec import CLOB_PROGRAM_ID, VELOCITY_PROGRAM_ID, encode, program
from rekt_localnet.programs.velocity.referral import ACCELERATED
from rekt_localnet.programs.velocity.markets import (
    QUOTE_SPOT_MARKET_INDEX, VELOCITY_PERP_MARKETS, VELOCITY_SPOT_MARKETS, book_addresses, lazer_oracle_address,
)  # fmt: skip
from rekt_localnet.token import Mint, TokenAccount

VENUE = "velocity"


def velocity_signer() -> tuple[Pubkey, int]:
    return Pubkey.find_program_address([b"velocity_signer"], VELOCITY_PROGRAM_ID)


def spot_oracle(market_index: int) -> Pubkey:
    """The quote market has no oracle (QuoteAsset: the default key); SOL shares SOL-PERP's."""
    spec = VELOCITY_SPOT_MARKETS[market_index]
    return Pubkey.default() if market_index == QUOTE_SPOT_MARKET_INDEX else lazer_oracle_address(spec.asset)


def lookup_table_addresses() -> list[Pubkey]:
    pdas = program().pdas
    addresses = [pdas.state(), velocity_signer()[0]]
    addresses += [pdas.perp_market(spec.market_index) for spec in VELOCITY_PERP_MARKETS]
    addresses += [pdas.spot_market(spec.market_index) for spec in VELOCITY_SPOT_MARKETS]
    addresses += [lazer_oracle_address(spec.asset) for spec in VELOCITY_PERP_MARKETS]
    addresses += [pdas.spot_market_vault(spec.market_index) for spec in VELOCITY_SPOT_MARKETS]
    addresses += [spec.mint for spec in VELOCITY_SPOT_MARKETS]
    for spec in VELOCITY_PERP_MARKETS:
        addresses += list(book_addresses(spec.market_index))
    addresses += [CLOB_PROGRAM_ID, TOKEN_PROGRAM_ID, SYSTEM_PROGRAM_ID, RENT_SYSVAR_ID]
    return addresses


def _token_accounts(signer: Pubkey) -> dict[Pubkey, Account]:
    pdas = program().pdas
    accounts_ = {WRAPPED_SOL_MINT: Account.rent_exempt(TOKEN_PROGRAM_ID, Mint(decimals=9).pack())}
    for spec in VELOCITY_SPOT_MARKETS:
        if spec.mint != WRAPPED_SOL_MINT:
            mint = Mint(decimals=spec.decimals, mint_authority=LOCALNET_FAUCET)
            accounts_[spec.mint] = Account.rent_exempt(TOKEN_PROGRAM_ID, mint.pack())
        native_reserve = rent_exempt_minimum(165) if spec.mint == WRAPPED_SOL_MINT else None
        vault = TokenAccount(spec.mint, signer, native_reserve=native_reserve).pack()
        accounts_[pdas.spot_market_vault(spec.market_index)] = Account.rent_exempt(TOKEN_PROGRAM_ID, vault)
    return accounts_


def _program_accounts(config: GenesisConfig, signer: Pubkey, signer_nonce: int) -> dict[Pubkey, bytes]:
    pdas, now = program().pdas, config.unix_time
    data = {
        pdas.state(): accounts.state(
            admin=LOCALNET_ADMIN, signer=signer, signer_nonce=signer_nonce,
            perp_markets=len(VELOCITY_PERP_MARKETS), spot_markets=len(VELOCITY_SPOT_MARKETS),
        )
    }  # fmt: skip
    for spec in VELOCITY_PERP_MARKETS:
        price = config.prices[spec.asset]
        data[lazer_oracle_address(spec.asset)] = accounts.lazer_oracle(
            price=price, confidence=price // CONFIDENCE_DIVISOR, slot=GENESIS_SLOT, now=now
        )
        slab, clob = book_addresses(spec.market_index)
        data[pdas.perp_market(spec.market_index)] = accounts.perp_market(
            spec, address=pdas.perp_market(spec.market_index), oracle=lazer_oracle_address(spec.asset),
            price=price, now=now, quoter_slab=slab, clob_market=clob,
        )  # fmt: skip
    for spec in VELOCITY_SPOT_MARKETS:
        quote = spec.market_index == QUOTE_SPOT_MARKET_INDEX
        data[pdas.spot_market(spec.market_index)] = accounts.spot_market(
            spec, address=pdas.spot_market(spec.market_index), oracle=spot_oracle(spec.market_index),
            vault=pdas.spot_market_vault(spec.market_index), price=1_000_000 if quote else config.prices[spec.asset],
            now=now, quote=quote,
        )  # fmt: skip
    referrer = accounts.user(authority=LOCALNET_REFERRER, sub_account_id=0, name=accounts.padded("Main Account"),
                             slot=GENESIS_SLOT)  # fmt: skip
    data[pdas.user(LOCALNET_REFERRER, 0)] = encode("User", referrer)
    stats = accounts.user_stats(authority=LOCALNET_REFERRER, sub_accounts=1, now=now)
    stats["accelerated_referral_status"] = ACCELERATED  # as the relaunch enrols new accounts
    data[pdas.user_stats(LOCALNET_REFERRER)] = encode("UserStats", stats)
    return data


def build_velocity_genesis(config: GenesisConfig) -> Genesis:
    """All accounts of slot 0 of a relaunch localnet, and its genesis hash (distinct from Drift's)."""
    signer, signer_nonce = velocity_signer()
    genesis_accounts = _programs()
    for key in (VELOCITY_PROGRAM_ID, CLOB_PROGRAM_ID):
        genesis_accounts[key] = Account.rent_exempt(BPF_LOADER_ID, b"", executable=True)
    genesis_accounts.update(_token_accounts(signer))
    for address, data in _program_accounts(config, signer, signer_nonce).items():
        genesis_accounts[address] = Account.rent_exempt(VELOCITY_PROGRAM_ID, data)
    for spec in VELOCITY_PERP_MARKETS:
        slab, clob = book_addresses(spec.market_index)
        genesis_accounts[slab] = Account.rent_exempt(CLOB_PROGRAM_ID, empty_slab(spec.market_index))
        genesis_accounts[clob] = Account.rent_exempt(CLOB_PROGRAM_ID, Book(spec.market_index).pack())
    table = encode_lookup_table(LOCALNET_ADMIN, lookup_table_addresses())
    genesis_accounts[LOCALNET_LOOKUP_TABLE] = Account.rent_exempt(ADDRESS_LOOKUP_TABLE_PROGRAM_ID, table)
    genesis_accounts[LOCALNET_FAUCET] = Account(FAUCET_LAMPORTS, SYSTEM_PROGRAM_ID)
    genesis_accounts[LOCALNET_REFERRER] = Account(REFERRER_LAMPORTS, SYSTEM_PROGRAM_ID)
    seed = config.seed.to_bytes(8, "little", signed=True)
    blockhash = Hash(sha256(b"rekt-tui velocity localnet genesis" + seed).digest())
    return Genesis(genesis_accounts, blockhash)

