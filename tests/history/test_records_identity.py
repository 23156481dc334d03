"""Each venue's event records as its localnet program logs them, decoded by the venue's
history reader, for what the live session does not reach: flips through zero at sizes that
do not divide evenly, maker rebates on both sides of a match, funding both ways, and (Drift)
a liquidation. For every user the figures and the accounting identity must agree with its
User account to the unit. Drift's instructions run in the program's test context
(`drift_harness`), each one's logs framed as the runtime frames them; the relaunch's run on
its localnet over real JSON-RPC (its program has no liquidation to reach).
"""

import base64
from types import SimpleNamespace

import aiohttp
import pytest
from driftpy.addresses import get_spot_market_public_key
from driftpy.types import PositionDirection, PostOnlyParams
from hypothesis import given, settings
from hypothesis import strategies as st

from rekt_localnet.keys import DRIFT_PROGRAM_ID, TOKEN_PROGRAM_ID
from rekt_localnet.programs.drift.matching import apply_to_position
from rekt_localnet.programs.velocity.codec import blank_event, encode_event
from rekt_localnet.programs.velocity.positions import apply_fill
from rekt_tui.domain.history import RecordKind, figures, identity, realized_on_close
from rekt_tui.drift.records import ledger_from_user, transaction_records
from rekt_tui.velocity.history import transaction_records as velocity_records
from tests.localnet.drift_harness import (
    Bank,
    fill,
    funded_trader,
    liquidate,
    place_and_take,
    settle,
    update_funding,
    user_ix,
    withdraw,
)
from tests.localnet.test_drift_orders import SOL, USDC, params
from rekt_tui.velocity.codec import trader_instructions as ti
from rekt_tui.velocity.codec.order_params import OrderParams
from tests.history import velocity_journal
from tests.localnet.velocity_support import PROGRAM as VELOCITY
from tests.localnet.velocity_support import funded_trader as velocity_trader
from tests.localnet.velocity_support import limit, make, market_metas, send, take
from tests.localnet.conftest import TEST_SLOT_MS, Rpc, start_localnet

SHORT = PositionDirection.Short()
PROGRAM = str(DRIFT_PROGRAM_ID)


