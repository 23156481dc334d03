"""Plain, scriptable output: aligned columns for people, JSON for scripts."""

import json
import sys
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from rekt_tui.domain.money import format_sol, format_usd
from rekt_tui.domain.session import SessionRecord
from rekt_tui.domain.text import printable

CONFIRM_WORDS = frozenset({"y", "yes"})


def ask(question: str) -> bool:
    """A yes/no question on stderr; anything but y or yes is no."""
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in CONFIRM_WORDS


def session_dict(session: SessionRecord, **extra: Any) -> dict[str, Any]:
    data = {
        "pubkey": session.pubkey,
        "cluster": session.cluster,
        "label": session.label,
        "status": session.status.value,
        "key_backend": session.key_backend,
        "drift_user": session.drift_user,
        "referrer": session.referrer,
        "referrer_verified_at": session.referrer_verified_at,
        "strategy": session.strategy,
        "last_sol_lamports": session.last_sol_lamports,
        "last_collateral_quote": session.last_collateral_quote,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
    }
    data.update(extra)
    return data


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot encode {type(value).__name__}")


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """Aligned columns; cells (labels come from users) are printed with control characters escaped."""
    rows = [[printable(str(cell)) for cell in row] for row in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    for line in [headers, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip())


def note(text: str) -> None:
    """Side remarks go to stderr so stdout stays parseable."""
    print(printable(text, keep_newlines=True), file=sys.stderr)


def last_sol(session: SessionRecord) -> str:
    return "—" if session.last_sol_lamports is None else format_sol(session.last_sol_lamports)


def last_collateral(session: SessionRecord) -> str:
    return "—" if session.last_collateral_quote is None else format_usd(session.last_collateral_quote)


def when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")
