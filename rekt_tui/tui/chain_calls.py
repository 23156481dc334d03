"""Every service the cockpit calls that reaches the chain. They import driftpy, so this
module is only ever loaded through `ChainCalls` (chain.py), off the event loop."""

from rekt_tui.services.collateral import CollateralService
from rekt_tui.services.history import archive_result
from rekt_tui.services.landing import open_lander
from rekt_tui.services.link import open_link
from rekt_tui.services.orders import OrderService
from rekt_tui.services.reconcile import mark_resolved, reconcile
from rekt_tui.services.session import SessionService
from rekt_tui.services.teardown import TeardownService

__all__ = [
    "CollateralService", "OrderService", "SessionService", "TeardownService", "archive_result", "mark_resolved",
    "open_lander", "open_link", "reconcile",
]
