"""`rekt-tui history` and `rekt-tui report`: a session's records and result, from the chain.

Both first bring the registry's records up to date from the session's venue account
(read by its address alone: no key is needed, nothing is signed), then print. Tables
are for people; `--json` and `--csv` keep native integers (quote 1e6, base 1e9) so
scripts never parse a formatted figure. CSV_COLUMNS is documented in the README.
"""

import argparse
import csv
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from rekt_tui.cli.output import note, print_json, print_table
from rekt_tui.domain.history import SPOT_KINDS, ChainRecord, RecordKind
from rekt_tui.domain.markets import MarketSpec, format_base, resolve_market
from rekt_tui.domain.money import format_sol, format_usd
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.services.container import Services
from rekt_tui.services.history import (
    LAMPORT_PLACES,
    NO_RESULT,
    Report,
    backfill,
    finished_report,
    report,
    result_lines,
)
from rekt_tui.services.link import SessionLink, connect_venue, link_over, pick_session
from rekt_tui.services.venue import Venue

CSV_COLUMNS = (
    "session", "signature", "record_index", "slot", "ts", "kind", "market_index", "role", "order_id",
    "base", "quote", "fee", "realized_pnl", "amount", "liquidation",
)  # fmt: skip
HISTORY_HEADINGS = ["TIME", "KIND", "MARKET", "BASE", "QUOTE", "FEE", "PNL", "AMOUNT", "SIGNATURE"]


async def run(services: Services, args: argparse.Namespace) -> int:
    if args.command == "report":
        return await _report(services, args)
    return await _history(services, args)


async def _sessions(services: Services, args: argparse.Namespace) -> list[SessionRecord]:
    if not getattr(args, "all", False):
        return [await pick_session(services, args.session)]
    return [
        s for s in await services.registry.list_sessions(cluster=services.settings.cluster)
        if s.status is not SessionStatus.KEY_PENDING
    ]  # fmt: skip


async def _read_link(services: Services, session: SessionRecord) -> SessionLink:
    """A link that reads the session's account by its address: history needs no key."""
    return link_over(services, session, await connect_venue(services, session, secret=None))


async def _history(services: Services, args: argparse.Namespace) -> int:
    rows: list[tuple[str, ChainRecord]] = []
    table: list[list[str]] = []
    for session in await _sessions(services, args):
        link = await _read_link(services, session)
        try:
            market = resolve_market(args.market, link.venue.market_specs()).market_index if args.market else None
            if not services.registry.read_only:
                await backfill(services.registry, link.venue, session.pubkey)
            records = await services.registry.list_records(session.pubkey, market_index=market)
            perps = {m.market_index: m for m in link.venue.market_specs().values()}
            table.extend(_row(record, link.venue, perps) for record in records)  # the venue names markets and units
        finally:
            await link.close()
        rows.extend((session.pubkey, record) for record in records)
    if args.csv:
        _print_csv(rows)
    elif args.json:
        print_json([record_dict(pubkey, record) for pubkey, record in rows])
    else:
        print_table(HISTORY_HEADINGS, table)
        if not rows:
            note("No records yet: fills, funding, settlements and deposits appear once finalized on chain.")
    return 0


def record_dict(session_pubkey: str, record: ChainRecord) -> dict[str, Any]:
    """One record as `--json` and `--csv` give it: the CSV columns, native integers."""
    data = asdict(record)
    data["record_index"] = data.pop("index")
    data["kind"] = record.kind.value
    return {"session": session_pubkey, **{name: data[name] for name in CSV_COLUMNS if name != "session"}}


