"""Choosing a venue adapter from the cluster profile: its `venue` names the adapter.

Adapters are named here as "module:function" and imported only when a session opens:
loading a venue client (driftpy: most of a second) must never delay the first frame.
A second venue is one more line in each table. Each venue also names its compatibility
check, run once when a signing link opens (see `domain.compatibility`).
"""

import importlib
import logging
from typing import Protocol, cast

from rekt_tui.config import Settings
from rekt_tui.domain.compatibility import Compatibility
from rekt_tui.domain.errors import LightReadUnsupported, UsageError
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.services.venue import MarketData, MarketDataOpener, Venue, VenueOpener

log = logging.getLogger(__name__)

ADAPTERS: dict[str, str] = {
    "drift": "rekt_tui.drift.adapter:open_drift_venue",
    "velocity": "rekt_tui.velocity.adapter:open_velocity_venue",
}
MARKET_DATA: dict[str, str] = {
    "drift": "rekt_tui.drift.market_api:open_drift_market_data",
    "velocity": "rekt_tui.velocity.market_data:open_velocity_market_data",
}
COMPATIBILITY: dict[str, str] = {
    "drift": "rekt_tui.drift.compatibility:check_drift_program",
    "velocity": "rekt_tui.velocity.compatibility:check_velocity_program",
}
# Reads without the venue's client, for commands that only read (`status`); a venue without one uses its adapter.
LIGHT_READS: dict[str, str] = {"drift": "rekt_tui.drift.light_reads:open_light_venue"}


class CompatibilityCheck(Protocol):
    """Compares the profile's live program with what the venue's adapter was built for."""

    async def __call__(self, config: VenueConfig, authority: str) -> Compatibility: ...


def venue_config(settings: Settings) -> VenueConfig:
    profile = settings.profile
    return VenueConfig(
        cluster=settings.cluster,
        program_id=str(profile.program_id),
        rpc_url=str(profile.rpc_url),
        ws_url=str(profile.ws_url),
        dlob_url=str(profile.dlob_url),
        dlob_ws_url=str(profile.dlob_ws_url),
        lookup_tables=tuple(str(table) for table in profile.lookup_tables),
        stale_after_s=settings.ui.stale_after_s,
        venue=profile.venue,
        quote_mint=settings.quote_mint,
        idl_sha256=profile.idl_sha256,
    )


def _load(config: VenueConfig, table: dict[str, str]) -> object:
    """The venue's entry in `table`; one sentence when this rekt-tui has no adapter for it."""
    target = table.get(config.venue)
    if target is None:
        raise UsageError(
            f"{config.cluster} is configured for venue \"{config.venue}\" (program {config.program_id}), whose "
            "adapter is not part of this version of rekt-tui yet; set venue = \"drift\" for this cluster to reach "
            "the original Drift program (paused since 2026-04-01: read-only), or upgrade rekt-tui."
        )
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def opener_for(config: VenueConfig, adapters: dict[str, str] = ADAPTERS) -> VenueOpener:
    """The adapter for the profile's venue; one sentence when no adapter speaks to it."""
    return cast(VenueOpener, _load(config, adapters))


async def open_venue(settings: Settings, *, secret: bytes | None, authority: str) -> Venue:
    """A connected venue for the session wallet `authority` (signing when `secret` is given)."""
    config = venue_config(settings)
    return await opener_for(config)(config, secret=secret, authority=authority)


async def check_compatibility(settings: Settings, authority: str) -> Compatibility:
    """Whether the profile's live program is what its adapter was built for (read now)."""
    config = venue_config(settings)
    check = cast(CompatibilityCheck, _load(config, COMPATIBILITY))
    return await check(config, authority)


def open_market_data(settings: Settings) -> MarketData:
    """The profile's venue's public market data; needs no wallet and no session."""
    config = venue_config(settings)
    data_api_url = str(settings.profile.data_api_url or settings.profile.dlob_url)
    opener = cast(MarketDataOpener, _load(config, MARKET_DATA))
    return opener(config, data_api_url)


class LightVenueOpener(Protocol):
    """Reads a wallet's venue account once, without the venue's client; raises
    `LightReadUnsupported` for an account it does not cover."""

    async def __call__(self, config: VenueConfig, authority: str) -> object: ...


async def open_light_venue(settings: Settings, authority: str) -> object | None:
    """The venue's light read of `authority` (the reads of `Venue` a status makes), or None
    when the venue has none or the account holds what it does not cover."""
    config = venue_config(settings)
    if config.venue not in LIGHT_READS:
        return None
    opener = cast(LightVenueOpener, _load(config, LIGHT_READS))
    try:
        return await opener(config, authority)
    except LightReadUnsupported as error:
        log.info("light read not used for %s: %s", authority, error)
        return None
