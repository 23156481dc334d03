"""A session's history and report against the chain itself, on each venue's live localnet.

One scripted session (taker and maker fills, a funding period, a partial close, a stop,
a settlement, a withdrawal); the backfill is cut short at random points and repeated;
then every figure of the report is checked against what the chain shows, read without
our decoder, and the accounting identity must hold to the unit. The `history --csv`,
`history --json` and `report --json` outputs are checked column by column.
"""

import asyncio
import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from rekt_tui.cli import history as history_cli
from rekt_tui.cli import recovery as recovery_cli
from rekt_tui.domain.markets import format_base
from rekt_tui.domain.money import format_sol, format_usd
from rekt_tui.cli.parser import build_parser
from rekt_tui.services.history import archive_result, backfill, history_view, report
from rekt_tui.services.models import NOTHING_FILLED, OrderForm
from rekt_tui.services.orders import OrderService
from tests.history.scenario import (
    SOL,
    SOL_DEPOSITED,
    SOL_WITHDRAWN,
    VENUES,
    ChainTruth,
    chain_truth,
    finalized,
    play,
    wait_base,
    wallet_truth,
)
from tests.services.test_orders_service import close_desk, open_desk

pytestmark = pytest.mark.slow

# The documented `history --csv` columns (README, Commands): scripts rely on this order.
COLUMNS = [
    "session", "signature", "record_index", "slot", "ts", "kind", "market_index", "role", "order_id",
    "base", "quote", "fee", "realized_pnl", "amount", "liquidation",
]  # fmt: skip


def _name(value: object) -> str:
    """An enum variant's name: anchorpy's is its type, the relaunch codec's a `str`."""
    return value if isinstance(value, str) else type(value).__name__


def our_fills(truth: ChainTruth, user: str) -> list[dict]:
    """Our side of every fill, straight from the events: base/quote signed, fee signed."""
    fills = []
    for signature, index, name, data in truth.events:
        if name != "OrderActionRecord" or _name(data.action) != "Fill":
            continue
        for role in ("taker", "maker"):
            if str(getattr(data, role)) == user:
                long = _name(getattr(data, f"{role}_order_direction")) == "Long"
                size, quote = data.base_asset_amount_filled, data.quote_asset_amount_filled
                fee = data.taker_fee if role == "taker" else data.maker_fee
                fills.append({
                    "key": (signature, index), "role": role, "base": size if long else -size,
                    "quote": -quote if long else quote, "fee": fee, "market": data.market_index,
                })  # fmt: skip
    return fills


def money_records_about(truth: ChainTruth, user: str) -> set[tuple[str, int]]:
    """Keys of the events naming our User that move money (an OrderRecord, the relaunch's
    record of a trigger order placed, moves none and is not history)."""
    return {(s, i) for s, i, name, data in truth.events if str(getattr(data, "user", "")) == user
            and name != "OrderRecord"}  # fmt: skip


def spot_totals(truth: ChainTruth, user: str, market: int) -> tuple[int, int]:
    """(deposited, withdrawn) tokens of one spot market, from the chain's DepositRecords."""
    moved = {"Deposit": 0, "Withdraw": 0}
    for _, _, name, data in truth.events:
        if name == "DepositRecord" and str(data.user) == user and data.market_index == market:
            moved[_name(data.direction)] += data.amount
    return moved["Deposit"], moved["Withdraw"]


def replay_realized(fills: list[dict]) -> list[int]:
    """Realized PnL of each fill by replaying the position (base and entry) fill by fill,
    with the program's rules: a reduction removes entry pro rata, rounded toward zero."""
    base: dict[int, int] = defaultdict(int)
    entry: dict[int, int] = defaultdict(int)
    realized = []
    for fill in fills:
        m, db, dq = fill["market"], fill["base"], fill["quote"]
        old = base[m]
        if old == 0 or (old > 0) == (db > 0):
            entry[m] += dq
            realized.append(0)
        elif abs(db) <= abs(old):
            removed = abs(entry[m]) * abs(db) // abs(old) * (1 if entry[m] >= 0 else -1)
            entry[m] -= removed
            realized.append(dq + removed)
        else:
            opened = abs(dq) * (abs(db) - abs(old)) // abs(db) * (1 if dq >= 0 else -1)
            realized.append(dq - opened + entry[m])
            entry[m] = opened
        base[m] = old + db
    return realized


