"""The cockpit's wording, checked without Textual."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.status import KeystoreStatus, ShellStatus
from rekt_tui.tui.activity import ACTIVITY_LIMIT, ActivityEntry, appended
from rekt_tui.tui.formatting import (
    LOADING,
    NO_SESSIONS_HINT,
    PLACEHOLDER,
    activity_line,
    cluster_line,
    hud_readings,
    keystore_line,
    leverage_label,
    orderbook_placeholder,
    positions_placeholder,
    read_only_notice,
    registry_line,
    session_rows,
    session_status_label,
    short_pubkey,
    status_summary,
)

PUBKEY = "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"
WHEN = datetime(2026, 4, 2, tzinfo=timezone.utc)
INSECURE = KeystoreStatus(backend="localnet test keys (not secure)", secure=False)


def session(label: str = "scalps", status: SessionStatus = SessionStatus.ACTIVE) -> SessionRecord:
    return SessionRecord(PUBKEY, "localnet", label, status, "localnet-file", WHEN, WHEN)


def shell(sessions: tuple[SessionRecord, ...] = (), read_only: str | None = None) -> ShellStatus:
    return ShellStatus("localnet", "http://127.0.0.1:8899", False, INSECURE, read_only, sessions)


def test_short_pubkey_keeps_four_characters_each_side():
    assert short_pubkey(PUBKEY) == "4zvw…tajS"
    assert short_pubkey("AbCdEfGhWxYz") == "AbCd…WxYz"


def test_short_pubkey_leaves_short_text_alone():
    assert short_pubkey("AbCdEWxYz") == "AbCdEWxYz"
    assert short_pubkey("") == ""


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (SessionStatus.KEY_PENDING, "key pending"),
        (SessionStatus.ACTIVE, "active"),
        (SessionStatus.ARCHIVED, "archived"),
        (SessionStatus.WITHDRAWN, "withdrawn"),
    ],
)
def test_every_session_status_has_a_label(status, label):
    assert session_status_label(status) == label


def test_leverage_shows_placeholders_and_plain_numbers():
    assert leverage_label(Decimal("5.00")) == "— / 5x"
    assert leverage_label(Decimal("2.5"), Decimal("1.20")) == "1.2x / 2.5x"
    assert leverage_label(Decimal("10")) == "— / 10x"
    assert leverage_label(None) == "— / —"


def test_hud_is_honest_before_any_account_data():
    readings = {reading.key: reading for reading in hud_readings("localnet", Decimal(3))}
    assert list(readings) == [
        "collateral", "equity", "upnl", "free_collateral", "margin_usage", "leverage",
        "health", "oracle", "cluster", "slot", "data_age",
    ]  # fmt: skip
    assert readings["cluster"].value == "localnet"
    assert readings["leverage"].value == "— / 3x"
    unknown = set(readings) - {"cluster", "leverage"}
    assert all(readings[key].value == PLACEHOLDER for key in unknown)
    assert all(len(reading.label) <= 12 for reading in readings.values())  # fits a cell at 80 columns


def test_hud_without_a_cluster_says_so():
    readings = {reading.key: reading.value for reading in hud_readings(None, None)}
    assert readings["cluster"] == PLACEHOLDER and readings["leverage"] == "— / —"


def test_cluster_line_names_the_rpc():
    assert cluster_line(shell()) == "localnet · http://127.0.0.1:8899"


def test_insecure_keystore_is_a_warning():
    assert keystore_line(INSECURE) == "⚠ localnet test keys (not secure)"
    assert keystore_line(KeystoreStatus("SecretService Keyring", True)) == "Keys: SecretService Keyring"


def test_registry_line_and_notice_give_the_reason():
    assert registry_line(None) == "Registry: writer"
    assert registry_line("another rekt-tui is running") == "Registry: read-only — another rekt-tui is running"
    assert read_only_notice("another rekt-tui is running") == "READ-ONLY — another rekt-tui is running"


def test_session_rows_shorten_and_label():
    rows = session_rows((session(), session(label="", status=SessionStatus.ARCHIVED)))
    assert rows == (("4zvw…tajS", "scalps", "active"), ("4zvw…tajS", PLACEHOLDER, "archived"))


def test_positions_placeholder_says_what_to_do_next():
    assert positions_placeholder(None) == LOADING
    assert positions_placeholder(shell()) == NO_SESSIONS_HINT
    assert "press w" in NO_SESSIONS_HINT  # the key that opens session setup
    assert positions_placeholder(shell((session(),))).startswith("Positions: not connected")


def test_orderbook_placeholder_is_not_connected():
    assert "not connected" in orderbook_placeholder()


def test_status_summary_counts_wallets_and_names_the_registry_role():
    assert status_summary(shell()) == "Ready on localnet: 0 session wallets, registry writer."
    summary = status_summary(shell((session(),), read_only="busy"))
    assert summary == "Ready on localnet: 1 session wallet, registry read-only."


def test_activity_line_starts_with_the_time():
    entry = ActivityEntry(datetime(2026, 4, 2, 9, 5, 7), "Ready.")
    assert activity_line(entry) == "09:05:07  Ready."


def test_activity_history_is_bounded_and_keeps_the_newest():
    entries: tuple[ActivityEntry, ...] = ()
    for index in range(ACTIVITY_LIMIT + 3):
        entries = appended(entries, ActivityEntry(WHEN, str(index)))
    assert len(entries) == ACTIVITY_LIMIT
    assert entries[0].text == "3" and entries[-1].text == str(ACTIVITY_LIMIT + 2)
