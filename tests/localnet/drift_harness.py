"""A test-only stand-in for the transaction runtime, to exercise Drift handlers directly.

`Bank` holds accounts in a dict and runs one instruction at a time atomically through
an InvokeContext that also plays the System (create_account) and Token (transfer)
programs for Drift's CPIs. The instruction builders name accounts in the order of the
IDL, as driftpy does, followed by the remaining accounts driftpy would pass.
"""

import base64
import struct
from dataclasses import dataclass, field, replace

from driftpy.addresses import (
    get_perp_market_public_key,
    get_spot_market_public_key,
    get_spot_market_vault_public_key,
    get_state_public_key,
    get_user_account_public_key,
    get_user_stats_account_public_key,
)
from driftpy.types import OrderParams
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_localnet import drift_accounts
from rekt_localnet.account import Account
from rekt_localnet.encoding import decode_account, drift_coder
from rekt_localnet.genesis import GenesisConfig, build_genesis, drift_signer, oracle_address
from rekt_localnet.keys import DRIFT_PROGRAM_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID
from rekt_localnet.markets import PERP_MARKETS, SPOT_MARKETS
from rekt_localnet.programs.drift import DriftProgram
from rekt_localnet.runtime.program import AccountRef, Clock, InstructionError
from rekt_localnet.token import TokenAccount

GENESIS_TIME = 1_700_000_000
STATE = get_state_public_key(DRIFT_PROGRAM_ID)


@dataclass
class Ix:
    data: bytes
    accounts: list[AccountRef]


class Ctx:
    def __init__(self, bank: "Bank", accounts: list[AccountRef], data: bytes, writes: dict, logs: list) -> None:
        self.program_id = DRIFT_PROGRAM_ID
        self.accounts = accounts
        self.data = data
        self.clock = bank.clock
        self._bank = bank
        self._writes = writes
        self._logs = logs
        self._writable = {ref.key for ref in accounts if ref.is_writable}

    def account(self, key: Pubkey) -> Account | None:
        return self._writes[key] if key in self._writes else self._bank.accounts.get(key)

    def write(self, key: Pubkey, account: Account | None) -> None:
        if key not in self._writable:
            raise InstructionError("ReadonlyDataModified", f"{key} is read-only")
        self._writes[key] = account

    def log(self, message: str) -> None:
        self._logs.append(f"Program log: {message}")

    def log_data(self, data: bytes) -> None:
        self._logs.append(f"Program data: {base64.b64encode(data).decode()}")

    def consume(self, units: int) -> None:
        pass

    def invoke(self, program_id, accounts, data, *, signers=()) -> None:
        signed = {ref.key for ref in self.accounts if ref.is_signer} | set(signers)
        if program_id == SYSTEM_PROGRAM_ID:
            _, lamports, space, owner = struct.unpack("<IQQ32s", data)
            payer, new = accounts[0].key, accounts[1].key
            if self.account(new) is not None:
                raise InstructionError("AccountAlreadyInUse", "exists")
            funder = self.account(payer)
            if funder is None or funder.lamports < lamports or payer not in signed or new not in signed:
                raise InstructionError("InsufficientFunds", "payer")
            self._writes[payer] = Account(funder.lamports - lamports, funder.owner, funder.data)
            self._writes[new] = Account(lamports, Pubkey.from_bytes(owner), bytes(space))
        elif program_id == TOKEN_PROGRAM_ID:
            _, amount = struct.unpack("<BQ", data)
            source_key, dest_key, authority = (ref.key for ref in accounts)
            source_acc, dest_acc = self.account(source_key), self.account(dest_key)
            source, dest = TokenAccount.unpack(source_acc.data), TokenAccount.unpack(dest_acc.data)
            if source.owner != authority or authority not in signed:
                raise InstructionError("MissingRequiredSignature", "token authority")
            if source.amount < amount:
                raise InstructionError(1, "insufficient funds")
            moved = amount if source.native_reserve is not None else 0
            self._writes[source_key] = Account(
                source_acc.lamports - moved, TOKEN_PROGRAM_ID, _with_amount(source, source.amount - amount)
            )
            self._writes[dest_key] = Account(
                dest_acc.lamports + moved, TOKEN_PROGRAM_ID, _with_amount(dest, dest.amount + amount)
            )
        else:
            raise InstructionError("IncorrectProgramId", str(program_id))


def _with_amount(account: TokenAccount, amount: int) -> bytes:
    return replace(account, amount=amount).pack()


@dataclass
class Trader:
    keypair: Keypair
    token_accounts: dict[int, Pubkey] = field(default_factory=dict)

    @property
    def key(self) -> Pubkey:
        return self.keypair.pubkey()

    @property
    def user(self) -> Pubkey:
        return get_user_account_public_key(DRIFT_PROGRAM_ID, self.key, 0)

    @property
    def stats(self) -> Pubkey:
        return get_user_stats_account_public_key(DRIFT_PROGRAM_ID, self.key)


