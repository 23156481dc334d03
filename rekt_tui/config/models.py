"""Typed settings. Defaults live here; `loader` layers file, environment and flags on top."""

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from rekt_tui.domain.pubkey import is_pubkey
from rekt_tui.domain.strategy import DEFAULT_PRESETS, DEFAULT_STRATEGY, StrategyPreset
from rekt_tui.domain.venue_labels import VenueLabels, venue_labels

ClusterName = Literal["localnet", "devnet", "mainnet"]
KeystoreChoice = Literal["auto", "system", "cryptfile", "localnet-file"]
VenueName = Literal["drift", "velocity"]

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


def _url_with_scheme(*schemes: str):
    def check(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(f"must be a URL starting with {' or '.join(s + '://' for s in schemes)} and naming a host")
        return value

    return AfterValidator(check)


def _template_with(placeholder: str):
    def check(value: str) -> str:
        if "{" + placeholder + "}" not in value:
            raise ValueError(f"must contain {{{placeholder}}} where the {placeholder} goes")
        return value

    return AfterValidator(check)


def _pubkey(value: str) -> str:
    if not is_pubkey(value):
        raise ValueError("must be a base58 Solana public key (32 to 44 characters)")
    return value


def _sha256_hex(value: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or any(char not in "0123456789abcdef" for char in text):
        raise ValueError("must be a sha256 digest: 64 hexadecimal characters")
    return text


def _off(value: object) -> object:
    """`"off"` (TOML has no null) switches an optional threshold off."""
    return None if isinstance(value, str) and value.strip().lower() == "off" else value


Off = BeforeValidator(_off)
HttpUrl = Annotated[str, _url_with_scheme("http", "https")]
WsUrl = Annotated[str, _url_with_scheme("ws", "wss")]
Pubkey = Annotated[str, AfterValidator(_pubkey)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClusterProfile(_Strict):
    """Everything that differs between clusters: the venue, its program, endpoints and explorer."""

    # Which venue the cluster trades on; it chooses the adapter and the default program id.
    venue: VenueName = "drift"
    rpc_url: HttpUrl
    ws_url: WsUrl
    dlob_url: HttpUrl
    dlob_ws_url: WsUrl
    # Drift's data API (candles, trades, funding history, 24 h stats); None: the same as dlob_url.
    data_api_url: HttpUrl | None = None
    explorer_tx_url: Annotated[str, _template_with("signature")]
    explorer_account_url: Annotated[str, _template_with("address")]
    # Unset: the venue's program (PROGRAM_IDS). Left out of dumps so that a profile which only
    # changes `venue` is not pinned to the defaults' program.
    program_id: Annotated[Pubkey, Field(exclude=True)] = DRIFT_PROGRAM_ID_V2
    # The quote asset's mint (spot market 0), checked against the chain before trading.
    # Unset: the venue's quote on this cluster (QUOTE_MINTS); see `Settings.quote_mint`.
    quote_mint: Pubkey | None = None
    # sha256 (hex) of the program's Anchor IDL as published on chain; when set, trading is
    # refused unless the published IDL has exactly this hash.
    idl_sha256: Annotated[str, AfterValidator(_sha256_hex)] | None = None
    # Address lookup tables for Drift's markets; empty: the ones driftpy knows for this cluster.
    lookup_tables: tuple[Pubkey, ...] = ()
    # Our referrer on this cluster (recorded on every Drift account the app opens).
    referrer: Pubkey | None = None

    @model_validator(mode="before")
    @classmethod
    def _program_of_the_venue(cls, values: object) -> object:
        if isinstance(values, dict) and values.get("program_id") is None:
            venue = values.get("venue", "drift")
            if venue in PROGRAM_IDS:  # an unknown venue is reported by its own field
                values = {**values, "program_id": PROGRAM_IDS[venue]}
        return values


class StrategySettings(_Strict):
    max_leverage: Annotated[Decimal, Field(gt=0, le=20)]
    slippage_bps: Annotated[int, Field(ge=0, le=1000)]
    auction_duration_s: Annotated[int, Field(ge=0, le=60)]


class UiSettings(_Strict):
    max_repaint_hz: Annotated[int, Field(ge=1, le=60)] = 20
    stale_after_s: Annotated[int, Field(ge=1, le=300)] = 10


class GuardSettings(_Strict):
    # A limit price further than this through the oracle (above it for a buy, below for a
    # sell) is refused unless overridden: a typo such as a BTC sell at $1 trades at once.
    price_band_pct: Annotated[Decimal, Field(gt=0, le=100)] = Decimal(10)


class AlertSettings(_Strict):
    """When the watcher warns, and where (the cockpit always shows a toast and an activity line)."""

    health_below: Annotated[Annotated[int, Field(ge=1, le=99)] | None, Off] = 30
    liquidation_distance_pct: Annotated[Annotated[Decimal, Field(gt=0, le=100)] | None, Off] = Decimal(10)
    feed_stale_after_s: Annotated[Annotated[int, Field(ge=1, le=3600)] | None, Off] = 30
    funding_rate_pct: Annotated[Annotated[Decimal, Field(gt=0, le=100)] | None, Off] = Decimal("0.05")  # per hour
    fills: bool = True
    orders_ended: bool = True
    bell: bool = False
    desktop: bool = False
    webhook_url: Annotated[HttpUrl | None, Off] = None
    webhook_timeout_s: Annotated[Decimal, Field(gt=0, le=60)] = Decimal(5)


class LossLimitSettings(_Strict):
    """A maximum loss per session and per UTC day; on a breach the session goes exit-only."""

    unit: Literal["usd", "pct"] = "pct"
    measured_from: Literal["start", "peak"] = "peak"
    session_max: Annotated[Annotated[Decimal, Field(gt=0, le=1_000_000)] | None, Off] = Decimal(25)
    day_max: Annotated[Annotated[Decimal, Field(gt=0, le=1_000_000)] | None, Off] = None
    auto_stop: bool = False
    grace_s: Annotated[int, Field(ge=0, le=86_400)] = 60

    @field_validator("session_max", "day_max")
    @classmethod
    def _percent_at_most_100(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if value is not None and info.data.get("unit") == "pct" and value >= 100:
            raise ValueError("must be below 100 when unit is \"pct\" (a loss of every dollar is no limit)")
        return value

    @field_validator("auto_stop")
    @classmethod
    def _auto_stop_needs_a_limit(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("session_max") is None and info.data.get("day_max") is None:
            raise ValueError("needs session_max or day_max: with no limit there is nothing to stop on")
        return value


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


class Settings(_Strict):
    cluster: ClusterName = "localnet"
    # Mainnet trades real money: it must be asked for (here or with --mainnet).
    allow_mainnet: bool = False
    data_dir: Path = Field(default_factory=_default_data_dir)
    # Overrides the cluster profile's referrer.
    referrer: Pubkey | None = None
    strategies: dict[str, StrategySettings] = Field(default_factory=_default_strategies)
    # Declared after `strategies` so its validator can see them.
    strategy: str = DEFAULT_STRATEGY
    min_trading_collateral_usd: Annotated[Decimal, Field(ge=0, le=1_000_000)] = Decimal(10)
    gas_reserve_sol: Annotated[Decimal, Field(ge=0, le=10)] = Decimal("0.002")
    default_order_expiry_s: Annotated[int, Field(ge=10, le=30 * 86400)] = 3600
    keystore_backend: KeystoreChoice = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    ui: UiSettings = Field(default_factory=UiSettings)
    guards: GuardSettings = Field(default_factory=GuardSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    loss_limit: LossLimitSettings = Field(default_factory=LossLimitSettings)
    clusters: dict[ClusterName, ClusterProfile] = Field(
        default_factory=lambda: {name: ClusterProfile(**values) for name, values in DEFAULT_PROFILES.items()}
    )

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir_named(cls, value: object) -> object:
        # Path("") is the current directory, and "~" is not expanded by Path: neither is
        # what the user meant, and keys would land in the wrong place.
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("must name a directory")
            return Path(value).expanduser()
        if isinstance(value, Path):
            return value.expanduser()
        return value

    @field_validator("strategy")
    @classmethod
    def _strategy_exists(cls, value: str, info: ValidationInfo) -> str:
        known = info.data.get("strategies")
        # When the strategies themselves are invalid, that error is the one to report.
        if known is not None and value not in known:
            raise ValueError(f"must be one of {', '.join(sorted(known))}")
        return value

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
