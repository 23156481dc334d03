"""The history screen's text for a spot fill: in the fills table labelled as spot, named by
its spot market (never the perp market of the same index), priced in the spot market's
decimals, and in the figures apart from the perp result."""

from datetime import UTC, datetime

from rekt_tui.domain.history import ChainRecord, RecordKind, figures
from rekt_tui.domain.records import MarketRecord, MarketType
from rekt_tui.services.history import HistoryView
from rekt_tui.tui.formatting import PLACEHOLDER
from rekt_tui.tui.widgets.history_rows import figure_lines, fill_row, fills

SOL = 10**9


def spot_market(index: int, symbol: str, decimals: int) -> MarketRecord:
    return MarketRecord("localnet", MarketType.SPOT, index, symbol, "oracle", "active", decimals, 100, 10**7,
                        10**7, datetime(2026, 4, 2, tzinfo=UTC))  # fmt: skip


def view(records: list[ChainRecord], spot: dict[int, MarketRecord]) -> HistoryView:
    return HistoryView((), None, None, {1: "BTC-PERP"}, tuple(reversed(records)), figures(records), (), (), (),
                       spot_markets=spot)  # fmt: skip


PERP_FILL = ChainRecord("p", 0, 1, 1_775_120_400, RecordKind.FILL, 1, base=SOL // 100, quote=-700_000, fee=700)
SALE = ChainRecord("s", 1, 2, 1_775_120_460, RecordKind.SPOT_FILL, 1, base=-SOL // 100, quote=1_499_000, fee=1_499,
                   role="taker")  # fmt: skip


def test_a_spot_fill_is_a_row_of_its_own_market_and_a_figure_apart():
    shown = view([PERP_FILL, SALE], {1: spot_market(1, "SOL", 9)})
    assert fills(shown) == [SALE, PERP_FILL]
    sale, perp = (fill_row(shown, record, "") for record in fills(shown))
    assert sale[1:7] == ("SOL spot", "sell", "taker", "0.01", "149.9000", "$0.0015")
    assert sale[7] == PLACEHOLDER  # no PnL: a sale converts collateral
    assert perp[1:3] == ("BTC-PERP", "buy")
    lines = dict(figure_lines(shown))
    assert lines["Trades"] == "1" and lines["Volume"] == "$0.70"  # the perp fill alone
    assert lines["SOL spot sold"] == "0.01 for $1.4990" and lines["SOL spot fees"] == "$0.0015"


def test_a_spot_market_the_registry_does_not_name_is_said_by_its_index_and_its_own_decimals():
    usdc_like = ChainRecord("s", 0, 2, 1_775_120_460, RecordKind.SPOT_FILL, 5, base=2_500_000, quote=-2_501_000, fee=0)
    shown = view([usdc_like], {})
    # Its decimals unknown: the amount in base units and no price, never at a guessed scale.
    assert fill_row(shown, usdc_like, "")[1:6] == ("SPOT 5", "buy", "", "2,500,000 base units", PLACEHOLDER)
    assert dict(figure_lines(shown))["SPOT 5 bought"] == "2,500,000 base units for $2.5010"
    known = view([usdc_like], {5: spot_market(5, "JTO", 6)})
    assert fill_row(known, usdc_like, "")[1:6] == ("JTO spot", "buy", "", "2.5", "1.0004")
