"""The followed session's last transactions, each linked to the cluster's explorer.

A line is the outcome mark, what the transaction was for, its short signature (the link:
terminals that understand OSC 8 open it on click) and when it was signed. The full
signature is in the activity log and the registry; here it only needs to be recognisable.
"""

from datetime import UTC

from textual.content import Content
from textual.style import Style

from rekt_tui.domain.records import TransactionRecord, TransactionStatus
from rekt_tui.tui.formatting import short_pubkey

TITLE = "Last transactions"
NONE_YET = "Last transactions: none yet."
MARKS = {
    TransactionStatus.PENDING: ("…", "$text-muted"),
    TransactionStatus.SENT: ("…", "$text-warning"),
    TransactionStatus.CONFIRMED: ("✓", "$text-success"),
    TransactionStatus.FAILED: ("✗", "$text-error"),
    TransactionStatus.EXPIRED: ("⌛", "$text-muted"),
}


def explorer_link(template: str, signature: str) -> str | None:
    """The explorer page of `signature`, or None when the cluster names no explorer."""
    return template.replace("{signature}", signature) if template else None


def transaction_line(record: TransactionRecord, explorer_tx_url: str) -> Content:
    mark, colour = MARKS[record.status]
    signed = record.created_at.astimezone(UTC).strftime("%H:%M:%S")
    link = explorer_link(explorer_tx_url, record.signature)
    signature_style: str | Style = Style(link=link, underline=True) if link else "$text-muted"
    error = f" {record.error_name}" if record.error_name else ""
    return Content.assemble(
        (mark, colour),
        f" {record.kind.replace('_', ' ')}{error} ",
        (short_pubkey(record.signature, 6), signature_style),
        (f" {signed}", "$text-muted"),
    )


def recent_transactions(records: tuple[TransactionRecord, ...], explorer_tx_url: str) -> Content:
    if not records:
        return Content(NONE_YET)
    lines = [transaction_line(record, explorer_tx_url) for record in records]
    return Content("\n").join([Content.styled(TITLE, "bold"), *lines])
