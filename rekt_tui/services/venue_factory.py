"""Choosing a venue adapter from the cluster profile: its program id names the venue.

Adapters are named here as "module:function" and imported only when a session opens:
loading a venue client (driftpy: most of a second) must never delay the first frame.
A second venue is one more line in `ADAPTERS`.
"""

import importlib
from typing import cast

from rekt_tui.config import Settings
from rekt_tui.config.models import DRIFT_PROGRAM_ID_V2
from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.services.venue import MarketData, MarketDataOpener, Venue, VenueOpener

ADAPTERS: dict[str, str] = {DRIFT_PROGRAM_ID_V2: "rekt_tui.drift.adapter:open_drift_venue"}
MARKET_DATA: dict[str, str] = {DRIFT_PROGRAM_ID_V2: "rekt_tui.drift.market_api:open_drift_market_data"}


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
    )


def opener_for(config: VenueConfig, adapters: dict[str, str] = ADAPTERS) -> VenueOpener:
    """The adapter for the profile's program; one sentence when no adapter speaks to it."""
    target = adapters.get(config.program_id)
    if target is None:
        known = ", ".join(sorted(adapters))
        raise UsageError(
            f"{config.cluster} is configured for program {config.program_id}, but this rekt-tui only speaks to "
            f"{known}; upgrade rekt-tui, or set program_id back for this cluster."
        )
    module, name = target.split(":")
    return cast(VenueOpener, getattr(importlib.import_module(module), name))


async def open_venue(settings: Settings, *, secret: bytes | None, authority: str) -> Venue:
    """A connected venue for the session wallet `authority` (signing when `secret` is given)."""
    config = venue_config(settings)
    return await opener_for(config)(config, secret=secret, authority=authority)


def open_market_data(settings: Settings) -> MarketData:
    """The profile's venue's public market data; needs no wallet and no session."""
    config = venue_config(settings)
    data_api_url = str(settings.profile.data_api_url or settings.profile.dlob_url)
    opener = cast(MarketDataOpener, opener_for(config, MARKET_DATA))
    return opener(config, data_api_url)