class Journal:
    """Every instruction's logs as a landed transaction's, by a made-up signature."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.transactions: list[dict] = []
        self._run = bank.run
        bank.run = self.run  # every instruction, the harness's own set-up ones too

    def run(self, ix) -> list[str]:
        logs = self._run(ix)
        framed = [f"Program {PROGRAM} invoke [1]", *logs, f"Program {PROGRAM} success"]
        self.transactions.append({"slot": self.bank.clock.slot, "meta": {"err": None, "logMessages": framed}})
        return logs

    def records(self, trader) -> list:
        found = []
        for number, transaction in enumerate(self.transactions):
            found += transaction_records(transaction, f"sig{number}", str(trader.user), PROGRAM)
        return found


def check_identity(bank: Bank, journal: Journal, trader) -> object:
    user = bank.decode(trader.user)
    market = bank.decode(get_spot_market_public_key(DRIFT_PROGRAM_ID, 0))
    result = figures(journal.records(trader))
    ledger = ledger_from_user(user, market, bank.clock.slot)
    assert identity(result, ledger).holds, (result, ledger)
    assert result.funding == user.cumulative_perp_funding
    assert (result.deposits, result.withdrawals) == (user.total_deposits, user.total_withdraws)
    assert result.settled_pnl == user.settled_perp_pnl
    return result


VENUES = ["drift", "velocity"]


@pytest.mark.parametrize("venue", VENUES)
async def test_flips_makers_funding_and_a_liquidation_keep_the_identity_for_every_user(venue, tmp_path):
    """On the relaunch without the liquidation: its program (and localnet) has none to reach."""
    if venue == "drift":
        drift_walk()
        return
    chain = await start_localnet(tmp_path / "data", slot_ms=TEST_SLOT_MS, venue="velocity")
    try:
        async with aiohttp.ClientSession() as session:
            await velocity_walk(chain, Rpc(session, chain.rpc_url))
    finally:
        await chain.stop()


def drift_walk() -> None:
    bank = Bank()
    journal = Journal(bank)
    maker = funded_trader(bank, usdc=10_000 * USDC)
    trader = funded_trader(bank, usdc=1_000 * USDC)
    keeper = funded_trader(bank)
    for order_id, price in ((1, 150_010_100), (2, 150_020_300)):  # asks the taker will lift
        journal.run(user_ix("place_perp_order", {"params": params(
            SHORT, size=1_330_000_000, price=price, post_only=PostOnlyParams.MustPostOnly(),
        )}, maker))  # fmt: skip
    journal.run(place_and_take(trader, params(size=1_770_000_000, price=151 * USDC), makers=[maker]))
    bank.advance(20, seconds=3_601)
    bank.set_oracle("SOL", 152_345_679)  # prices off the tick: quotes that do not split evenly
    journal.run(update_funding(0))
    journal.run(place_and_take(trader, params(SHORT, size=3_110_000_000, price=140 * USDC), makers=[maker]))
    bank.advance(20, seconds=3_601)
    journal.run(update_funding(0))
    journal.run(settle(trader, 0))
    journal.run(settle(maker, 0))
    journal.run(withdraw(trader, 0, 100 * USDC, perp=(0,)))

    result = check_identity(bank, journal, trader)
    fills = [r for r in journal.records(trader) if r.kind is RecordKind.FILL]
    assert {r.role for r in fills} == {"taker"} and len(fills) >= 3
    assert result.closes >= 1 and result.realized_pnl != 0  # the flip realized against the entry
    maker_result = check_identity(bank, journal, maker)
    assert maker_result.rebates > 0 and maker_result.fees_paid == 0
    assert any(r.kind is RecordKind.FUNDING and r.amount for r in journal.records(maker))

    victim = funded_trader(bank, usdc=100 * USDC)
    journal.run(place_and_take(victim, params(size=12 * SOL)))
    bank.set_oracle("SOL", 145 * USDC)
    journal.run(liquidate(keeper, victim, 0, 12 * SOL))
    victim_result = check_identity(bank, journal, victim)
    [liquidation] = [r for r in journal.records(victim) if r.kind is RecordKind.LIQUIDATION]
    [closing] = [r for r in journal.records(victim) if r.liquidation]
    assert (liquidation.base, closing.base) == (-12 * SOL, -12 * SOL)
    assert closing.fee == liquidation.fee > 0 and victim_result.realized_pnl < 0


async def _sent(vrpc, instructions, signer) -> None:
    sent = await send(vrpc, instructions, [signer.keypair])
    assert sent.err is None, sent.logs


async def velocity_identity(vrpc, trader):
    """The trader's records against its User: figures, counters and the identity to the unit."""
    records = await velocity_journal.records(vrpc, trader)
    user, ledger = await velocity_journal.user_and_ledger(vrpc, trader)
    result = figures(records)
    assert identity(result, ledger).holds, (result, ledger)
    assert result.funding == user["cumulative_perp_funding"]
    assert (result.deposits, result.withdrawals) == (user["total_deposits"], user["total_withdraws"])
    assert result.settled_pnl == user["settled_perp_pnl"]
    return result, records


async def velocity_walk(velocity, vrpc) -> None:
    maker = await velocity_trader(vrpc, 10_000 * USDC)
    trader = await velocity_trader(vrpc, 1_000 * USDC)
    for price in (150_010_100, 150_020_300):  # asks the taker will lift, off the dollar
        await _sent(vrpc, [make(maker, limit("Short", 1_330_000_000, price, post_only="MustPostOnly"))], maker)
    await _sent(vrpc, [take(trader, OrderParams("Market", "Long", 1_770_000_000, 0, 0), [maker])], trader)
    await _sent(vrpc, [make(maker, limit("Long", 3_110_000_000, 149_876_500, post_only="MustPostOnly"))], maker)
    await _sent(vrpc, [take(trader, OrderParams("Market", "Short", 3_110_000_000, 0, 0), [maker])], trader)  # a flip
    for premium in (1_234_567, -2_345_678):  # the shorts pay, then the longs do
        velocity_journal.make_funding_due(velocity.ledger, 0, premium)
        market = VELOCITY.pdas.perp_market(0)
        crank = VELOCITY.instructions.build("update_funding_rate", {"market_index": 0}, {
            "state": VELOCITY.pdas.state(), "perp_market": market,
            "oracle": VELOCITY.accounts.decode("PerpMarket", velocity.ledger.get(market).data)["oracle"],
        })  # fmt: skip
        await _sent(vrpc, [crank], trader)
        await _sent(vrpc, [make(maker, limit("Long", 20_000_000, 149_500_000, post_only="MustPostOnly"))], maker)
        await _sent(vrpc, [take(trader, OrderParams("Market", "Short", 20_000_000, 0, 0), [maker])], trader)
    remaining = market_metas(spot=[0], perp=[0], writable_spot=True)
    for who in (trader, maker):
        await _sent(vrpc, [ti.settle_pnl(VELOCITY, who.key, 0, 0, remaining)], who)
    await _sent(vrpc, [ti.withdraw(VELOCITY, trader.key, 0, 0, 100 * USDC, trader.quote_account,
                                   TOKEN_PROGRAM_ID, False, remaining=remaining)], trader)  # fmt: skip

    result, records = await velocity_identity(vrpc, trader)
    fills = [r for r in records if r.kind is RecordKind.FILL]
    assert {r.role for r in fills} == {"taker"} and len(fills) >= 4
    assert result.closes >= 1 and result.realized_pnl != 0  # the flip realized against the entry
    maker_result, maker_records = await velocity_identity(vrpc, maker)
    assert maker_result.rebates > 0 and maker_result.fees_paid == 0 and maker_result.closes >= 1
    paid = [r.amount for r in maker_records + records if r.kind is RecordKind.FUNDING]
    assert any(a > 0 for a in paid) and any(a < 0 for a in paid)  # funding both ways


