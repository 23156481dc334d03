"""The session's equity curve: total collateral at each recorded account read, drawn with
textual-plotext as the market chart is. Coordinates are floats for the screen only; the
figures shown as text stay exact.
"""

from datetime import datetime

from textual_plotext import PlotextPlot

from rekt_tui.domain.money import USDC_DECIMALS, format_usd

NO_POINTS = "No account reads yet: equity is recorded while the cockpit follows the session."


class EquityChart(PlotextPlot):
    DEFAULT_CSS = "EquityChart { height: 1fr; min-height: 6; }"

    def __init__(self) -> None:
        super().__init__(id="history-equity", classes="history-panel")
        self.border_title = "Equity"

    def show(self, points: tuple[tuple[datetime, int], ...]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not points:
            plt.title(NO_POINTS)
            self.refresh()
            return
        start = points[0][0]
        x = [(taken - start).total_seconds() for taken, _ in points]
        y = [value / 10**USDC_DECIMALS for _, value in points]
        plt.plot(x, y, marker="braille")
        ticks = [x[0], x[-1]] if len(x) > 1 else [x[0]]
        plt.xticks(ticks, [points[0][0].strftime("%H:%M"), points[-1][0].strftime("%H:%M")][: len(ticks)])
        # The lowest and the highest equity, exact: left to itself plotext may label one level only.
        low, high = min(value for _, value in points), max(value for _, value in points)
        levels = sorted({low, high})
        plt.yticks([value / 10**USDC_DECIMALS for value in levels], [format_usd(value) for value in levels])
        self.refresh()
