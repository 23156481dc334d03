"""Screens whose keys name the venue or its quote ("Initialize Velocity account", "Airdrop 1,000 USDT").

A binding's description is fixed on its class, so a screen declares its Drift wording and a
function that words the same keys for any venue; `venue_variant` gives the screen class whose
bindings say it (the screen itself on Drift, a subclass overriding just those keys elsewhere).
"""

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from textual.binding import Binding
from textual.screen import Screen

from rekt_tui.domain.venue_labels import DRIFT, VenueLabels

ScreenType = TypeVar("ScreenType", bound=Screen[Any])
VenueBindings = Callable[[VenueLabels], list[Binding]]


@cache
def venue_variant(screen: type[ScreenType], bindings: VenueBindings, labels: VenueLabels) -> type[ScreenType]:
    """`screen` whose keys from `bindings` are worded for `labels`; one class per venue."""
    if labels == DRIFT:
        return screen
    return type(screen.__name__, (screen,), {"BINDINGS": bindings(labels)})
