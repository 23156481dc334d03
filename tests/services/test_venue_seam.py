"""The venue seam carries only our own types, and the factory picks the adapter by the profile's venue."""

import inspect
import typing

import pytest

from rekt_tui.config import Settings
from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.services import venue as seam
from rekt_tui.services.venue_factory import ADAPTERS, opener_for, venue_config

VENUE_PACKAGES = ("driftpy", "solana", "solders", "anchorpy", "spl", "construct")
SEAM_PROTOCOLS = (seam.Venue, seam.BookFeed, seam.Stream, seam.VenueOpener)


def modules_of(annotation: object) -> set[str]:
    """The module of every class an annotation names, through unions, generics and callables."""
    found = set()
    origin = typing.get_origin(annotation)
    if origin is not None:
        found |= modules_of(origin)
    for argument in typing.get_args(annotation):
        if isinstance(argument, list):  # Callable's parameter list
            for item in argument:
                found |= modules_of(item)
        else:
            found |= modules_of(argument)
    if isinstance(annotation, type) or (origin is None and hasattr(annotation, "__module__")):
        found.add(getattr(annotation, "__module__", "") or "")
    return found


def seam_annotations(protocol: type) -> dict[str, object]:
    """Every annotation of every member of `protocol`: parameters, returns and properties."""
    hints: dict[str, object] = {}
    for name, member in vars(protocol).items():
        if name.startswith("__") and name not in ("__call__", "__anext__", "__aiter__"):
            continue
        function = member.fget if isinstance(member, property) else member
        if not callable(function):
            continue
        for hint_name, hint in typing.get_type_hints(function, vars(seam)).items():
            hints[f"{protocol.__name__}.{name}:{hint_name}"] = hint
    return hints


def test_the_seam_names_no_venue_type():
    annotations = {key: hint for protocol in SEAM_PROTOCOLS for key, hint in seam_annotations(protocol).items()}
    # Reads, streams and actions are all there (a Protocol emptied of members would pass vacuously).
    for member in ("snapshot", "holdings", "markets", "order_book", "snapshots", "place_order", "close_position"):
        assert any(key.startswith(f"Venue.{member}:") for key in annotations), member
    leaks = {
        key: module
        for key, hint in annotations.items()
        for module in modules_of(hint)
        if module.split(".")[0] in VENUE_PACKAGES
    }
    assert leaks == {}


def test_the_check_sees_a_venue_type_in_a_signature():
    from solders.pubkey import Pubkey

    def leaky(self, owner: Pubkey | None) -> list[dict[str, Pubkey]]: ...

    modules = {m for hint in typing.get_type_hints(leaky).values() for m in modules_of(hint)}
    assert "solders.pubkey" in modules or "solders" in {m.split(".")[0] for m in modules}


@pytest.mark.parametrize(
    ("module", "venue_class", "opener"),
    [("rekt_tui.drift.adapter", "DriftVenue", "open_drift_venue"),
     ("rekt_tui.velocity.adapter", "VelocityVenue", "open_velocity_venue")],
)
def test_each_adapter_has_every_member_of_the_seam(module, venue_class, opener):
    import importlib

    loaded = importlib.import_module(module)
    adapter = getattr(loaded, venue_class)
    wanted = {name for name in vars(seam.Venue) if not name.startswith("_")}
    assert wanted <= set(dir(adapter))
    for name in wanted:
        ours, theirs = getattr(seam.Venue, name), getattr(adapter, name)
        if callable(ours) and not isinstance(ours, property):
            # Same parameters, by name and kind, as the Protocol declares.
            expected = [(p.name, p.kind) for p in inspect.signature(ours).parameters.values()]
            assert [(p.name, p.kind) for p in inspect.signature(theirs).parameters.values()] == expected, name
    assert list(inspect.signature(getattr(loaded, opener)).parameters) == ["config", "secret", "authority"]


def test_the_profile_venue_chooses_the_adapter(tmp_path):
    settings = Settings(data_dir=tmp_path, cluster="localnet")
    config = venue_config(settings)
    assert opener_for(config).__module__ == "rekt_tui.drift.adapter"
    assert set(ADAPTERS) == {"drift", "velocity"} and config.venue == "drift"
    relaunch = VenueConfig(**{**config.__dict__, "venue": "velocity", "program_id": "vELoC1audYbSYVRXn1vPaV8Axoa9oU6BYmNGZZBDZ1P"})
    assert opener_for(relaunch).__module__ == "rekt_tui.velocity.adapter"
    unknown = VenueConfig(**{**config.__dict__, "venue": "elsewhere"})
    with pytest.raises(UsageError) as caught:
        opener_for(unknown)
    assert 'venue "elsewhere"' in caught.value.message and "not part of this version of rekt-tui yet" in caught.value.message
