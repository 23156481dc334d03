"""The session panel's last transactions: outcome mark, kind, Drift's error name, a short
signature linked to the cluster's explorer, and the time it was signed."""

from textual.style import Style

from rekt_tui.domain.records import TransactionStatus
from rekt_tui.tui.widgets.recent_transactions import NONE_YET, explorer_link, recent_transactions, transaction_line
from tests.tui.live_data import EXPLORER, transaction, transactions


def links(content) -> list[str]:
    return [span.style.link for span in content.spans if isinstance(span.style, Style) and span.style.link]


def test_each_line_names_the_outcome_the_kind_and_the_time():
    sent, failed, landed = (str(transaction_line(record, EXPLORER)) for record in transactions())
    assert sent == "… place order 5VERv8…JjBRnb 09:30:00"
    assert failed == "✗ place order InsufficientCollateral 3kQ6Lk…pHTnBd 09:30:00"
    assert landed == "✓ deposit 4nZtBj…yD9Uwa 09:30:00"


def test_the_signature_links_to_the_clusters_explorer_page():
    records = transactions()
    content = recent_transactions(records, EXPLORER)
    assert str(content).splitlines()[0] == "Last transactions"
    assert links(content) == [EXPLORER.replace("{signature}", record.signature) for record in records]


def test_a_cluster_without_an_explorer_gets_no_link():
    record = transaction("withdraw", TransactionStatus.EXPIRED, "2Bq5aQ4Uo1mJq3kC8gZr7R1uXp9dVtq6sW4eNyHfLc3K")
    assert explorer_link("", record.signature) is None
    assert links(transaction_line(record, "")) == []
    assert str(transaction_line(record, "")).startswith("⌛ withdraw ")


def test_none_yet():
    assert str(recent_transactions((), EXPLORER)) == NONE_YET
