"""The activity log's account of what another process changed in the registry."""

from dataclasses import replace
from datetime import UTC, datetime

from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.status import KeystoreStatus, ShellStatus
from rekt_tui.tui.other_writers import changes_elsewhere

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def session(pubkey: str, status=SessionStatus.ACTIVE, label="scalp", started=None) -> SessionRecord:
    return SessionRecord(pubkey=pubkey, cluster="localnet", label=label, status=status, key_backend="localnet-file",
                         created_at=NOW, updated_at=NOW, trading_started_at=started)  # fmt: skip


def shell(*sessions: SessionRecord) -> ShellStatus:
    keystore = KeystoreStatus(backend="localnet test keys (not secure)", secure=False)
    return ShellStatus(cluster="localnet", rpc_url="http://127.0.0.1:8899", is_mainnet=False, keystore=keystore,
                       registry_read_only_reason=None, sessions=sessions)  # fmt: skip


A, B = "A" * 44, "B" * 44


def test_created_started_archived_and_gone_wallets_are_each_named():
    before = shell(session(A), session(B, label=""))
    after = shell(session(A, started=NOW), session("C" * 44))
    assert changes_elsewhere(before, after) == (
        "Trading started on session wallet AAAA…AAAA (scalp) from another process.",
        "Session wallet CCCC…CCCC (scalp) was created by another process.",
        "Session wallet BBBB…BBBB left the registry (another process).",
    )
    archived = shell(session(A, SessionStatus.ARCHIVED, started=NOW), session("C" * 44))
    assert changes_elsewhere(after, archived) == (
        "Session wallet AAAA…AAAA (scalp) is archived now (by another process).",
    )


def test_any_other_change_still_gets_a_line():
    before = shell(session(A))
    assert changes_elsewhere(before, shell(session(A, label="swing"))) == (
        "Session wallet AAAA…AAAA (swing) was updated by another process.",
    )
    assert changes_elsewhere(before, replace(before, cluster="devnet")) == (
        "Another process changed the registry; the status is read again.",
    )
