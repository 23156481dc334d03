"""The history screen's text: table rows for fills, orders, transactions and funding, and
the session's figures. Pure functions of the history view, so they are tested alone.

Signatures are shortened and linked to the cluster's explorer (terminals that understand
OSC 8 open them on click), as in the session panel's last transactions.
"""

from datetime import UTC, datetime

from rich.text import Text

from rekt_tui.domain.history import ChainRecord, RecordKind, SessionFigures
from rekt_tui.domain.money import PERP_BASE_DECIMALS, format_usd, to_decimal
from rekt_tui.domain.records import OrderRecord, OrderType, TransactionRecord
from rekt_tui.services.history import HistoryView
from rekt_tui.tui.formatting import PLACEHOLDER, short_pubkey
from rekt_tui.tui.widgets.recent_transactions import explorer_link

PRICE_PRECISION = 10**6
FILL_COLUMNS = ("TIME", "MARKET", "SIDE", "ROLE", "SIZE", "PRICE", "FEE", "PNL", "SIGNATURE")
ORDER_COLUMNS = ("CREATED", "MARKET", "SIDE", "TYPE", "SIZE", "PRICE", "TRIGGER", "FLAGS", "OUTCOME", "SIGNATURE")
TRANSACTION_COLUMNS = ("SIGNED", "KIND", "STATUS", "SLOT", "SIGNATURE")
FUNDING_COLUMNS = ("TIME", "MARKET", "POSITION", "PAYMENT", "SIGNATURE")
ORDER_TYPES = {
    OrderType.MARKET: "market", OrderType.LIMIT: "limit", OrderType.TRIGGER_MARKET: "trigger market",
    OrderType.TRIGGER_LIMIT: "trigger limit", OrderType.ORACLE: "oracle",
}  # fmt: skip


def signature_cell(signature: str | None, explorer_tx_url: str) -> Text:
    if not signature:
        return Text(PLACEHOLDER)
    link = explorer_link(explorer_tx_url, signature)
    return Text(short_pubkey(signature, 6), style=f"underline link {link}" if link else "dim")


def base_text(amount: int, decimals: int = PERP_BASE_DECIMALS) -> str:
    return f"{to_decimal(abs(amount), decimals).normalize():f}"


def price_text(price: int | None) -> str:
    return PLACEHOLDER if price is None else f"{to_decimal(price, 6):,.4f}"


def _when(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%m-%d %H:%M:%S")


def _market(view: HistoryView, index: int) -> str:
    return view.markets.get(index, f"PERP {index}")


def _spot_market(view: HistoryView, index: int) -> tuple[str, int | None]:
    """A spot market's label and base decimals: "SOL spot", never the perp market of that index.
    A market the registry has not read has no known decimals (None): never a guessed scale."""
    market = view.spot_markets.get(index)
    return (f"{market.symbol} spot", market.decimals) if market is not None else (f"SPOT {index}", None)


def spot_base_text(amount: int, decimals: int | None) -> str:
    """A spot amount in its market's decimals, or in base units when those are not known."""
    return base_text(amount, decimals) if decimals is not None else f"{abs(amount):,} base units"


def fill_row(view: HistoryView, record: ChainRecord, explorer_tx_url: str) -> tuple[str | Text, ...]:
    """A perp fill, or a spot fill (a stop's sale of SOL to repay a borrow) labelled as spot."""
    decimals: int | None = PERP_BASE_DECIMALS
    if record.kind is RecordKind.SPOT_FILL:
        market, decimals = _spot_market(view, record.market_index)
    else:
        market = _market(view, record.market_index)
    price = abs(record.quote) * 10**decimals // abs(record.base) if record.base and decimals is not None else None
    side = "buy" if record.base > 0 else "sell"
    return (
        _when(record.ts), market, side,
        "liquidated" if record.liquidation else record.role, spot_base_text(record.base, decimals), price_text(price),
        format_usd(record.fee, 4), format_usd(record.realized_pnl, 4) if record.realized_pnl else PLACEHOLDER,
        signature_cell(record.signature, explorer_tx_url),
    )  # fmt: skip


def order_row(view: HistoryView, order: OrderRecord, explorer_tx_url: str) -> tuple[str | Text, ...]:
    flags = " ".join(flag for flag, on in (("RO", order.reduce_only), ("PO", order.post_only)) if on)
    return (
        order.created_at.astimezone(UTC).strftime("%m-%d %H:%M:%S"), _market(view, order.market_index),
        "buy" if order.direction.value == "long" else "sell", ORDER_TYPES.get(order.order_type, order.order_type.value),
        base_text(order.base_amount), price_text(order.price), price_text(order.trigger_price), flags or PLACEHOLDER,
        order.status.value, signature_cell(order.transaction_signature, explorer_tx_url),
    )  # fmt: skip


def transaction_row(record: TransactionRecord, explorer_tx_url: str) -> tuple[str | Text, ...]:
    status = record.status.value + (f" {record.error_name}" if record.error_name else "")
    return (
        record.created_at.astimezone(UTC).strftime("%m-%d %H:%M:%S"), record.kind.replace("_", " "), status,
        PLACEHOLDER if record.slot is None else str(record.slot), signature_cell(record.signature, explorer_tx_url),
    )  # fmt: skip


def funding_row(view: HistoryView, record: ChainRecord, explorer_tx_url: str) -> tuple[str | Text, ...]:
    position = f"{'long' if record.base > 0 else 'short'} {base_text(record.base)}" if record.base else PLACEHOLDER
    return (
        _when(record.ts), _market(view, record.market_index), position, format_usd(record.amount, 6),
        signature_cell(record.signature, explorer_tx_url),
    )  # fmt: skip


def fills(view: HistoryView) -> list[ChainRecord]:
    """Perp and spot fills, newest first (a market filter leaves the perp market's alone)."""
    return [record for record in view.records if record.kind in (RecordKind.FILL, RecordKind.SPOT_FILL)]


def funding(view: HistoryView) -> list[ChainRecord]:
    return [record for record in view.records if record.kind is RecordKind.FUNDING]


def figure_lines(view: HistoryView) -> list[tuple[str, str]]:
    """(label, value) of the session's result, per market and in total."""
    f: SessionFigures = view.figures
    rate = PLACEHOLDER if f.win_rate is None else f"{f.win_rate * 100:.1f}% of {f.closes}"
    lines = [("Realized PnL", format_usd(f.realized_pnl))]
    if len(f.markets) > 1 or (f.markets and view.market_index is None):
        lines += [(f"  {_market(view, m.market_index)}", format_usd(m.realized_pnl)) for m in f.markets]
    lines += [
        ("Fees paid", format_usd(f.fees_paid, 4)),
        ("Rebates", format_usd(f.rebates, 4)),
        ("Funding", format_usd(f.funding, 4)),
        ("Net result", format_usd(f.net_result)),
        ("Volume", format_usd(f.volume)),
        ("Trades", str(f.trades)),
        ("Win rate", rate),
        ("Max drawdown", format_usd(f.max_drawdown)),
    ]
    for market in f.spot:  # apart from the perp figures: the quote a sale brought in, and its fees
        name, decimals = _spot_market(view, market.market_index)
        for verb, amount, quote in (("sold", market.sold, market.received), ("bought", market.bought, market.paid)):
            if amount:
                lines.append((f"{name} {verb}", f"{spot_base_text(amount, decimals)} for {format_usd(quote, 4)}"))
        lines.append((f"{name} fees", format_usd(market.fees, 4)))
    return lines


def figures_text(view: HistoryView) -> str:
    lines = figure_lines(view)
    width = max(len(label) for label, _ in lines)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in lines)
