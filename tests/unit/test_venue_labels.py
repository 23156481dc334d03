"""The venue's words reach the text formed from them: every checklist line, in every state, names
the Velocity account and USDT on the relaunch, and Drift's lines stay word for word."""

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rekt_tui.config.models import DEFAULT_PROFILES, ClusterProfile, Settings
from rekt_tui.domain.checklist import build_checklist, start_trading_summary
from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.strategy import DEFAULT_PRESETS
from rekt_tui.domain.venue_labels import DRIFT, VELOCITY
from rekt_tui.services.session import parse_asset
from tests.unit.test_checklist import NEW, OURS, READY, RULES, THEIRS

FACTS = st.builds(
    replace, st.sampled_from([NEW, READY]),
    wallet_lamports=st.sampled_from([0, 50_000_000]), drift_account_exists=st.booleans(),
    recorded_referrer=st.sampled_from([None, OURS, THEIRS]), collateral_quote=st.sampled_from([0, 5_000_000, 25_000_000]),
    strategy=st.sampled_from([None, DEFAULT_PRESETS["balanced"]]), confirmed=st.booleans(),
)  # fmt: skip


def text_of(facts, rules) -> str:
    return "\n".join(f"{i.label}: {i.detail}" for i in build_checklist(facts, rules).items)


@given(FACTS)
def test_every_velocity_line_names_velocity_and_usdt_never_drift_or_usdc(facts):
    drift, velocity = text_of(facts, RULES), text_of(facts, replace(RULES, labels=VELOCITY))
    assert "Drift" not in velocity and "USDC" not in velocity, velocity
    # The same sentences, with only the venue's words swapped: Drift's text is unchanged.
    assert velocity == drift.replace("Drift", "Velocity").replace("USDC", "USDT")


def test_the_lines_that_name_the_venue_say_velocity():
    text = text_of(replace(NEW, wallet_lamports=50_000_000), replace(RULES, labels=VELOCITY))
    assert "Velocity account initialized: No Velocity account yet" in text
    funded = text_of(replace(READY, collateral_quote=5_000_000), replace(RULES, labels=VELOCITY))
    assert "Velocity holds $5.00; deposit SOL or USDT worth at least $5.00 more" in funded
    summary = start_trading_summary(DEFAULT_PRESETS["balanced"], 25_000_000, VELOCITY)
    assert summary.startswith("Start trading on Velocity with the balanced strategy")


def test_assets_are_sol_and_the_venues_quote():
    assert (parse_asset(" usdt ", VELOCITY), parse_asset("usdc", DRIFT), parse_asset("sol", VELOCITY)) == (
        "USDT", "USDC", "SOL",
    )
    with pytest.raises(UsageError, match=r"^Unknown asset 'USDC'; use SOL or USDT\.$"):
        parse_asset("USDC", VELOCITY)
    with pytest.raises(UsageError, match=r"^Unknown asset 'USDT'; use SOL or USDC\.$"):
        parse_asset("USDT", DRIFT)


@pytest.mark.parametrize(("venue", "labels"), [("drift", DRIFT), ("velocity", VELOCITY)])
def test_the_profiles_venue_chooses_the_labels(venue, labels, tmp_path: Path):
    profile = ClusterProfile(**{**DEFAULT_PROFILES["localnet"], "venue": venue})
    settings = Settings(data_dir=tmp_path, clusters={"localnet": profile})
    assert settings.labels == labels and settings.labels.account == f"{labels.name} account"
