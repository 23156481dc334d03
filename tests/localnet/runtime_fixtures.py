"""A ledger and runtime in memory (no servers), for tests of execution itself."""

import pytest
from solders.keypair import Keypair

from rekt_localnet.genesis import GenesisConfig, build_genesis
from rekt_localnet.keys import FAUCET_KEYPAIR
from rekt_localnet.ledger import Ledger
from rekt_localnet.programs.ata import AssociatedTokenProgram
from rekt_localnet.programs.compute_budget import ComputeBudgetProgram
from rekt_localnet.programs.system import SystemProgram
from rekt_localnet.programs.token import TokenProgram
from rekt_localnet.runtime import Runtime
from rekt_localnet.store import LedgerStore
from tests.localnet.invariants import LedgerWatch
from tests.localnet.transactions import pay

GENESIS_TIME = 1_700_000_000


class Chain:
    """A ledger at genesis with the native programs, and a watch on its invariants."""

    def __init__(self, directory) -> None:
        self.ledger = Ledger(LedgerStore(directory), build_genesis(GenesisConfig(unix_time=GENESIS_TIME)))
        programs = [SystemProgram(), ComputeBudgetProgram(), TokenProgram(), AssociatedTokenProgram()]
        self.runtime = Runtime(self.ledger, programs, clock=lambda: GENESIS_TIME)
        self.watch = LedgerWatch(self.ledger)

    @property
    def blockhash(self) -> str:
        return self.ledger.latest_blockhash[0]

    def lamports(self, key) -> int:
        account = self.ledger.get(key)
        return 0 if account is None else account.lamports

    def funded(self, lamports: int) -> Keypair:
        """A new wallet funded from the faucet by a landed transfer."""
        wallet = Keypair()
        self.runtime.submit_internal([pay(FAUCET_KEYPAIR, wallet.pubkey(), lamports)], [FAUCET_KEYPAIR])
        return wallet

    def status(self, signature: str):
        return self.ledger.transaction(signature)


@pytest.fixture
def chain(tmp_path):
    chain = Chain(tmp_path / "ledger")
    yield chain
    chain.watch.check()
    chain.ledger.close()