@pytest.mark.parametrize("venue", VENUES)
@settings(max_examples=400, deadline=None)
@given(
    base=st.integers(-10**12, 10**12),
    entry=st.integers(-10**11, 10**11),
    delta=st.integers(-10**12, 10**12).filter(bool),
    price=st.integers(1, 10**9),
)
def test_realized_on_close_is_what_the_program_books(venue, base, entry, delta, price):
    """For any position and any fill, including flips whose quote does not split evenly,
    the realized PnL read from a record equals the change the program makes to the
    position's quote beyond its entry (on the relaunch, with the base and entry the
    localnet's record states)."""
    if base == 0:
        entry = 0
    elif (entry < 0) != (base > 0):
        entry = -entry  # a long paid for its entry, a short received it
    quote = -delta * price // 10**9
    fields = dict(base_asset_amount=base, quote_entry_amount=entry, quote_break_even_amount=entry,
                  quote_asset_amount=entry)  # fmt: skip
    closed = 0 if base == 0 or (base > 0) == (delta > 0) else min(abs(delta), abs(base))
    position = SimpleNamespace(**fields)
    apply_to_position(position, delta, quote, 0)
    after = position.quote_asset_amount - position.quote_entry_amount
    closed_entry = abs(entry) if closed == abs(base) else abs(entry - position.quote_entry_amount)
    if venue == "velocity":  # the same rules (the relaunch kept Drift's), and its record states them
        moved = dict(fields)
        assert apply_fill(moved, delta, quote, 0) == ((closed, closed_entry) if closed else (0, 0))
        assert moved == vars(position)
    assert realized_on_close(delta, quote, closed, closed_entry if closed else 0) == after  # it was 0 before


def _deposit_logs(venue: str) -> tuple[list[str], str, str]:
    """A landed deposit's logs (framed by the program), with the user and program it names."""
    if venue == "drift":
        bank = Bank()
        journal = Journal(bank)
        trader = funded_trader(bank, usdc=1_000 * USDC)
        [deposit] = [t for t in journal.transactions if any(line.startswith("Program data:") for line in
                                                             t["meta"]["logMessages"])]  # fmt: skip
        return deposit["meta"]["logMessages"], str(trader.user), PROGRAM
    user = VELOCITY.pdas.user(VELOCITY.pdas.state(), 0)  # any address
    fields = {**blank_event("DepositRecord"), "user": user, "direction": "Deposit", "amount": 1_000 * USDC}
    data = base64.b64encode(encode_event("DepositRecord", fields)).decode()
    program = str(VELOCITY.program_id)
    return [f"Program {program} invoke [1]", f"Program data: {data}", f"Program {program} success"], str(user), program


def _records(venue: str, transaction: dict, user: str, program: str) -> list:
    if venue == "drift":
        return transaction_records(transaction, "s", user, program)
    return velocity_records(VELOCITY, transaction, "s", user)


@pytest.mark.parametrize("venue", VENUES)
def test_only_the_programs_own_records_count_and_log_text_cannot_fake_framing(venue):
    """A record logged by another program (a CPI target) is not the venue's, a log line that
    reads like framing does not move the program stack, and indexes never shift."""
    logs, user, program = _deposit_logs(venue)
    data = next(line for line in logs if line.startswith("Program data:"))
    other = "Tokenkeg"
    forged = [logs[0], "Program log: success", f"Program {other} invoke [2]", data, f"Program {other} success",
              data, logs[-1]]  # fmt: skip
    records = _records(venue, {"slot": 1, "meta": {"err": None, "logMessages": forged}}, user, program)
    assert [(r.kind, r.index, r.amount) for r in records] == [(RecordKind.DEPOSIT, 0, 1_000 * USDC)]
    failed = {"slot": 1, "meta": {"err": {"InstructionError": [0, "Custom"]}, "logMessages": logs}}
    assert _records(venue, failed, user, program) == []
