"""Well-known addresses of the localnet: program ids and the fixed keypairs genesis uses.

The keypairs derive from fixed seeds rather than the genesis seed so that their public
keys are constants: the app can name the localnet referrer or lookup table without a
running cluster, and a `--fresh` ledger keeps the same addresses. None of these keys
guard anything of value; they exist only on a loopback cluster.
"""

from hashlib import sha256

from solders.address_lookup_table_account import derive_lookup_table_address
from solders.keypair import Keypair
from solders.pubkey import Pubkey

# driftpy's default program id (driftpy.constants.config.DRIFT_PROGRAM_ID); spelled out
# here because importing driftpy's config costs more than half a second.
DRIFT_PROGRAM_ID = Pubkey.from_string("dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH")
SYSTEM_PROGRAM_ID = Pubkey.from_string("11111111111111111111111111111111")
ADDRESS_LOOKUP_TABLE_PROGRAM_ID = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
TOKEN_PROGRAM_ID = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
ASSOCIATED_TOKEN_PROGRAM_ID = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
COMPUTE_BUDGET_PROGRAM_ID = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
BPF_LOADER_ID = Pubkey.from_string("BPFLoader2111111111111111111111111111111111")
NATIVE_LOADER_ID = Pubkey.from_string("NativeLoader1111111111111111111111111111111")
SYSVAR_OWNER_ID = Pubkey.from_string("Sysvar1111111111111111111111111111111111111")
RENT_SYSVAR_ID = Pubkey.from_string("SysvarRent111111111111111111111111111111111")
WRAPPED_SOL_MINT = Pubkey.from_string("So11111111111111111111111111111111111111112")


def fixed_keypair(purpose: str) -> Keypair:
    """A keypair that is the same on every machine and every run, named by its purpose."""
    return Keypair.from_seed(sha256(f"rekt-tui localnet {purpose}".encode()).digest())


ADMIN_KEYPAIR = fixed_keypair("drift admin")
FAUCET_KEYPAIR = fixed_keypair("faucet")
REFERRER_KEYPAIR = fixed_keypair("referrer")
USDC_MINT_KEYPAIR = fixed_keypair("usdc mint")

LOCALNET_ADMIN = ADMIN_KEYPAIR.pubkey()
LOCALNET_FAUCET = FAUCET_KEYPAIR.pubkey()
LOCALNET_REFERRER = REFERRER_KEYPAIR.pubkey()
USDC_MINT = USDC_MINT_KEYPAIR.pubkey()

# The table is derived the way the lookup-table program derives it: from its authority
# and the slot it was created at (genesis, slot 0).
LOOKUP_TABLE_CREATION_SLOT = 0
LOCALNET_LOOKUP_TABLE = derive_lookup_table_address(LOCALNET_ADMIN, LOOKUP_TABLE_CREATION_SLOT)[0]
