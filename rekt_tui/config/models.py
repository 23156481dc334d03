"""Typed settings. Defaults live here; `loader` layers file, environment and flags on top.

Each setting names its check (`checks`): values are validated however the settings are built.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import platformdirs

from rekt_tui.config.checks import (
    Model, boolean, decimal, directory, integer, nested, one_of, optional, pubkey, setting, sha256_hex, table_of,
    template, text, tuple_of, url,
)  # fmt: skip
from rekt_tui.domain.strategy import DEFAULT_PRESETS, DEFAULT_STRATEGY, StrategyPreset
from rekt_tui.domain.venue_labels import VenueLabels, venue_labels

ClusterName = Literal["localnet", "devnet", "mainnet"]
KeystoreChoice = Literal["auto", "system", "cryptfile", "localnet-file"]
VenueName = Literal["drift", "velocity"]
CLUSTER_NAMES = ("localnet", "devnet", "mainnet")

# Drift's original program id. It was exploited and paused on 2026-04-01; the relaunch
# ("Velocity") is a new program, which is why every cluster names its venue and program.
DRIFT_PROGRAM_ID_V2 = "dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH"
# The relaunch's program: the same id on devnet and mainnet-beta (VELOCITY.md).
VELOCITY_PROGRAM_ID = "vELoC1audYbSYVRXn1vPaV8Axoa9oU6BYmNGZZBDZ1P"
PROGRAM_IDS: dict[str, str] = {"drift": DRIFT_PROGRAM_ID_V2, "velocity": VELOCITY_PROGRAM_ID}
# The quote asset each venue settles in (spot market 0), per cluster; a profile's `quote_mint`
# overrides it. Drift: USDC (devnet: driftpy's devnet USDC; localnet: the embedded genesis's mint).
# Velocity: USDT on mainnet; localnet: the embedded genesis's USDT-like mint (rekt_localnet's
# `velocity usdt mint`); its devnet mint is not known here.
QUOTE_MINTS: dict[tuple[str, str], str] = {
    ("drift", "mainnet"): "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    ("drift", "devnet"): "8zGuJQqwhZafTah7Uc7Z4tXRnguqkn5KLFAP8oV6PHe2",
    ("drift", "localnet"): "3Tai8cWE8RYRTHmVWoST1hJDvSQ4eaQERcucLBUWJZ79",
    ("velocity", "mainnet"): "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB",
    ("velocity", "localnet"): "2i9HW6vJhaj6Wia7ZhyW3jbQVfF1JcujsXACU2sfNXXm",
}


HTTP_URL = url("http", "https")
WS_URL = url("ws", "wss")


@dataclass(frozen=True, kw_only=True)
class ClusterProfile(Model):
    """Everything that differs between clusters: the venue, its program, endpoints and explorer."""

    # Which venue the cluster trades on; it chooses the adapter and the default program id.
    venue: VenueName = setting(one_of("drift", "velocity"), "drift")
    rpc_url: str = setting(HTTP_URL)
    ws_url: str = setting(WS_URL)
    dlob_url: str = setting(HTTP_URL)
    dlob_ws_url: str = setting(WS_URL)
    # Drift's data API (candles, trades, funding history, 24 h stats); None: the same as dlob_url.
    data_api_url: str | None = setting(optional(HTTP_URL), None)
    explorer_tx_url: str = setting(template("signature"))
    explorer_account_url: str = setting(template("address"))
    # Unset: the venue's program (PROGRAM_IDS). Left out of dumps so that a profile which only
    # changes `venue` is not pinned to the defaults' program.
    program_id: str = setting(pubkey, None, dump=False)
    # The quote asset's mint (spot market 0), checked against the chain before trading.
    # Unset: the venue's quote on this cluster (QUOTE_MINTS); see `Settings.quote_mint`.
    quote_mint: str | None = setting(optional(pubkey), None)
    # sha256 (hex) of the program's Anchor IDL as published on chain; when set, trading is
    # refused unless the published IDL has exactly this hash.
    idl_sha256: str | None = setting(optional(sha256_hex), None)
    # Address lookup tables for Drift's markets; empty: the ones driftpy knows for this cluster.
    lookup_tables: tuple[str, ...] = setting(tuple_of(pubkey), ())
    # Our referrer on this cluster (recorded on every Drift account the app opens).
    referrer: str | None = setting(optional(pubkey), None)

    def _before(self, values: dict[str, Any]) -> dict[str, Any]:
        if values["program_id"] is None:  # an unknown venue is reported by its own field
            venue = values["venue"]
            values["program_id"] = PROGRAM_IDS.get(venue if isinstance(venue, str) else "drift", DRIFT_PROGRAM_ID_V2)
        return values


@dataclass(frozen=True, kw_only=True)
class StrategySettings(Model):
    max_leverage: Decimal = setting(decimal(gt=0, le=20))
    slippage_bps: int = setting(integer(ge=0, le=1000))
    auction_duration_s: int = setting(integer(ge=0, le=60))


@dataclass(frozen=True, kw_only=True)
class UiSettings(Model):
    max_repaint_hz: int = setting(integer(ge=1, le=60), 20)
    stale_after_s: int = setting(integer(ge=1, le=300), 10)


@dataclass(frozen=True, kw_only=True)
class GuardSettings(Model):
    # A limit price further than this through the oracle (above it for a buy, below for a
    # sell) is refused unless overridden: a typo such as a BTC sell at $1 trades at once.
    price_band_pct: Decimal = setting(decimal(gt=0, le=100), Decimal(10))


@dataclass(frozen=True, kw_only=True)
class AlertSettings(Model):
    """When the watcher warns, and where (the cockpit always shows a toast and an activity line).

    A threshold set to `"off"` (TOML has no null) is switched off."""

    health_below: int | None = setting(optional(integer(ge=1, le=99), off=True), 30)
    liquidation_distance_pct: Decimal | None = setting(optional(decimal(gt=0, le=100), off=True), Decimal(10))
    feed_stale_after_s: int | None = setting(optional(integer(ge=1, le=3600), off=True), 30)
    funding_rate_pct: Decimal | None = setting(optional(decimal(gt=0, le=100), off=True), Decimal("0.05"))  # per hour
    fills: bool = setting(boolean, True)
    orders_ended: bool = setting(boolean, True)
    bell: bool = setting(boolean, False)
    desktop: bool = setting(boolean, False)
    webhook_url: str | None = setting(optional(HTTP_URL, off=True), None)
    webhook_timeout_s: Decimal = setting(decimal(gt=0, le=60), Decimal(5))


@dataclass(frozen=True, kw_only=True)
class LossLimitSettings(Model):
    """A maximum loss per session and per UTC day; on a breach the session goes exit-only."""

    unit: Literal["usd", "pct"] = setting(one_of("usd", "pct"), "pct")
    measured_from: Literal["start", "peak"] = setting(one_of("start", "peak"), "peak")
    session_max: Decimal | None = setting(optional(decimal(gt=0, le=1_000_000), off=True), Decimal(25))
    day_max: Decimal | None = setting(optional(decimal(gt=0, le=1_000_000), off=True), None)
    auto_stop: bool = setting(boolean, False)
    grace_s: int = setting(integer(ge=0, le=86_400), 60)

    def _relations(self, valid: dict[str, Any]) -> dict[str, str]:
        problems = {}
        if valid.get("unit") == "pct":
            for name in ("session_max", "day_max"):
                if (valid.get(name) or 0) >= 100:
                    problems[name] = "must be below 100 when unit is \"pct\" (a loss of every dollar is no limit)"
        limits = ("session_max", "day_max")
        if valid.get("auto_stop") and all(name in valid and valid[name] is None for name in limits):
            problems["auto_stop"] = "needs session_max or day_max: with no limit there is nothing to stop on"
        return problems


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("rekt-tui", appauthor=False))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("rekt-tui", appauthor=False)) / "config.toml"


_LOCALNET_EXPLORER = "https://explorer.solana.com/{kind}/{{{key}}}?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A8899"

DEFAULT_PROFILES: dict[str, dict[str, object]] = {
    "localnet": {
        "rpc_url": "http://127.0.0.1:8899",
        "ws_url": "ws://127.0.0.1:8900",
        "dlob_url": "http://127.0.0.1:6969",
        "dlob_ws_url": "ws://127.0.0.1:6969/ws",
        "explorer_tx_url": _LOCALNET_EXPLORER.format(kind="tx", key="signature"),
        "explorer_account_url": _LOCALNET_EXPLORER.format(kind="address", key="address"),
        # Fixed by the embedded localnet's genesis (rekt_localnet.keys).
        "lookup_tables": ("7fuW9BWmLJvFApMYt2M7LkZBDkaJbuJstE9axCxTGrgA",),
        "referrer": "C4nN8P9G1NTRoXmtNUv6wE1x6jZXMGZ75af7LUxjHzQV",
    },
    "devnet": {
        "rpc_url": "https://api.devnet.solana.com",
        "ws_url": "wss://api.devnet.solana.com",
        "dlob_url": "https://master.dlob.drift.trade",
        "dlob_ws_url": "wss://master.dlob.drift.trade/ws",
        "explorer_tx_url": "https://solscan.io/tx/{signature}?cluster=devnet",
        "explorer_account_url": "https://solscan.io/account/{address}?cluster=devnet",
    },
    "mainnet": {
        "rpc_url": "https://api.mainnet-beta.solana.com",
        "ws_url": "wss://api.mainnet-beta.solana.com",
        "dlob_url": "https://dlob.drift.trade",
        "dlob_ws_url": "wss://dlob.drift.trade/ws",
        "data_api_url": "https://data.api.drift.trade",
        "explorer_tx_url": "https://solscan.io/tx/{signature}",
        "explorer_account_url": "https://solscan.io/account/{address}",
    },
}


def _default_strategies() -> dict[str, StrategySettings]:
    return {name: _strategy_settings(preset) for name, preset in DEFAULT_PRESETS.items()}


def _strategy_settings(preset: StrategyPreset) -> StrategySettings:
    return StrategySettings(
        max_leverage=preset.max_leverage,
        slippage_bps=preset.slippage_bps,
        auction_duration_s=preset.auction_duration_s,
    )


def _default_profiles() -> dict[str, ClusterProfile]:
    return {name: ClusterProfile(**values) for name, values in DEFAULT_PROFILES.items()}


@dataclass(frozen=True, kw_only=True)
class Settings(Model):
    cluster: ClusterName = setting(one_of(*CLUSTER_NAMES), "localnet")
    # Mainnet trades real money: it must be asked for (here or with --mainnet).
    allow_mainnet: bool = setting(boolean, False)
    data_dir: Path = setting(directory, factory=_default_data_dir)
    # Overrides the cluster profile's referrer.
    referrer: str | None = setting(optional(pubkey), None)
    strategies: dict[str, StrategySettings] = setting(table_of(StrategySettings), factory=_default_strategies)
    strategy: str = setting(text, DEFAULT_STRATEGY)
    min_trading_collateral_usd: Decimal = setting(decimal(ge=0, le=1_000_000), Decimal(10))
    gas_reserve_sol: Decimal = setting(decimal(ge=0, le=10), Decimal("0.002"))
    default_order_expiry_s: int = setting(integer(ge=10, le=30 * 86400), 3600)
    keystore_backend: KeystoreChoice = setting(one_of("auto", "system", "cryptfile", "localnet-file"), "auto")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = setting(one_of("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
    ui: UiSettings = setting(nested(UiSettings), factory=UiSettings)
    guards: GuardSettings = setting(nested(GuardSettings), factory=GuardSettings)
    alerts: AlertSettings = setting(nested(AlertSettings), factory=AlertSettings)
    loss_limit: LossLimitSettings = setting(nested(LossLimitSettings), factory=LossLimitSettings)
    clusters: dict[ClusterName, ClusterProfile] = setting(
        table_of(ClusterProfile, key=one_of(*CLUSTER_NAMES)), factory=_default_profiles
    )

    def _relations(self, valid: dict[str, Any]) -> dict[str, str]:
        known = valid.get("strategies")
        # When the strategies themselves are invalid, that error is the one to report.
        if known is not None and "strategy" in valid and valid["strategy"] not in known:
            return {"strategy": f"must be one of {', '.join(sorted(known))}"}
        return {}

    @property
    def profile(self) -> ClusterProfile:
        return self.clusters[self.cluster]

    @property
    def quote_mint(self) -> str | None:
        """The profile's quote mint, else its venue's on this cluster; None when not known here."""
        return self.profile.quote_mint or QUOTE_MINTS.get((self.profile.venue, self.cluster))

    @property
    def labels(self) -> VenueLabels:
        """How text names this profile's venue and its quote asset ("Velocity", "USDT")."""
        return venue_labels(self.profile.venue)

    @property
    def effective_referrer(self) -> str | None:
        return self.referrer or self.profile.referrer

    def preset(self, name: str | None = None) -> StrategyPreset:
        chosen = name or self.strategy
        values = self.strategies[chosen]
        return StrategyPreset(chosen, values.max_leverage, values.slippage_bps, values.auction_duration_s)

    @property
    def log_file(self) -> Path:
        return self.data_dir / "logs" / "rekt-tui.log"
