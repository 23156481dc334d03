"""Pure text for the cockpit: every string a widget shows is built here and unit tested.

Widgets stay dumb and the wording stays consistent: an absent figure is always the same
placeholder, a pubkey is always shortened the same way, and every empty state says what
to do next.
"""

from dataclasses import dataclass
from decimal import Decimal

from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.status import KeystoreStatus, ShellStatus
from rekt_tui.tui.activity import ActivityEntry

PLACEHOLDER = "—"
NOT_CONNECTED = "not connected"
MAINNET_BANNER = "MAINNET — real money"
NO_SESSIONS_HINT = "No session wallet yet — create one with `rekt-tui wallet new`."
LOADING = "Loading session state…"

_STATUS_LABELS = {
    SessionStatus.KEY_PENDING: "key pending",
    SessionStatus.ACTIVE: "active",
    SessionStatus.ARCHIVED: "archived",
    SessionStatus.WITHDRAWN: "withdrawn",
}


@dataclass(frozen=True)
class HudReading:
    """One figure of the HUD: `key` names its cell, `label` and `value` are what is shown."""

    key: str
    label: str
    value: str


def short_pubkey(pubkey: str, edge: int = 4) -> str:
    """`AbCd…WxYz`: enough to recognise an address without room for a full one."""
    if len(pubkey) <= 2 * edge + 1:
        return pubkey
    return f"{pubkey[:edge]}…{pubkey[-edge:]}"


def session_status_label(status: SessionStatus) -> str:
    return _STATUS_LABELS[status]


def leverage_label(max_leverage: Decimal | None, leverage: Decimal | None = None) -> str:
    """Current leverage against the strategy's maximum, e.g. `— / 5x` before any data."""
    current = PLACEHOLDER if leverage is None else f"{_plain(leverage)}x"
    ceiling = PLACEHOLDER if max_leverage is None else f"{_plain(max_leverage)}x"
    return f"{current} / {ceiling}"


def hud_readings(cluster: str | None, max_leverage: Decimal | None) -> tuple[HudReading, ...]:
    """Every HUD figure, honest about what is not known yet: no account feed means `—`."""
    unknown = PLACEHOLDER
    return (
        HudReading("collateral", "Collateral", unknown),
        HudReading("equity", "Equity", unknown),
        HudReading("upnl", "uPnL", unknown),
        HudReading("free_collateral", "Free collat.", unknown),
        HudReading("margin_usage", "Margin used", unknown),
        HudReading("leverage", "Lev / max", leverage_label(max_leverage)),
        HudReading("health", "Health", unknown),
        HudReading("oracle", "Oracle", unknown),
        HudReading("cluster", "Cluster", cluster or unknown),
        HudReading("slot", "Slot", unknown),
        HudReading("data_age", "Data age", unknown),
    )


def cluster_line(status: ShellStatus) -> str:
    return f"{status.cluster} · {status.rpc_url}"


def keystore_line(keystore: KeystoreStatus) -> str:
    """The backend holding session keys; an insecure one is a warning and names itself as such."""
    return f"Keys: {keystore.backend}" if keystore.secure else f"⚠ {keystore.backend}"


def registry_line(read_only_reason: str | None) -> str:
    if read_only_reason is None:
        return "Registry: writer"
    return f"Registry: read-only — {read_only_reason}"


def read_only_notice(read_only_reason: str) -> str:
    return f"READ-ONLY — {read_only_reason}"


def session_rows(sessions: tuple[SessionRecord, ...]) -> tuple[tuple[str, str, str], ...]:
    """(short address, label, status) per session wallet, in the registry's order."""
    return tuple(
        (short_pubkey(session.pubkey), session.label or PLACEHOLDER, session_status_label(session.status))
        for session in sessions
    )


def positions_placeholder(status: ShellStatus | None) -> str:
    """What the positions panel says before the account feed exists."""
    if status is None:
        return LOADING
    if not status.sessions:
        return NO_SESSIONS_HINT
    return f"Positions: {NOT_CONNECTED} — they appear here once the Drift account feed is live."


def orderbook_placeholder() -> str:
    return f"Order book: {NOT_CONNECTED} — it appears here once the DLOB feed is live."


def status_summary(status: ShellStatus) -> str:
    """One activity-log line describing what the shell found at launch."""
    count = len(status.sessions)
    wallets = f"{count} session wallet" + ("" if count == 1 else "s")
    registry = "writer" if status.registry_read_only_reason is None else "read-only"
    return f"Ready on {status.cluster}: {wallets}, registry {registry}."


def activity_line(entry: ActivityEntry) -> str:
    return f"{entry.at:%H:%M:%S}  {entry.text}"


def _plain(value: Decimal) -> str:
    """`Decimal("5.00")` → `5`, `Decimal("2.5")` → `2.5`: no exponent, no trailing zeros."""
    return f"{value.normalize():f}"
