"""Cluster profiles name their venue: the program id and the quote mint follow it unless set,
the Drift profiles keep the original program, and a bad venue is one config sentence."""

from pathlib import Path

import pytest

from rekt_tui.config import ConfigError, load_settings
from rekt_tui.config.models import DRIFT_PROGRAM_ID_V2, VELOCITY_PROGRAM_ID
from rekt_tui.services.venue_factory import venue_config

USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
USDT = "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"


def load(tmp_path: Path, toml: str = "", **flags):
    path = tmp_path / "config.toml"
    path.write_text(toml)
    return load_settings(config_path=path, environ={}, flags={"data_dir": tmp_path, **flags})


def test_every_default_profile_trades_drift_with_the_original_program_and_usdc(tmp_path):
    for cluster in ("localnet", "devnet", "mainnet"):
        settings = load(tmp_path, cluster=cluster, allow_mainnet=True)
        assert (settings.profile.venue, settings.profile.program_id) == ("drift", DRIFT_PROGRAM_ID_V2)
    assert load(tmp_path, cluster="mainnet", allow_mainnet=True).quote_mint == USDC
    assert load(tmp_path).quote_mint == "3Tai8cWE8RYRTHmVWoST1hJDvSQ4eaQERcucLBUWJZ79"  # the localnet genesis's USDC


def test_choosing_the_relaunch_brings_its_program_and_quote(tmp_path):
    settings = load(tmp_path, '[clusters.mainnet]\nvenue = "velocity"\n', cluster="mainnet", allow_mainnet=True)
    assert (settings.profile.program_id, settings.quote_mint) == (VELOCITY_PROGRAM_ID, USDT)
    config = venue_config(settings)
    assert (config.venue, config.program_id, config.quote_mint) == ("velocity", VELOCITY_PROGRAM_ID, USDT)
    # The other profiles stay on Drift.
    assert settings.clusters["devnet"].program_id == DRIFT_PROGRAM_ID_V2


def test_an_explicit_program_quote_and_idl_pin_win(tmp_path):
    pin = "AB" * 32
    toml = f'[clusters.devnet]\nprogram_id = "{VELOCITY_PROGRAM_ID}"\nquote_mint = "{USDT}"\nidl_sha256 = "{pin}"\n'
    settings = load(tmp_path, toml, cluster="devnet")
    assert (settings.profile.venue, settings.profile.program_id, settings.quote_mint) == ("drift", VELOCITY_PROGRAM_ID, USDT)
    assert settings.profile.idl_sha256 == pin.lower()


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[clusters.mainnet]\nvenue = "hyperliquid"\n', "`clusters.mainnet.venue` input should be 'drift' or 'velocity'"),
        ('[clusters.devnet]\nquote_mint = "usdc"\n', "`clusters.devnet.quote_mint` must be a base58 Solana public key"),
        ('[clusters.devnet]\nidl_sha256 = "abc"\n', "`clusters.devnet.idl_sha256` must be a sha256 digest"),
    ],
)
def test_a_bad_profile_key_is_one_sentence(tmp_path, toml, expected):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, toml)
    assert expected in caught.value.message and "\n" not in caught.value.message
    assert str(tmp_path / "config.toml") in caught.value.message


def test_the_venue_flag_switches_the_chosen_clusters_profile(tmp_path, monkeypatch):
    """`rekt-tui --venue velocity` (before the command) trades the relaunch on the cluster in use,
    with the localnet genesis's quote; the other profiles and `localnet --venue` are untouched."""
    from rekt_tui.cli.parser import build_parser, settings_flags

    args = build_parser().parse_args(["--venue", "velocity", "--cluster", "localnet", "status"])
    first = load(tmp_path, **settings_flags(args))
    assert first.profile.venue == "drift"  # the cluster is known only once resolved
    settings = load(tmp_path, **settings_flags(args, first.cluster))
    assert (settings.profile.venue, settings.profile.program_id) == ("velocity", VELOCITY_PROGRAM_ID)
    assert settings.quote_mint == "2i9HW6vJhaj6Wia7ZhyW3jbQVfF1JcujsXACU2sfNXXm"
    assert settings.clusters["devnet"].venue == "drift"
    localnet = build_parser().parse_args(["localnet", "--venue", "velocity"])
    assert localnet.profile_venue is None and localnet.venue == "velocity"
