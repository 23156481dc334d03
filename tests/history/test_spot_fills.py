"""Spot fills: what the Drift program logs for a spot match, how each venue's reader keeps it,
and how the figures and the accounting identity count it (apart from every perp figure).

The Drift case is the defect's own path in the program's test context: SOL collateral, a perp
trade closed at a loss, a settlement that leaves a USDC borrow, then a sale of SOL against a
maker's bid, as a stop's repay step sends it. The chain's side is read without our reader
(anchorpy's event coder, the User and SpotMarket accounts).
"""

import base64
from dataclasses import replace
from importlib import resources

import pytest
from anchorpy.coder.event import EventCoder
from anchorpy_core.idl import Idl
from driftpy.addresses import get_spot_market_public_key
from driftpy.types import PositionDirection, PostOnlyParams

from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.programs.velocity.codec import blank_event, encode_event
from rekt_tui.cli.history import _report_rows as report_rows
from rekt_tui.domain.history import ChainRecord, Ledger, RecordKind, figures, identity
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.records import MarketType
from rekt_tui.domain.venue_labels import DRIFT
from rekt_tui.drift.records import DATA_PREFIX, ledger_from_user, transaction_records
from rekt_tui.services.history import build_report, result_lines, spot_trade_line
from rekt_tui.velocity.history import transaction_records as velocity_records
from tests.history.test_records_identity import Journal
from tests.localnet.drift_harness import Bank, funded_trader, place_and_take, place_and_take_spot, settle, user_ix
from tests.localnet.test_drift_orders import SOL, USDC, params
from tests.localnet.test_drift_spot import balance, spot_params
from tests.localnet.velocity_support import PROGRAM as VELOCITY

LONG, SHORT = PositionDirection.Long(), PositionDirection.Short()
PROGRAM = str(DRIFT_PROGRAM_ID)
SALE = SOL // 100  # the spot market's minimum order, what a repay sells at least


def chain_events(logs: list[str]) -> list:
    """The program's events in the logs, by anchorpy's coder over driftpy's IDL (not our reader)."""
    coder = EventCoder(Idl.from_json(resources.files("driftpy").joinpath("idl/drift.json").read_text()))
    return [coder.parse(base64.b64decode(line[len(DATA_PREFIX):])) for line in logs if line.startswith(DATA_PREFIX)]


def ledger(bank: Bank, trader) -> Ledger:
    quote_market = bank.decode(get_spot_market_public_key(DRIFT_PROGRAM_ID, 0))
    return ledger_from_user(bank.decode(trader.user), quote_market, bank.clock.slot)