def _print_csv(rows: list[tuple[str, ChainRecord]]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for pubkey, record in rows:
        values = record_dict(pubkey, record)
        values["liquidation"] = int(values["liquidation"])
        writer.writerow(values)


def _row(record: ChainRecord, venue: Venue, perps: dict[int, MarketSpec]) -> list[str]:
    """A record in a person's units: markets by name, sizes with their asset, money in dollars.
    A spot fill names its spot market ("SOL spot"), never the perp market of the same index."""
    fill = record.kind in (RecordKind.FILL, RecordKind.SPOT_FILL)
    size = amount = ""
    if record.kind in SPOT_KINDS:
        spot = venue.spot_spec(record.market_index)
        if record.kind is RecordKind.SPOT_FILL:
            market, size = f"{spot.base_symbol} spot", format_base(record.base, spot)
        else:
            market, amount = spot.base_symbol, format_base(record.amount, spot)
    else:
        perp = perps.get(record.market_index)
        market = perp.symbol if perp is not None else f"PERP {record.market_index}"
        if fill:
            size = format_base(record.base, perp) if perp is not None else str(record.base)
        else:
            amount = format_usd(record.amount, 6)
    return [
        datetime.fromtimestamp(record.ts, UTC).strftime("%Y-%m-%d %H:%M:%S"),
        record.kind.value if not record.liquidation else "liquidation fill",
        market,
        size,
        format_usd(record.quote) if fill else "",
        format_usd(record.fee, 6) if fill else "",
        format_usd(record.realized_pnl) if record.kind is RecordKind.FILL else "",
        amount,
        record.signature,
    ]


async def _report(services: Services, args: argparse.Namespace) -> int:
    session = await pick_session(services, args.session, or_newest=True)
    link = await _read_link(services, session)
    try:
        result = await report(link)
    finally:
        await link.close()
    if args.json:
        print_json(report_dict(result))
    else:
        print_table(["FIGURE", "VALUE"], _report_rows(result, services.settings.labels.name))
        if result.identity is not None and not result.identity.holds:
            note(
                f"The records and the account differ by {format_usd(result.identity.difference, 6)}: "
                "a transaction may not be finalized yet; run the report again in a moment."
            )
        if result.wallet_identity is not None and not result.wallet_identity.holds:
            note(
                f"The wallet's SOL and its gas differ by {result.wallet_identity.difference:,} lamports: "
                "a transaction may not be finalized yet; run the report again in a moment."
            )
    return 0


async def print_stop_result(link: SessionLink, steps: list[dict[str, Any]], *, as_json: bool, finished: bool) -> None:
    """`stop`'s result once the session is archived: withdrawn, left, PnL, fees, funding, gas
    (lines on stderr, or with --json the steps and the report in native integers on stdout)."""
    result = await finished_report(link) if finished else None
    if as_json:
        data: dict[str, Any] = {"session": link.pubkey, "steps": steps, "archived": finished, "result": None}
        if result is not None:
            data["result"] = {
                **report_dict(result),
                "withdrawn": {"sol": result.figures.sol_withdrawals, "usdc": result.figures.withdrawals},
                "left": {"sol": None if result.wallet is None else result.wallet.balance, "usdc": result.wallet_usdc},
            }
        print_json(data)
    elif finished:  # beside the step lines scripts read on stdout, for the person watching
        for line in (NO_RESULT,) if result is None else result_lines(result, link.settings.labels):
            note(line)


def report_dict(result: Report) -> dict[str, Any]:
    """The report in native integers (quote 1e6); win_rate a decimal string or null."""
    figures = result.figures
    data: dict[str, Any] = {"session": result.session_pubkey, **asdict(figures)}
    data.update(fees=figures.fees, funding=figures.funding, net_result=figures.net_result, win_rate=figures.win_rate,
                spot_quote=figures.spot_quote, spot_fees=figures.spot_fees)  # fmt: skip
    if result.ledger is not None and result.identity is not None:
        data["ledger"] = {
            "quote_balance": result.ledger.quote_balance,
            "unsettled": {str(index): amount for index, amount in result.ledger.unsettled.items()},
            "collateral": result.ledger.collateral,
            "slot": result.ledger.slot,
        }
        data["identity"] = {
            "from_records": result.identity.from_records,
            "collateral": result.identity.collateral,
            "difference": result.identity.difference,
            "holds": result.identity.holds,
        }
    else:
        data["ledger"] = data["identity"] = None
    data["wallet"] = None if result.wallet is None else {**asdict(result.wallet), "gas": result.wallet.gas}
    data["wallet_usdc"] = result.wallet_usdc
    wallet = result.wallet_identity
    data["wallet_identity"] = None if wallet is None else {
        "from_balances": wallet.from_balances, "gas": wallet.gas, "difference": wallet.difference,
        "holds": wallet.holds,
    }  # fmt: skip
    return data


def _report_rows(result: Report, venue: str) -> list[list[str]]:
    f = result.figures
    rows = [
        ["deposits", format_usd(f.deposits, 6)],
        ["withdrawals", format_usd(f.withdrawals, 6)],
        ["realized pnl", format_usd(f.realized_pnl, 6)],
        ["funding received", format_usd(f.funding_received, 6)],
        ["funding paid", format_usd(f.funding_paid, 6)],
        ["fees paid", format_usd(f.fees_paid, 6)],
        ["maker rebates", format_usd(f.rebates, 6)],
        ["net result", format_usd(f.net_result, 6)],
        ["volume", format_usd(f.volume)],
        ["trades", str(f.trades)],
        ["win rate", "—" if f.win_rate is None else f"{f.win_rate * 100:.1f}% of {f.closes} closes"],
        ["max drawdown", format_usd(f.max_drawdown, 6)],
    ]
    rows += [[f"realized pnl, market {m.market_index}", format_usd(m.realized_pnl, 6)] for m in f.markets]
    rows += _spot_rows(result)
    if result.identity is not None:
        verdict = "holds" if result.identity.holds else f"off by {format_usd(result.identity.difference, 6)}"
        rows.append(["collateral now", format_usd(result.identity.collateral, 6)])
        label = "deposits - withdrawals" + (" + spot - spot fees" if f.spot else "") + " + result"
        rows.append([label, f"{format_usd(result.identity.from_records, 6)} ({verdict})"])
    rows += _wallet_rows(result, venue)
    return rows


def _spot_rows(result: Report) -> list[list[str]]:
    """Spot trades (a stop's sale of SOL to repay a borrow): none of the perp figures above."""
    rows = []
    for m in result.figures.spot:
        spec = result.spot_specs.get(m.market_index)
        name = spec.base_symbol if spec is not None else f"spot market {m.market_index}"

        def base(amount: int) -> str:
            return format_base(amount, spec) if spec is not None else f"{amount:,}"

        if m.sold:
            rows.append([f"spot {name} sold", f"{base(m.sold)} for {format_usd(m.received, 6)}"])
        if m.bought:
            rows.append([f"spot {name} bought", f"{base(m.bought)} for {format_usd(m.paid, 6)}"])
    if result.figures.spot:
        rows.append(["spot quote (received - paid)", format_usd(result.figures.spot_quote, 6)])
        rows.append(["spot fees", format_usd(result.figures.spot_fees, 6)])
    return rows


def _wallet_rows(result: Report, venue: str) -> list[list[str]]:
    """The wallet's side in lamports: what came in and went out, and the gas it paid (`venue`: "Drift")."""
    flows, check = result.wallet, result.wallet_identity
    if flows is None or check is None:
        return []
    verdict = "holds" if check.holds else f"off by {check.difference:,} lamports"
    return [
        ["wallet funded", format_sol(flows.funded, LAMPORT_PLACES)],
        [f"SOL deposited to {venue}", format_sol(result.figures.sol_deposits, LAMPORT_PLACES)],
        [f"SOL withdrawn from {venue}", format_sol(result.figures.sol_withdrawals, LAMPORT_PLACES)],
        ["wallet sent out", format_sol(flows.sent, LAMPORT_PLACES)],
        ["wallet now", format_sol(flows.balance, LAMPORT_PLACES)],
        ["transaction fees", format_sol(flows.fees, LAMPORT_PLACES)],
        ["rent", format_sol(flows.rent, LAMPORT_PLACES)],
        ["gas (fees + rent)", format_sol(flows.gas, LAMPORT_PLACES)],
        ["funded - now - deposited + withdrawn - sent",
         f"{format_sol(check.from_balances, LAMPORT_PLACES)} ({verdict})"],  # fmt: skip
    ]