def max_drawdown(changes: list[int]) -> int:
    running = peak = worst = 0
    for change in changes:
        running += change
        peak = max(peak, running)
        worst = max(worst, peak - running)
    return worst


async def interrupted_backfills(desk) -> int:
    """Backfill one transaction per batch, cancelled at random moments, until a backfill
    runs to its end; returns how many were cut short."""
    rng = random.Random(14)
    cancelled = 0
    while True:
        task = asyncio.ensure_future(backfill(desk.services.registry, desk.link.venue, desk.pubkey, batch_size=1))
        # The first cuts come at once, so a fast machine or a slow one cuts at least five times.
        await asyncio.sleep(rng.uniform(0, 0.002) if cancelled < 5 else rng.uniform(0, 0.03))
        if task.done():
            await task
            return cancelled
        task.cancel()
        cancelled += 1
        try:
            await task
        except asyncio.CancelledError:
            pass


async def run_cli(capsys, services, *argv: str) -> str:
    capsys.readouterr()
    args = build_parser().parse_args(list(argv))
    assert await history_cli.run(services, args) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("venue", VENUES)
async def test_report_matches_the_chain_and_the_identity_holds(tmp_path, capsys, venue):
    desk = await open_desk(tmp_path, usdc=1000, venue=venue)
    try:
        await play(desk, venue)
        user = str(desk.link.venue.account_address)
        truth = await chain_truth(desk.chain.rpc_url, user, venue)

        cancelled = await interrupted_backfills(desk)
        assert cancelled >= 5  # the backfill really was cut short, repeatedly
        result = await report(desk.link)  # the last, uninterrupted backfill and the figures

        # Every record exactly once, none dropped: the same keys as the chain's own events.
        stored = await desk.services.registry.list_records(desk.pubkey)
        keys = [record.key for record in stored]
        assert len(keys) == len(set(keys))
        fills = our_fills(truth, user)
        about_us = money_records_about(truth, user)
        assert set(keys) == {fill["key"] for fill in fills} | about_us

        # The markets the records name are kept by name, for the history screen of any session.
        view = await history_view(desk.services.registry, "localnet", desk.pubkey)
        assert view.markets == {0: "SOL-PERP"}

        # The session did what the script says.
        roles = [fill["role"] for fill in fills]
        assert "maker" in roles and "taker" in roles
        assert any(fill["fee"] < 0 for fill in fills)  # a maker rebate
        funding = [d.funding_payment for _, _, name, d in truth.events if name == "FundingPaymentRecord"
                   and str(d.user) == user]  # fmt: skip
        assert funding and any(funding)

        figures = result.figures
        realized = replay_realized(fills)
        assert figures.realized_pnl == sum(realized)
        assert [m.realized_pnl for m in figures.markets] == [sum(realized)]
        assert figures.fees_paid == sum(f["fee"] for f in fills if f["fee"] > 0)
        assert figures.rebates == -sum(f["fee"] for f in fills if f["fee"] < 0)
        assert figures.funding == sum(funding) == truth.user.cumulative_perp_funding
        assert (figures.funding_received, figures.funding_paid) == (
            sum(a for a in funding if a > 0), -sum(a for a in funding if a < 0),
        )  # fmt: skip
        assert figures.volume == sum(abs(f["quote"]) for f in fills)
        assert figures.trades == len(fills)
        assert (figures.wins, figures.closes) == (sum(r > 0 for r in realized), sum(r != 0 for r in realized))
        assert figures.closes >= 2
        by_fill = {f["key"]: r - f["fee"] for r, f in zip(realized, fills)}
        changes = [
            by_fill[(s, i)] if (s, i) in by_fill else d.funding_payment
            for s, i, name, d in truth.events
            if (s, i) in by_fill or (name == "FundingPaymentRecord" and str(d.user) == user)
        ]
        assert figures.max_drawdown == max_drawdown(changes)
        assert (figures.deposits, figures.withdrawals) == spot_totals(truth, user, 0)
        assert figures.settled_pnl == truth.user.settled_perp_pnl

        # The identity, to the unit, against the account as the chain holds it.
        unsettled = sum(p.quote_asset_amount - p.quote_entry_amount for p in truth.user.perp_positions)
        assert result.ledger is not None and result.identity is not None
        assert result.ledger.quote_balance == truth.quote_balance
        assert result.identity.collateral == truth.quote_balance + unsettled
        assert result.identity.holds, result.identity
        assert (
            figures.deposits - figures.withdrawals + figures.realized_pnl + figures.funding - figures.fees
            == truth.quote_balance + unsettled
        )
        # Read again: nothing new, nothing doubled.
        assert await backfill(desk.services.registry, desk.link.venue, desk.pubkey) == 0

        await check_wallet(desk, result, user, venue)
        await check_cli_outputs(capsys, desk, stored)
        await check_stop(capsys, desk, user, venue)
    finally:
        await close_desk(desk)


