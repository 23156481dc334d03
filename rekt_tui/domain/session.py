"""Session wallets as the registry records them, and the order their statuses go in."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class SessionStatus(str, Enum):
    KEY_PENDING = "key_pending"  # row written, key not yet verified in the keystore
    ACTIVE = "active"  # key verified; may hold funds, orders, positions
    ARCHIVED = "archived"  # torn down: nothing left in Drift; keypair kept
    WITHDRAWN = "withdrawn"  # session wallet swept; nothing left anywhere


ALLOWED_TRANSITIONS: dict[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.KEY_PENDING: frozenset({SessionStatus.ACTIVE}),
    SessionStatus.ACTIVE: frozenset({SessionStatus.ARCHIVED}),
    # An archived wallet can be picked again for a new round of trading.
    SessionStatus.ARCHIVED: frozenset({SessionStatus.ACTIVE, SessionStatus.WITHDRAWN}),
    SessionStatus.WITHDRAWN: frozenset(),
}


def can_transition(current: SessionStatus, new: SessionStatus) -> bool:
    return new in ALLOWED_TRANSITIONS[current]


@dataclass(frozen=True)
class SessionRecord:
    """One session wallet. Money is integer: lamports and Drift quote units (1e6)."""

    pubkey: str
    cluster: str
    label: str
    status: SessionStatus
    key_backend: str
    created_at: datetime
    updated_at: datetime
    drift_user: str | None = None
    referrer: str | None = None
    referrer_verified_at: datetime | None = None
    strategy: str | None = None
    last_sol_lamports: int | None = None
    last_collateral_quote: int | None = None
    trading_started_at: datetime | None = None  # when "Start trading" was confirmed
