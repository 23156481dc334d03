"""A session's history: backfill the venue's records into the registry, and its report.

Backfill reads the account's transactions after the session's cursor in batches, oldest
first, and stores each batch together with the cursor it reaches, so a backfill cut
short at any point (a crash, a cancelled task) resumes after its last stored batch and
never doubles or drops a record. Fills by keepers and liquidations, transactions this
app never sent, are read like any other. Spot fills (a stop selling SOL to repay a borrow)
are told apart from the perp result: in the identity, in the result lines and in the history.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from rekt_tui.domain.history import (
    SPOT_KINDS,
    ChainRecord,
    Identity,
    Ledger,
    SessionFigures,
    SpotFigures,
    WalletFlows,
    WalletIdentity,
    figures,
    identity,
    wallet_identity,
)
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.markets import MarketSpec, format_base
from rekt_tui.domain.money import format_sol, format_usd
from rekt_tui.domain.records import MarketRecord, MarketType, OrderRecord, TransactionRecord
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.venue_labels import VenueLabels
from rekt_tui.registry import Registry
from rekt_tui.services.venue import Venue

if TYPE_CHECKING:  # the link brings the sender's HTTP stack: the cockpit's history screen must load without it
    from rekt_tui.services.link import SessionLink

log = logging.getLogger(__name__)
RESULT_TIMEOUT_S = 2.0  # the stop's result is an extra: never hold the stop up longer for it
LAMPORT_PLACES = 9  # gas is a few thousand lamports: show every one


async def backfill(registry: Registry, venue: Venue, session_pubkey: str, *, batch_size: int | None = None) -> int:
    """Read and store every record after the session's cursor, `batch_size` transactions
    at a time (the venue's default for None); returns how many records were new."""
    added = 0
    while True:
        cursor = await registry.get_record_cursor(session_pubkey)
        if batch_size is None:
            batch = await venue.records_since(cursor)
        else:
            batch = await venue.records_since(cursor, max_transactions=batch_size)
        if batch.cursor is not None:
            added += await registry.add_records(session_pubkey, batch.records, cursor=batch.cursor)
        if batch.complete or batch.cursor is None:
            break
    await _remember_markets(registry, venue, session_pubkey)
    return added


async def _remember_markets(registry: Registry, venue: Venue, session_pubkey: str) -> None:
    """Keep the names of the venue's markets, which records refer to by index, once the
    registry lacks one (a new market; an earlier backfill cut short before this point)."""
    session = await registry.get_session(session_pubkey)
    if session is None:
        return
    known = {(m.market_type, m.market_index) for m in await registry.list_markets(session.cluster)}
    markets = venue.market_records(session.cluster)
    if any((m.market_type, m.market_index) not in known for m in markets):
        await registry.upsert_markets(markets)


async def backfill_link(link: SessionLink) -> int:
    """Backfill on reconcile: history is an extra, so a failure is logged, never raised."""
    if link.registry.read_only:
        return 0
    try:
        return await backfill(link.registry, link.venue, link.pubkey)
    except Exception as error:  # the account's figures were read already; history can wait
        log.warning("history of %s not read: %s", link.pubkey, error)
        return 0


@dataclass(frozen=True, slots=True)
class Report:
    session_pubkey: str
    figures: SessionFigures
    ledger: Ledger | None  # None: the venue account is gone (or was not read)
    identity: Identity | None
    wallet: WalletFlows | None = None  # None: the wallet's transactions were not read
    wallet_identity: WalletIdentity | None = None
    wallet_usdc: int | None = None  # 1e6, outside the venue
    spot_specs: dict[int, MarketSpec] = field(default_factory=dict)  # the spot markets traded, to name them


async def report(link: SessionLink) -> Report:
    """The wallet's flows, then a backfill (records at least as new as the wallet read),
    then the session's figures and both identities against the account now."""
    flows = await link.venue.wallet_flows()
    if not link.registry.read_only:
        await backfill(link.registry, link.venue, link.pubkey)
    ledger = await link.venue.ledger()
    usdc = await link.venue.wallet_usdc()
    result = build_report(link.pubkey, await link.registry.list_records(link.pubkey), ledger, flows, usdc)
    specs = {}
    for market in result.figures.spot:
        try:
            specs[market.market_index] = link.venue.spot_spec(market.market_index)
        except RektError:  # a market the venue no longer lists: named by its index
            pass
    return replace(result, spot_specs=specs)


def build_report(
    session_pubkey: str,
    records: list[ChainRecord],
    ledger: Ledger | None,
    flows: WalletFlows | None = None,
    wallet_usdc: int | None = None,
) -> Report:
    result = figures(records)
    return Report(
        session_pubkey, result, ledger, identity(result, ledger) if ledger is not None else None,
        flows, wallet_identity(records, flows) if flows is not None else None, wallet_usdc,
    )  # fmt: skip


def result_lines(result: Report, labels: VenueLabels) -> tuple[str, ...]:
    """A finished session in a few lines (the archive summary, `stop`): what came out of
    the venue, what the wallet holds, and the result with its fees, funding and gas."""
    f = result.figures
    withdrawn = f"{format_sol(f.sol_withdrawals)} · {format_usd(f.withdrawals)} {labels.quote}"
    sol = "—" if result.wallet is None else format_sol(result.wallet.balance)
    usdc = "—" if result.wallet_usdc is None else f"{format_usd(result.wallet_usdc)} {labels.quote}"
    gas = "—" if result.wallet is None else format_sol(result.wallet.gas, LAMPORT_PLACES)
    lines = [
        f"Withdrawn from {labels.name}: {withdrawn}",
        *(spot_trade_line(market, result.spot_specs.get(market.market_index), labels) for market in f.spot),
        f"Left in the session wallet: {sol} · {usdc}",
        f"Realized PnL {format_usd(f.realized_pnl, 6)} · fees {format_usd(f.fees, 6)} · "
        f"funding {format_usd(f.funding, 6)} · net {format_usd(f.net_result, 6)}",
        f"Gas: {gas}" + ("" if result.wallet is None else
                         f" ({result.wallet.fees:,} lamports fees, {result.wallet.rent:,} rent)"),
    ]  # fmt: skip
    if result.identity is not None and not result.identity.holds:
        lines.append(f"The records and the account differ by {format_usd(result.identity.difference, 6)}: "
                     "run `rekt-tui report` again in a moment.")  # fmt: skip
    return tuple(lines)


def spot_size(market: SpotFigures, spec: MarketSpec | None, base: int) -> str:
    """A spot amount with its asset; by the market's index when the venue no longer lists it."""
    return format_base(base, spec) if spec is not None else f"{base:,} units of spot market {market.market_index}"


def spot_trade_line(market: SpotFigures, spec: MarketSpec | None, labels: VenueLabels) -> str:
    """One spot market's trades in words ("Spot trades on Drift: sold 0.01 SOL for $1.500000
    USDC · fees $0.002279"): where quote in the account, and so in the wallet, came from."""
    sold, bought = spot_size(market, spec, market.sold), spot_size(market, spec, market.bought)
    moves = [f"sold {sold} for {format_usd(market.received, 6)} {labels.quote}"] if market.sold else []
    if market.bought:
        moves.append(f"bought {bought} for {format_usd(market.paid, 6)} {labels.quote}")
    return f"Spot trades on {labels.name}: {', '.join(moves)} · fees {format_usd(market.fees, 6)}"


NO_RESULT = "The session's result could not be read just now; `rekt-tui report` shows it later."


async def finished_report(link: SessionLink) -> Report | None:
    """The report after a stop (its transactions finalized before archiving); None when it
    cannot be read within RESULT_TIMEOUT_S, so a failing or slow node never fails or holds
    up the teardown that succeeded (a backfill cut short resumes next time)."""
    try:
        async with asyncio.timeout(RESULT_TIMEOUT_S):  # unlike wait_for, never loses a cancellation
            return await report(link)
    except Exception:  # noqa: BLE001 - the money is out; only its account is missing
        log.warning("session result not read", exc_info=True)
        return None


async def archive_result(link: SessionLink) -> tuple[str, ...]:
    """`result_lines` after a stop, or one line saying they cannot be read yet."""
    result = await finished_report(link)
    return (NO_RESULT,) if result is None else result_lines(result, link.settings.labels)


EQUITY_POINTS = 2_000  # account reads drawn on the equity curve, the newest


@dataclass(frozen=True, slots=True)
class HistoryView:
    """What the history screen shows for one session and market (None: all markets), from
    the registry alone: a screen that opens instantly, even with no chain to reach."""

    sessions: tuple[SessionRecord, ...]  # active, archived and withdrawn ones, newest first
    session: SessionRecord | None  # None: no session wallet yet
    market_index: int | None
    markets: dict[int, str]  # perp market index -> symbol, every market the session touched
    records: tuple[ChainRecord, ...]  # newest first (spot fills too, unless one perp market is shown)
    figures: SessionFigures
    orders: tuple[OrderRecord, ...]  # newest first
    transactions: tuple[TransactionRecord, ...]  # newest first
    equity: tuple[tuple[datetime, int], ...]  # (time, total collateral 1e6), oldest first
    spot_markets: dict[int, MarketRecord] = field(default_factory=dict)  # spot index -> its market, as synced


async def history_view(
    registry: Registry, cluster: str, session_pubkey: str | None = None, market_index: int | None = None
) -> HistoryView:
    """The view of `session_pubkey` (the newest session when None or unknown) and `market_index`."""
    listed = await registry.list_sessions(cluster=cluster, include_withdrawn=True)
    sessions = tuple(reversed([s for s in listed if s.status is not SessionStatus.KEY_PENDING]))
    session = next((s for s in sessions if s.pubkey == session_pubkey), sessions[0] if sessions else None)
    if session is None:
        return HistoryView((), None, None, {}, (), figures([]), (), (), ())
    every = await registry.list_records(session.pubkey)
    synced = await registry.list_markets(cluster)
    symbols = {m.market_index: m.symbol for m in synced if m.market_type is MarketType.PERP}
    touched = {r.market_index for r in every if r.kind not in SPOT_KINDS}
    orders = await registry.list_orders(session.pubkey)
    touched |= {o.market_index for o in orders if o.market_type is MarketType.PERP}
    markets = {index: symbols.get(index, f"PERP {index}") for index in sorted(touched)}
    if market_index is not None:
        every = [r for r in every if r.market_index == market_index and r.kind not in SPOT_KINDS]
        orders = [o for o in orders if o.market_type is MarketType.PERP and o.market_index == market_index]
    return HistoryView(
        sessions=sessions,
        session=session,
        market_index=market_index,
        markets=markets,
        records=tuple(reversed(every)),
        figures=figures(every),
        orders=tuple(orders),
        transactions=tuple(await registry.list_transactions(session.pubkey)),
        equity=tuple(await registry.list_equity_points(session.pubkey, limit=EQUITY_POINTS)),
        spot_markets={m.market_index: m for m in synced if m.market_type is MarketType.SPOT},
    )