class Bank:
    def __init__(self) -> None:
        self.accounts = dict(build_genesis(GenesisConfig(unix_time=GENESIS_TIME)).accounts)
        self.clock = Clock(slot=1, unix_timestamp=GENESIS_TIME)
        self.program = DriftProgram()
        self.logs: list[str] = []

    def advance(self, slots: int = 1, seconds: int = 0) -> None:
        self.clock = Clock(self.clock.slot + slots, self.clock.unix_timestamp + seconds)

    def run(self, ix: Ix) -> list[str]:
        """Run one Drift instruction; apply its writes only if it succeeds."""
        writes: dict = {}
        logs: list[str] = []
        self.program.process(Ctx(self, ix.accounts, ix.data, writes, logs))
        for key, account in writes.items():
            if account is None:
                self.accounts.pop(key, None)
            else:
                self.accounts[key] = account
        self.logs += logs
        return logs

    def decode(self, key: Pubkey):
        return decode_account(self.accounts[key].data)

    def token_amount(self, key: Pubkey) -> int:
        return TokenAccount.unpack(self.accounts[key].data).amount

    def set_oracle(self, asset: str, price: int) -> None:
        index = next((s.market_index for s in PERP_MARKETS if s.asset == asset), 65535)
        data = drift_accounts.prelaunch_oracle(price=price, confidence=0, perp_market_index=index, slot=self.clock.slot)
        self.accounts[oracle_address(asset)] = Account.rent_exempt(DRIFT_PROGRAM_ID, data)

    def new_trader(self, *, usdc: int = 0, sol_tokens: int = 0) -> Trader:
        """A wallet with lamports and token accounts holding `usdc` and wrapped `sol_tokens`."""
        trader = Trader(Keypair())
        self.accounts[trader.key] = Account(100 * 10**9, SYSTEM_PROGRAM_ID)
        for spec, amount in ((SPOT_MARKETS[0], usdc), (SPOT_MARKETS[1], sol_tokens)):
            address = Keypair().pubkey()
            native = 2_039_280 if spec.market_index == 1 else None
            data = TokenAccount(spec.mint, trader.key, amount, native_reserve=native).pack()
            self.accounts[address] = Account(amount + (native or 0) if native else 2_039_280, TOKEN_PROGRAM_ID, data)
            trader.token_accounts[spec.market_index] = address
        return trader


def ref(key: Pubkey, signer: bool = False, writable: bool = False) -> AccountRef:
    return AccountRef(key, signer, writable)


def _ix(name: str, args: dict, accounts: list[AccountRef]) -> Ix:
    return Ix(drift_coder().instruction.encode(name, args), accounts)


def market_refs(perp: tuple[int, ...] = (), spot: tuple[int, ...] = (0,), writable: bool = False) -> list[AccountRef]:
    """Oracles, spot markets, perp markets: the remaining accounts driftpy passes."""
    oracles = []
    for index in spot:
        oracles.append(oracle_address(SPOT_MARKETS[index].asset))
    for index in perp:
        oracles.append(oracle_address(PERP_MARKETS[index].asset))
    refs = [ref(key, writable=False) for key in dict.fromkeys(oracles)]
    refs += [ref(get_spot_market_public_key(DRIFT_PROGRAM_ID, i), writable=writable) for i in spot]
    refs += [ref(get_perp_market_public_key(DRIFT_PROGRAM_ID, i), writable=writable) for i in perp]
    return refs


def init_user_stats(trader: Trader) -> Ix:
    return _ix("initialize_user_stats", {}, [
        ref(trader.stats, writable=True), ref(STATE, writable=True), ref(trader.key, True),
        ref(trader.key, True, True), ref(Pubkey.default()), ref(SYSTEM_PROGRAM_ID),
    ])


def init_user(trader: Trader, referrer: list[AccountRef] = (), sub_account_id: int = 0) -> Ix:
    name = list(b"Main Account".ljust(32, b" "))
    return _ix("initialize_user", {"sub_account_id": sub_account_id, "name": name}, [
        ref(trader.user, writable=True), ref(trader.stats, writable=True), ref(STATE, writable=True),
        ref(trader.key, True), ref(trader.key, True, True), ref(Pubkey.default()), ref(SYSTEM_PROGRAM_ID),
        *referrer,
    ])


def deposit(trader: Trader, market: int, amount: int, reduce_only: bool = False, perp=()) -> Ix:
    return _ix("deposit", {"market_index": market, "amount": amount, "reduce_only": reduce_only}, [
        ref(STATE), ref(trader.user, writable=True), ref(trader.stats, writable=True), ref(trader.key, True),
        ref(get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, market), writable=True),
        ref(trader.token_accounts[market], writable=True), ref(TOKEN_PROGRAM_ID),
        *market_refs(perp, tuple(sorted({0, market})), writable=True),
    ])


