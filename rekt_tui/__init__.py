"""rekt-tui: a terminal cockpit for Drift perpetuals from a disposable session wallet."""

__version__ = "0.1.0"
