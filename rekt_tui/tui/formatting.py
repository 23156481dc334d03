"""Pure text for the cockpit: every string a widget shows is built here and unit tested.

Widgets stay dumb and the wording stays consistent: an absent figure is always the same
placeholder, a pubkey is always shortened the same way, and every empty state says what
to do next.
"""

from dataclasses import dataclass
from decimal import Decimal


from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.markets import format_price
from rekt_tui.domain.money import format_sol, format_usd, to_decimal
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.status import KeystoreStatus, ShellStatus
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels
from rekt_tui.tui.activity import ActivityEntry
from rekt_tui.tui.tables import PLACEHOLDER, signed_usd

_CENT = Decimal("0.01")  # leverage shows two places
NOT_CONNECTED = "not connected"
MAINNET_BANNER = "MAINNET — real money"
NO_SESSIONS_HINT = "No session wallet yet — press w to create one."
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
    tone: str = ""  # a CSS class: "-gain" or "-loss" for figures whose sign matters


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


def chain_slot(account: AccountSnapshot | None, book: OrderBook | None) -> int | None:
    """The newest slot any feed has seen: the account only changes when it is written to,
    while the book moves with the chain, so the later of the two is the chain's slot."""
    slots = [source.slot for source in (account, book) if source is not None]
    return max(slots, default=None)


def hud_readings(
    cluster: str | None,
    max_leverage: Decimal | None,
    account: AccountSnapshot | None = None,
    oracle_price: int | None = None,
    age_s: float | None = None,
    slot: int | None = None,
    market: str = "",
) -> tuple[HudReading, ...]:
    """Every HUD figure, honest about what is not known yet: no account feed means `—`.

    `slot` is the chain's current slot (see `chain_slot`); without one the account's own is shown.
    The oracle is `market`'s (the dashboard's), named: `m` moves it to another market's price."""
    unknown = PLACEHOLDER
    oracle = unknown if oracle_price is None else hud_price(oracle_price)
    if slot is None and account is not None:
        slot = account.slot
    fixed = (
        HudReading("oracle", f"{market.split('-')[0]} oracle" if market else "Oracle", oracle),
        HudReading("cluster", "Cluster", cluster or unknown),
        HudReading("slot", "Slot", unknown if slot is None else f"{slot:,}"),
        HudReading("data_age", "Data age", age_label(age_s)),
    )
    if account is None:
        return (
            HudReading("collateral", "Collateral", unknown),
            HudReading("equity", "Equity", unknown),
            HudReading("upnl", "uPnL", unknown),
            HudReading("free_collateral", "Free collat.", unknown),
            HudReading("margin_usage", "Margin used", unknown),
            HudReading("leverage", "Lev / max", leverage_label(max_leverage)),
            HudReading("health", "Health", unknown),
            *fixed,
        )
    return (
        HudReading("collateral", "Collateral", format_usd(account.total_collateral)),
        HudReading("equity", "Equity", format_usd(account.equity)),
        HudReading("upnl", "Unsettled" if account.pnl_unsettled else "uPnL", signed_usd(account.open_pnl),
                   tone(account.open_pnl)),  # fmt: skip
        HudReading("free_collateral", "Free collat.", format_usd(account.free_collateral)),
        HudReading("margin_usage", "Margin used", usage_bar(account.margin_usage)),
        HudReading("leverage", "Lev / max", leverage_label(max_leverage, account.leverage_ratio.quantize(_CENT))),
        HudReading("health", "Health", f"{account.health}%"),
        *fixed,
    )


def hud_price(price: int) -> str:
    """A price short enough for a HUD cell (12 cells at 80 columns): cents from $1,000 up, at
    most four places above $1, six below; rounded, never cut. The book shows every place."""
    value = to_decimal(price, 6)
    places = 2 if abs(value) >= 1000 else 4 if abs(value) >= 1 else 6
    rounded = value.quantize(Decimal(1).scaleb(-places))
    return format_price(int(rounded.scaleb(6)))


def tone(amount: int) -> str:
    """The CSS class that colours a signed dollar figure: none when it shows as $0.00."""
    if signed_usd(amount) == "$0.00":
        return ""
    return "-gain" if amount > 0 else "-loss"