def withdraw(trader: Trader, market: int, amount: int, reduce_only: bool = False, perp=()) -> Ix:
    return _ix("withdraw", {"market_index": market, "amount": amount, "reduce_only": reduce_only}, [
        ref(STATE), ref(trader.user, writable=True), ref(trader.stats, writable=True), ref(trader.key, True),
        ref(get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, market), writable=True), ref(drift_signer()[0]),
        ref(trader.token_accounts[market], writable=True), ref(TOKEN_PROGRAM_ID),
        *market_refs(perp, (0, 1), writable=True),
    ])


def user_ix(name: str, args: dict, trader: Trader, perp=(0,), spot=(0, 1), extra=()) -> Ix:
    """An instruction of the state/user/authority family (orders, cancels, modifies)."""
    return _ix(name, args, [
        ref(STATE), ref(trader.user, writable=True), ref(trader.key, True), *market_refs(perp, spot), *extra,
    ])


def place_and_take(trader: Trader, params: OrderParams, makers: list[Trader] = (), success: int | None = None) -> Ix:
    maker_refs = [r for m in makers for r in (ref(m.user, writable=True), ref(m.stats, writable=True))]
    return _ix("place_and_take_perp_order", {"params": params, "success_condition": success}, [
        ref(STATE), ref(trader.user, writable=True), ref(trader.stats, writable=True), ref(trader.key, True),
        *market_refs((params.market_index,), (0, 1), writable=True), *maker_refs,
    ])


def fill(filler: Trader, trader: Trader, order_id: int, makers: list[Trader] = (), market: int = 0) -> Ix:
    maker_refs = [r for m in makers for r in (ref(m.user, writable=True), ref(m.stats, writable=True))]
    return _ix("fill_perp_order", {"order_id": order_id, "maker_order_id": None}, [
        ref(STATE), ref(filler.key, True), ref(filler.user, writable=True), ref(filler.stats, writable=True),
        ref(trader.user, writable=True), ref(trader.stats, writable=True),
        *market_refs((market,), (0, 1), writable=True), *maker_refs,
    ])


def settle(trader: Trader, market: int) -> Ix:
    return _ix("settle_pnl", {"market_index": market}, [
        ref(STATE), ref(trader.user, writable=True), ref(trader.key, True),
        ref(get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, 0)),
        *market_refs((market,), (0, 1), writable=True),
    ])


def funded_trader(bank: Bank, usdc: int = 0, sol_tokens: int = 0, referrer: list[AccountRef] = ()) -> Trader:
    trader = bank.new_trader(usdc=usdc, sol_tokens=sol_tokens)
    bank.run(init_user_stats(trader))
    bank.run(init_user(trader, referrer))
    if usdc:
        bank.run(deposit(trader, 0, usdc))
    if sol_tokens:
        bank.run(deposit(trader, 1, sol_tokens))
    return trader



def trigger(filler: Trader, trader: Trader, order_id: int, market: int = 0) -> Ix:
    return _ix("trigger_order", {"order_id": order_id}, [
        ref(STATE), ref(filler.key, True), ref(filler.user, writable=True), ref(trader.user, writable=True),
        *market_refs((market,), (0, 1)),
    ])


def liquidate(liquidator: Trader, trader: Trader, market: int, max_base: int) -> Ix:
    args = {"market_index": market, "liquidator_max_base_asset_amount": max_base, "limit_price": None}
    return _ix("liquidate_perp", args, [
        ref(STATE), ref(liquidator.key, True), ref(liquidator.user, writable=True),
        ref(liquidator.stats, writable=True), ref(trader.user, writable=True), ref(trader.stats, writable=True),
        *market_refs((0, 1, 2), (0, 1), writable=True),
    ])


def place_and_take_spot(trader: Trader, params: OrderParams, makers: list[Trader] = ()) -> Ix:
    maker_refs = [r for m in makers for r in (ref(m.user, writable=True), ref(m.stats, writable=True))]
    return _ix("place_and_take_spot_order", {"params": params, "fulfillment_type": None, "maker_order_id": None}, [
        ref(STATE), ref(trader.user, writable=True), ref(trader.stats, writable=True), ref(trader.key, True),
        *market_refs((), (0, 1), writable=True), *maker_refs,
    ])


def update_funding(market: int) -> Ix:
    return _ix("update_funding_rate", {"market_index": market}, [
        ref(STATE), ref(get_perp_market_public_key(DRIFT_PROGRAM_ID, market), writable=True),
        ref(oracle_address(PERP_MARKETS[market].asset)),
    ])


def assert_vaults_hold_net_deposits(bank: Bank) -> None:
    """Each spot vault holds exactly what users deposited net of withdrawals (fills and
    settlements move balances inside Drift, never tokens)."""
    for spec in SPOT_MARKETS:
        net = 0
        for account in bank.accounts.values():
            if account.owner == DRIFT_PROGRAM_ID and len(account.data) == 4376:
                user = decode_account(account.data)
                net += sum(p.cumulative_deposits for p in user.spot_positions if p.market_index == spec.market_index)
        vault = get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, spec.market_index)
        assert bank.token_amount(vault) == net, spec.symbol
