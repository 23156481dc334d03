"""Genesis: deterministic for a seed, Drift accounts at driftpy's PDAs and mainnet sizes."""

from driftpy.addresses import (
    get_drift_client_signer_public_key,
    get_perp_market_public_key,
    get_spot_market_public_key,
    get_spot_market_vault_public_key,
    get_state_public_key,
    get_user_account_public_key,
    get_user_stats_account_public_key,
)
from driftpy.constants.config import DRIFT_PROGRAM_ID as DRIFTPY_PROGRAM_ID
from driftpy.decode.user import decode_user
from solders.address_lookup_table_account import AddressLookupTable

from rekt_localnet import LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER
from rekt_localnet.encoding import ACCOUNT_SIZES, decode_account, discriminator
from rekt_localnet.genesis import GenesisConfig, build_genesis, lookup_table_addresses
from rekt_localnet.keys import ADDRESS_LOOKUP_TABLE_PROGRAM_ID, DRIFT_PROGRAM_ID, LOCALNET_ADMIN, TOKEN_PROGRAM_ID
from rekt_localnet.token import TokenAccount

PINNED_TIME = 1_767_225_600


def genesis(seed: int = 0):
    return build_genesis(GenesisConfig(seed=seed, unix_time=PINNED_TIME))


def test_program_id_is_driftpys():
    assert DRIFT_PROGRAM_ID == DRIFTPY_PROGRAM_ID


def test_genesis_is_deterministic_for_a_seed():
    first, again, other = genesis(7), genesis(7), genesis(8)
    assert first.accounts == again.accounts and first.blockhash == again.blockhash
    assert other.blockhash != first.blockhash
    assert other.accounts == first.accounts


def test_drift_accounts_have_mainnet_sizes():
    by_discriminator = {discriminator(name): (name, size) for name, size in ACCOUNT_SIZES.items()}
    counts: dict[str, int] = {}
    for account in genesis().accounts.values():
        if account.owner != DRIFT_PROGRAM_ID:
            continue
        name, size = by_discriminator[account.data[:8]]
        assert len(account.data) == size, name
        counts[name] = counts.get(name, 0) + 1
    assert counts == {"State": 1, "PerpMarket": 3, "SpotMarket": 2, "PrelaunchOracle": 4, "User": 1, "UserStats": 1}


def test_markets_sit_at_driftpy_pdas_and_name_existing_oracles_and_vaults():
    accounts = genesis().accounts
    assert decode_account(accounts[get_state_public_key(DRIFT_PROGRAM_ID)].data).number_of_markets == 3
    signer = get_drift_client_signer_public_key(DRIFT_PROGRAM_ID)
    for index in range(3):
        market = decode_account(accounts[get_perp_market_public_key(DRIFT_PROGRAM_ID, index)].data)
        assert market.market_index == index
        oracle = accounts[market.amm.oracle]
        assert oracle.owner == DRIFT_PROGRAM_ID and oracle.data[:8] == discriminator("PrelaunchOracle")
        assert decode_account(oracle.data).price == market.amm.peg_multiplier
    for index in range(2):
        market = decode_account(accounts[get_spot_market_public_key(DRIFT_PROGRAM_ID, index)].data)
        assert market.market_index == index and market.oracle in accounts
        assert market.vault == get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, index)
        vault = accounts[market.vault]
        assert vault.owner == TOKEN_PROGRAM_ID
        token = TokenAccount.unpack(vault.data)
        assert token.owner == signer and token.mint == market.mint and token.amount == 0
        assert market.insurance_fund.vault in accounts and market.mint in accounts


def test_referrer_has_a_user_and_user_stats():
    accounts = genesis().accounts
    user = decode_user(accounts[get_user_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER, 0)].data)
    assert user.authority == LOCALNET_REFERRER and user.sub_account_id == 0
    stats = decode_account(accounts[get_user_stats_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER)].data)
    assert stats.authority == LOCALNET_REFERRER and stats.number_of_sub_accounts == 1
    assert accounts[LOCALNET_REFERRER].lamports > 0


def test_lookup_table_is_an_active_table_of_drift_addresses():
    account = genesis().accounts[LOCALNET_LOOKUP_TABLE]
    assert account.owner == ADDRESS_LOOKUP_TABLE_PROGRAM_ID
    table = AddressLookupTable.deserialize(account.data)
    assert table.meta.authority == LOCALNET_ADMIN and table.meta.deactivation_slot == 2**64 - 1
    assert list(table.addresses) == lookup_table_addresses()
    assert get_state_public_key(DRIFT_PROGRAM_ID) in table.addresses
    assert get_perp_market_public_key(DRIFT_PROGRAM_ID, 2) in table.addresses