def usage_bar(fraction: Decimal, width: int = 5) -> str:
    """`██░░░ 40%`: a share of a whole as a bar and a percentage (clamped to 0..100 % for the bar)."""
    clamped = min(max(fraction, Decimal(0)), Decimal(1))
    filled = int((clamped * width).to_integral_value())
    return f"{'█' * filled}{'░' * (width - filled)} {fraction * 100:.0f}%"


def age_label(age_s: float | None) -> str:
    """How old a panel's data is: `0.4 s`, `12 s`, or `—` before any arrived."""
    if age_s is None or age_s == float("inf"):
        return PLACEHOLDER
    return f"{age_s:.1f} s" if age_s < 10 else f"{age_s:.0f} s"


def freshness_label(age_s: float | None, stale: bool) -> str:
    """A panel's subtitle: its data age, and `STALE` when it can no longer be trusted.

    In whole seconds, `<1 s` below one (the HUD's data age has the tenths): a new subtitle
    repaints the whole panel, so a live feed's must hold still."""
    if age_s is None or age_s == float("inf"):
        age = PLACEHOLDER
    else:
        age = "<1 s" if age_s < 1 else f"{int(age_s)} s"
    if stale:
        return f"STALE · {age}"
    return "" if age_s is None else f"age {age}"


def is_stale(age_s: float | None, state: FeedState | None, limit_s: float) -> bool:
    """Data nobody should act on: the feed says so, or it is older than the limit."""
    if state in (FeedState.STALE, FeedState.RECONNECTING):
        return True
    return age_s is not None and age_s > limit_s


def feed_event_line(event: FeedEvent) -> str:
    """The activity-log line for a feed's state change, e.g. `account feed reconnecting: silent`."""
    reason = f": {event.reason}" if event.reason else ""
    return f"{event.feed} feed {event.state.value}{reason}"


def session_lines(
    session: SessionRecord,
    lamports: int | None,
    account: AccountSnapshot | None,
    usdc: int | None = None,
    labels: VenueLabels = DRIFT,
) -> tuple[str, ...]:
    """What the session panel says about the followed wallet (its SOL and quote) and its venue account."""
    referrer = "verified" if session.referrer_verified_at else ("set" if session.referrer else "none")
    return (
        f"Wallet: {short_pubkey(session.pubkey)} ({session.label or 'no label'})",
        f"SOL: {PLACEHOLDER if lamports is None else format_sol(lamports)}",
        f"{labels.quote}: {PLACEHOLDER if usdc is None else format_usd(usdc)}",
        f"{labels.account}: {short_pubkey(session.drift_user) if session.drift_user else 'none yet'}",
        f"Referrer: {referrer}",
        f"Collateral: {PLACEHOLDER if account is None else format_usd(account.total_collateral)}",
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
    if sum(s.status is SessionStatus.ACTIVE for s in status.sessions) > 1:
        return "Several session wallets are active: choose the one to show with w."
    return f"Positions: {NOT_CONNECTED} — they appear here once the {status.labels.account} feed is live."


def orderbook_placeholder() -> str:
    return f"Order book: {NOT_CONNECTED} —\nwaiting for the DLOB feed."


def status_summary(status: ShellStatus) -> str:
    """One activity-log line describing what the shell found at launch."""
    count = len(status.sessions)
    wallets = f"{count} session wallet" + ("" if count == 1 else "s")
    registry = "writer" if status.registry_read_only_reason is None else "read-only"
    return f"Ready on {status.cluster}: {wallets}, registry {registry}."


def cycled(choices: tuple[str, ...], current: str, step: int) -> str:
    """The choice `step` places after `current` (before it when negative), wrapping round;
    the first choice when `current` is not among them."""
    if current not in choices:
        return choices[0]
    return choices[(choices.index(current) + step) % len(choices)]


def activity_line(entry: ActivityEntry) -> str:
    return f"{entry.at:%H:%M:%S}  {entry.text}"


def _plain(value: Decimal) -> str:
    """`Decimal("5.00")` → `5`, `Decimal("2.5")` → `2.5`: no exponent, no trailing zeros."""
    return f"{value.normalize():f}"