async def check_wallet(desk, result, user: str, venue: str) -> None:
    """The wallet's side to the lamport: fees from the chain's meta, rent in the accounts."""
    wallet = await wallet_truth(desk.chain.rpc_url, desk.link.venue.authority, user, venue)
    flows, figures = result.wallet, result.figures
    assert flows is not None and result.wallet_identity is not None
    assert (figures.sol_deposits, figures.sol_withdrawals) == (SOL_DEPOSITED, SOL_WITHDRAWN)
    assert (flows.funded, flows.sent) == (SOL, 0)  # the one airdrop; nothing sent away
    assert (flows.fees, flows.rent, flows.balance) == (wallet.fees, wallet.rent, wallet.balance)
    assert flows.transactions >= wallet.paid >= 10 and wallet.fees > 0 and wallet.rent > 0
    assert SOL - wallet.balance - SOL_DEPOSITED + SOL_WITHDRAWN == wallet.fees + wallet.rent  # the chain alone
    assert result.wallet_identity.holds, result.wallet_identity
    assert result.wallet_identity.gas == wallet.fees + wallet.rent


async def check_stop(capsys, desk, user: str, venue: str) -> None:
    """`stop --json`: everything out of the venue, and its result is the chain's to the unit."""
    capsys.readouterr()
    args = build_parser().parse_args(["stop", "--yes", "--json", "--session", desk.pubkey])
    assert await recovery_cli.run(desk.services, args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["archived"] is True and out["steps"][-1]["step"] == "archive"
    result = out["result"]
    truth = await chain_truth(desk.chain.rpc_url, user, venue)
    wallet = await wallet_truth(desk.chain.rpc_url, desk.link.venue.authority, user, venue)
    assert truth.quote_balance == 0 and result["identity"]["holds"] is True
    assert result["identity"]["collateral"] == 0
    usdc_in, usdc_out = spot_totals(truth, user, 0)
    sol_in, sol_out = spot_totals(truth, user, 1)
    assert result["withdrawn"] == {"sol": sol_out, "usdc": usdc_out}
    assert (sol_in, result["sol_deposits"]) == (SOL_DEPOSITED, SOL_DEPOSITED) and sol_out > SOL_WITHDRAWN
    assert result["left"] == {"sol": wallet.balance, "usdc": await desk.link.venue.wallet_usdc()}
    assert result["wallet"]["gas"] == wallet.fees + wallet.rent and result["wallet_identity"]["holds"] is True
    assert SOL - wallet.balance - SOL_DEPOSITED + sol_out == wallet.fees + wallet.rent  # the chain alone
    assert result["funding"] == truth.user.cumulative_perp_funding
    # Flat and withdrawn: the result is what came out less what went in.
    assert result["realized_pnl"] - result["fees"] + result["funding"] == usdc_out - usdc_in

    lines = await archive_result(desk.link)  # the cockpit's archive summary: the same figures
    assert lines[0].startswith("Withdrawn from ")  # the venue and its quote are named in words
    assert f"{format_sol(result['sol_withdrawals'])} · {format_usd(result['withdrawals'])} " in lines[0]
    assert lines[1].startswith(f"Left in the session wallet: {format_sol(wallet.balance)} · ")
    assert format_usd(result["realized_pnl"], 6) in lines[2] and format_usd(result["fees"], 6) in lines[2]
    assert lines[3].startswith(f"Gas: {format_sol(wallet.fees + wallet.rent, 9)}")


async def check_cli_outputs(capsys, desk, stored) -> None:
    pubkey = desk.pubkey
    out = await run_cli(capsys, desk.services, "history", "--session", pubkey, "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert out.splitlines()[0] == ",".join(COLUMNS)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert all(f"`{column}`" in readme for column in COLUMNS)
    assert len(rows) == len(stored)
    for row, record in zip(rows, stored):
        assert (row["session"], row["signature"], int(row["record_index"])) == (pubkey, *record.key)
        assert (row["kind"], int(row["base"]), int(row["quote"]), int(row["fee"])) == (
            record.kind.value, record.base, record.quote, record.fee,
        )  # fmt: skip
        assert (int(row["realized_pnl"]), int(row["amount"]), int(row["liquidation"])) == (
            record.realized_pnl, record.amount, int(record.liquidation),
        )  # fmt: skip

    # The table is for people: markets by name, sizes with their asset, deposits in their token.
    table = (await run_cli(capsys, desk.services, "history", "--session", pubkey)).splitlines()
    assert len(table) == len(stored) + 1
    venue, specs = desk.link.venue, {m.market_index: m for m in desk.link.venue.market_specs().values()}
    for line, record in zip(table[1:], stored):
        assert record.signature in line
        if record.kind.value in ("deposit", "withdrawal"):
            spot = venue.spot_spec(record.market_index)
            assert f" {spot.base_symbol} " in line and f" {format_base(record.amount, spot)} " in line, line
        else:
            assert f" {specs[record.market_index].symbol} " in line, line
        if record.kind.value == "fill":
            assert f" {format_base(record.base, specs[record.market_index])} " in line, line

    listed = json.loads(await run_cli(capsys, desk.services, "history", "--session", pubkey, "--json"))
    assert [list(item) for item in listed] == [COLUMNS] * len(stored)
    assert [(item["signature"], item["record_index"]) for item in listed] == [r.key for r in stored]
    assert all(isinstance(item[name], int) for item in listed for name in ("base", "quote", "fee", "amount"))

    market = json.loads(await run_cli(capsys, desk.services, "history", "--session", pubkey, "--market", "SOL-PERP",
                                      "--json"))  # fmt: skip
    assert market and {item["kind"] for item in market} <= {"fill", "funding", "settle_pnl", "liquidation"}

    summary = json.loads(await run_cli(capsys, desk.services, "report", "--session", pubkey, "--json"))
    assert summary["identity"]["holds"] is True and summary["identity"]["difference"] == 0
    assert summary["trades"] == sum(1 for r in stored if r.kind.value == "fill")
    for name in ("realized_pnl", "fees_paid", "rebates", "funding", "volume", "max_drawdown", "deposits"):
        assert isinstance(summary[name], int), name


@pytest.mark.parametrize("venue", VENUES)
async def test_a_backfill_killed_at_random_points_and_rerun_keeps_every_record_once(tmp_path, venue):
    desk = await open_desk(tmp_path, usdc=1000, venue=venue)
    try:
        orders = OrderService(desk.link)
        for side, after in (("buy", 3), ("buy", 6), ("sell", 3)):
            for _ in range(3):  # the relaunch's makers can requote between the read and the landing
                if (await orders.place(OrderForm("SOL-PERP", side, "0.3"))).outcome != NOTHING_FILLED:
                    break
            await wait_base(desk.link, after * SOL // 10, f"{side} fill")
        await finalized(desk)
        user = str(desk.link.venue.account_address)
        truth = await chain_truth(desk.chain.rpc_url, user, venue)
        chain = desk.chain
        argv = [sys.executable, str(Path(__file__).with_name("backfill_worker.py")), str(tmp_path / "data"),
                desk.pubkey, chain.rpc_url, chain.ws_url, chain.dlob_url, chain.dlob_ws_url, venue]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        rng = random.Random(41)
        killed = 0
        for _ in range(6):
            worker = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            line = await asyncio.wait_for(asyncio.to_thread(worker.stdout.readline), 30)
            assert line == "READY\n", worker.stderr.read() if worker.poll() is not None else "no READY"
            # killed after a random number of stored batches, at a random moment of the next one
            for _ in range(rng.randint(0, 2)):
                if await asyncio.wait_for(asyncio.to_thread(worker.stdout.readline), 30) != "BATCH\n":
                    break
            await asyncio.sleep(rng.uniform(0, 0.05))
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                killed += 1
            await asyncio.to_thread(worker.wait)
            error = worker.stderr.read()
            worker.stdout.close()
            worker.stderr.close()
            assert worker.returncode in (0, -signal.SIGKILL), error
            if worker.returncode == 0:
                break
        assert killed >= 3
        await backfill(desk.services.registry, desk.link.venue, desk.pubkey)
        keys = [record.key for record in await desk.services.registry.list_records(desk.pubkey)]
        assert len(keys) == len(set(keys))
        fills = our_fills(truth, user)
        about_us = money_records_about(truth, user)
        assert set(keys) == {fill["key"] for fill in fills} | about_us and len(fills) == 3
    finally:
        await close_desk(desk)
