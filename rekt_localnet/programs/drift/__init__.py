"""The Drift program of the localnet: users, collateral, perp orders, matching, settlement.

`DriftProgram` is what the runtime registers; `FILL_LOG_PREFIX` marks the log lines in
which it reports each fill (the trade feed reads them from landed transactions).
"""

from .matching import FILL_LOG_PREFIX, Fill
from .program import DriftProgram

__all__ = ["FILL_LOG_PREFIX", "DriftProgram", "Fill"]