def borrowing_trader(bank: Bank, journal: Journal, maker) -> object:
    """SOL collateral only; a perp round trip at a loss, settled: a USDC borrow."""
    trader = funded_trader(bank, sol_tokens=SOL)
    journal.run(user_ix("place_perp_order", {"params": params(
        SHORT, size=5 * SOL // 100, price=150_500_000, post_only=PostOnlyParams.MustPostOnly())}, maker))  # fmt: skip
    journal.run(place_and_take(trader, params(size=5 * SOL // 100, price=152 * USDC), makers=[maker]))
    journal.run(user_ix("place_perp_order", {"params": params(
        LONG, size=5 * SOL // 100, price=149_500_000, post_only=PostOnlyParams.MustPostOnly())}, maker))  # fmt: skip
    journal.run(place_and_take(trader, params(SHORT, size=5 * SOL // 100, price=149 * USDC, reduce_only=True),
                               makers=[maker]))  # fmt: skip
    journal.run(settle(trader, 0))
    assert balance(bank, trader, 0) < 0  # the loss settled into a USDC borrow
    return trader


def test_a_sale_of_sol_to_repay_a_borrow_is_a_spot_fill_and_the_identity_holds():
    bank = Bank()
    journal = Journal(bank)
    maker = funded_trader(bank, usdc=10_000 * USDC)
    trader = borrowing_trader(bank, journal, maker)
    bid = spot_params(LONG, SOL, 149_900_000, post_only=PostOnlyParams.MustPostOnly())
    journal.run(user_ix("place_spot_order", {"params": bid}, maker, perp=(0,)))  # the maker holds a perp position
    market_before = bank.decode(get_spot_market_public_key(DRIFT_PROGRAM_ID, 1))
    usdc_before, sol_before = balance(bank, trader, 0), balance(bank, trader, 1)
    maker_usdc_before = balance(bank, maker, 0)

    journal.run(place_and_take_spot(trader, spot_params(SHORT, SALE, 149 * USDC), makers=[maker]))

    # The chain's record, as real Drift's fulfill_spot_order_with_match logs it.
    [event] = chain_events(journal.transactions[-1]["meta"]["logMessages"])
    data = event.data
    assert event.name == "OrderActionRecord" and type(data.action).__name__ == "Fill"
    assert type(data.market_type).__name__ == "Spot" and data.market_index == 1
    assert type(data.action_explanation).__name__ == "OrderFilledWithMatch"
    assert data.fill_record_id == market_before.next_fill_record_id
    assert bank.decode(get_spot_market_public_key(DRIFT_PROGRAM_ID, 1)).next_fill_record_id == data.fill_record_id + 1
    quote = SALE * 149_900_000 // SOL
    assert (data.base_asset_amount_filled, data.quote_asset_amount_filled) == (SALE, quote)
    assert data.taker_fee == -(-quote * 10 // 10_000) and data.maker_fee == -(quote * 2 // 10_000)
    assert (str(data.taker), str(data.maker)) == (str(trader.user), str(maker.user))
    assert (data.quote_asset_amount_surplus, data.spot_fulfillment_method_fee) == (0, 0)
    assert data.taker_order_cumulative_base_asset_amount_filled == SALE
    assert data.maker_order_cumulative_base_asset_amount_filled == SALE
    assert data.taker_existing_base_asset_amount is None and data.maker_existing_quote_entry_amount is None

    # Our records: the account's own change, signed, on each side.
    [sale] = [r for r in journal.records(trader) if r.kind is RecordKind.SPOT_FILL]
    assert (sale.market_index, sale.role, sale.base, sale.quote, sale.fee) == (1, "taker", -SALE, quote, data.taker_fee)
    assert sale.quote - sale.fee == balance(bank, trader, 0) - usdc_before
    assert sale.base == balance(bank, trader, 1) - sol_before
    [bought] = [r for r in journal.records(maker) if r.kind is RecordKind.SPOT_FILL]
    assert (bought.role, bought.base, bought.quote, bought.fee) == ("maker", SALE, -quote, data.maker_fee)
    assert bought.quote - bought.fee == balance(bank, maker, 0) - maker_usdc_before

    # The figures keep the sale apart from the perp ones; the identity holds to the unit.
    result = figures(journal.records(trader))
    perp_fills = [r for r in journal.records(trader) if r.kind is RecordKind.FILL]
    assert (result.trades, result.volume) == (2, sum(abs(r.quote) for r in perp_fills)) == (2, result.volume)
    assert [m.market_index for m in result.markets] == [0]
    [spot] = result.spot
    assert (spot.market_index, spot.sold, spot.received, spot.bought, spot.paid, spot.fees) == (
        1, SALE, quote, 0, 0, data.taker_fee)  # fmt: skip
    assert (result.spot_quote, result.spot_fees) == (quote, data.taker_fee)
    checked = identity(result, ledger(bank, trader))
    assert checked.holds, checked
    assert checked.collateral == balance(bank, trader, 0) > 0  # the borrow is repaid
    maker_checked = identity(figures(journal.records(maker)), ledger(bank, maker))
    assert maker_checked.holds, maker_checked


def _velocity_fill(user: str, market_type: str, role: str) -> dict:
    side = {"taker": "maker", "maker": "taker"}[role]
    return {
        **blank_event("OrderActionRecord"), "ts": 7, "action": "Fill", "market_type": market_type, "market_index": 1,
        "action_explanation": "OrderFilledWithMatch", "base_asset_amount_filled": SALE,
        "quote_asset_amount_filled": 1_499_000, "taker_fee": 1_500, "maker_fee": -299,
        role: user, f"{role}_order_id": 4, f"{role}_order_direction": "Short",
        side: VELOCITY.pdas.state(), f"{side}_order_direction": "Long",
    }  # fmt: skip


@pytest.mark.parametrize("role", ["taker", "maker"])
def test_the_relaunch_reader_keeps_a_spot_fill_apart_from_the_perp_market_of_the_same_index(role):
    """Its program has no spot orders today; a spot record it logs is still no perp fill."""
    user = VELOCITY.pdas.user(VELOCITY.pdas.state(), 0)  # any address
    program = str(VELOCITY.program_id)
    logs = [f"Program {program} invoke [1]"]
    for market_type in ("Spot", "Perp"):
        data = base64.b64encode(encode_event("OrderActionRecord", _velocity_fill(user, market_type, role))).decode()
        logs.append(f"Program data: {data}")
    logs.append(f"Program {program} success")
    spot, perp = velocity_records(VELOCITY, {"slot": 3, "meta": {"err": None, "logMessages": logs}}, "s", str(user))
    fee = 1_500 if role == "taker" else -299
    assert (spot.kind, spot.index, spot.market_index, spot.base, spot.quote, spot.fee, spot.role, spot.order_id) == (
        RecordKind.SPOT_FILL, 0, 1, -SALE, 1_499_000, fee, role, 4)  # fmt: skip
    assert (spot.realized_pnl, perp.kind, perp.index, perp.market_index) == (0, RecordKind.FILL, 1, 1)


def test_the_drift_reader_skips_a_spot_fill_of_someone_else():
    bank = Bank()
    journal = Journal(bank)
    maker = funded_trader(bank, usdc=10_000 * USDC)
    seller = funded_trader(bank, sol_tokens=SOL)
    bystander = funded_trader(bank, usdc=100 * USDC)
    bid = spot_params(LONG, SOL, 149_900_000, post_only=PostOnlyParams.MustPostOnly())
    journal.run(user_ix("place_spot_order", {"params": bid}, maker, perp=()))
    journal.run(place_and_take_spot(seller, spot_params(SHORT, SALE, 149 * USDC), makers=[maker]))
    assert transaction_records(journal.transactions[-1], "s", str(bystander.user), PROGRAM) == []
    [kept] = transaction_records(journal.transactions[-1], "s", str(seller.user), PROGRAM)
    assert kept.kind is RecordKind.SPOT_FILL and kept.index == 0


def record(kind: RecordKind, market: int, slot: int, **amounts: int) -> ChainRecord:
    return ChainRecord(f"sig{slot}", 0, slot, slot, kind, market, **amounts)


def test_spot_fills_stay_out_of_every_perp_figure_and_enter_the_identity():
    """Perp market 1 and spot market 1 (SOL) share an index and never mix."""
    records = [
        record(RecordKind.DEPOSIT, 0, 1, amount=100 * USDC),
        record(RecordKind.FILL, 1, 2, base=SOL, quote=-20 * USDC, fee=20_000),
        record(RecordKind.FILL, 1, 3, base=-SOL, quote=19 * USDC, fee=19_000, realized_pnl=-USDC),
        record(RecordKind.SPOT_FILL, 1, 4, base=-2 * SALE, quote=3 * USDC, fee=3_000),
        record(RecordKind.SPOT_FILL, 1, 5, base=SALE, quote=-1_510_000, fee=-300),
        record(RecordKind.SETTLE_PNL, 1, 6, amount=-USDC - 39_000),
    ]
    result = figures(records)
    perp_only = figures([r for r in records if r.kind is not RecordKind.SPOT_FILL])
    for name in ("realized_pnl", "fees_paid", "rebates", "volume", "trades", "wins", "closes", "max_drawdown",
                 "markets", "deposits", "withdrawals", "sol_deposits", "sol_withdrawals"):  # fmt: skip
        assert getattr(result, name) == getattr(perp_only, name), name
    [market] = result.markets
    assert (market.market_index, market.trades, market.volume, market.fees) == (1, 2, 39 * USDC, 39_000)
    [spot] = result.spot
    assert (spot.sold, spot.received, spot.bought, spot.paid, spot.fees, spot.trades) == (
        2 * SALE, 3 * USDC, SALE, 1_510_000, 2_700, 2)  # fmt: skip
    assert (result.spot_quote, result.spot_fees) == (1_490_000, 2_700)
    balance = 100 * USDC - USDC - 39_000 + 3 * USDC - 3_000 - 1_510_000 + 300  # what the account moved
    checked = identity(result, Ledger(quote_balance=balance, unsettled={}, slot=6))
    assert checked.holds, checked
    assert not identity(perp_only, Ledger(quote_balance=balance, unsettled={}, slot=6)).holds


def test_the_result_lines_say_what_the_sale_brought_in():
    """After a stop: the sale names its asset, amount, proceeds and fees; the identity holds."""
    records = [
        record(RecordKind.DEPOSIT, 1, 1, amount=SOL),
        record(RecordKind.FILL, 0, 2, base=SOL // 20, quote=-7_500_000, fee=7_500),
        record(RecordKind.FILL, 0, 3, base=-SOL // 20, quote=7_490_000, fee=7_490, realized_pnl=-10_000),
        record(RecordKind.SETTLE_PNL, 0, 4, amount=-24_990),
        record(RecordKind.SPOT_FILL, 1, 5, base=-SALE, quote=1_499_000, fee=1_499),
        record(RecordKind.WITHDRAWAL, 0, 6, amount=1_472_511),
        record(RecordKind.WITHDRAWAL, 1, 7, amount=SOL - SALE),
    ]
    spec = MarketSpec("SOL", MarketType.SPOT, 1, "SOL", tick_size=100, step_size=10**7, min_order_size=10**7)
    result = replace(build_report("pk", records, Ledger(0, {}, 7), wallet_usdc=1_472_511), spot_specs={1: spec})
    assert result.identity is not None and result.identity.holds, result.identity
    lines = result_lines(result, DRIFT)
    assert lines[1] == "Spot trades on Drift: sold 0.01 SOL for $1.499000 USDC · fees $0.001499"
    assert not any("differ by" in line for line in lines)
    rows = dict(map(tuple, report_rows(result, "Drift")))
    assert rows["spot SOL sold"] == "0.01 SOL for $1.499000" and "spot SOL bought" not in rows
    assert (rows["spot quote (received - paid)"], rows["spot fees"]) == ("$1.499000", "$0.001499")
    assert rows["deposits - withdrawals + spot - spot fees + result"] == "$0.000000 (holds)"
    assert spot_trade_line(result.figures.spot[0], None, DRIFT) == (
        "Spot trades on Drift: sold 10,000,000 units of spot market 1 for $1.499000 USDC · fees $0.001499"
    )
