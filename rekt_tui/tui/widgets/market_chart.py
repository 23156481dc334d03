"""Candles of the selected market at 1m, 5m, 15m or 1h, drawn with textual-plotext.

Chosen over a hand-drawn chart because it is Textualize's own wrapper of plotext (a
maintained terminal plotting library): it follows the app's theme, sizes itself to the
region and draws candlesticks, so this module only maps candles to coordinates. A span
with no trade draws from the oracle (its open and close), so the line never breaks
where the market was quiet; a span with no record at all stays empty on the time axis.
Coordinates are floats for the screen only: figures shown as text stay exact.
"""

from datetime import UTC, datetime

from textual_plotext import PlotextPlot

from rekt_tui.domain.market_context import PRICE_PRECISION, Candle, ChartLevel, candle_gaps, history_stopped
from rekt_tui.domain.markets import format_price

SECONDS = {"1": 60, "5": 300, "15": 900, "60": 3_600}
LABELS = {"1": "1m", "5": "5m", "15": "15m", "60": "1h"}
LEVEL_COLORS = {"entry": "blue", "liq": "magenta", "buy": "green", "sell": "red"}


def ohlc(candle: Candle) -> tuple[int, int, int, int] | None:
    """The candle's prices from its fills, else its oracle; None with neither."""
    open_, close = candle.price_open, candle.price_close
    if open_ is None or close is None:
        return None
    high = candle.high if candle.high is not None else max(open_, close)
    low = candle.low if candle.low is not None else min(open_, close)
    return open_, max(high, open_, close), min(low, open_, close), close


def _clock(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M")


def history_note(candles: tuple[Candle, ...], span_s: int, now: int) -> tuple[str | None, bool]:
    """One sentence about holes in the history, and whether it greys the chart (it stopped)."""
    if history_stopped(candles, span_s, now):
        return f"The newest candle is from {_clock(candles[0].ts)} UTC: the history stopped being written.", True
    gaps = candle_gaps(candles, span_s)
    if not gaps:
        return None, False
    first, last = gaps[0]
    more = f" ({len(gaps)} gaps; the newest shown)" if len(gaps) > 1 else ""
    return f"The history has no candles from {_clock(first)} to {_clock(last)} UTC{more}.", False


class MarketChart(PlotextPlot):
    DEFAULT_CSS = "MarketChart { height: 1fr; width: 1fr; }"

    def __init__(self) -> None:
        super().__init__(id="market-chart", classes="market-panel")
        self.border_title = "Chart"
        self.drawn = False

    def show(
        self, symbol: str, candles: tuple[Candle, ...], resolution: str, note: str | None,
        levels: tuple[ChartLevel, ...] = (), now: int | None = None,
    ) -> None:  # fmt: skip
        """Draw the candles (newest first); a `note` greys the last drawing instead, and a hole
        in the history at `now` is named below (greyed if the history stopped)."""
        self.border_title = f"{symbol} {LABELS.get(resolution, resolution)}  (t: 1m/5m/15m/1h)"
        if note is not None:
            self.failed(note)
            return
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        gap, stopped = history_note(candles, SECONDS.get(resolution, 60), now) if now is not None else (None, False)
        self.set_class(stopped, "-stale")
        self.border_subtitle = gap or ""
        drawn = [(c.ts, prices) for c in reversed(candles) if (prices := ohlc(c)) is not None]
        if not drawn:
            plt.title("No candles for this market yet.")
            self.refresh()
            return
        span = SECONDS.get(resolution, 60)
        x = [(ts - drawn[-1][0]) // span for ts, _ in drawn]
        data = {
            key: [prices[i] / PRICE_PRECISION for _, prices in drawn]
            for i, key in enumerate(("Open", "High", "Low", "Close"))
        }
        plt.candlestick(x, data)
        low, high = min(p[2] for _, p in drawn), max(p[1] for _, p in drawn)
        beyond = []
        for level in levels:
            if low <= level.price <= high:
                price, color = level.price / PRICE_PRECISION, LEVEL_COLORS.get(level.label, "white")
                plt.hline(price, color)
                plt.text(level.label, x[-1], price, color=color, alignment="right")
            else:  # drawing it would squash the candles: named instead
                beyond.append(f"{level.label} {format_price(level.price)} {'↑' if level.price > high else '↓'}")
        if beyond:
            plt.title("  ".join(beyond))
        self.drawn = True
        ticks = x[:: max(1, len(x) // 4)]
        plt.xticks(ticks, [_clock(drawn[-1][0] + t * span) for t in ticks])
        self.refresh()

    def failed(self, sentence: str) -> None:
        """Keep the last candles, greyed (an empty plot says the sentence), and say why."""
        if not self.drawn:
            self.plt.clear_figure()
            self.plt.title("No candles to draw: the reason is below.")
            self.refresh()
        self.border_subtitle = sentence
        self.set_class(True, "-stale")
