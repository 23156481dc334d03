"""Oracle prices replayed from a CSV file (`--oracle-replay FILE`).

The file has a header and three columns; blank lines and lines starting with `#` are
skipped:

    slot_offset,market,price          or          timestamp,market,price
    0,SOL-PERP,150.25                              1767225600,SOL,150.25
    25,SOL-PERP,150.90                             1767225610,SOL,150.90

`slot_offset` counts slots from the first slot the feed runs; `timestamp` is in unix
seconds (decimals allowed) and is turned into slot offsets from the first row's time
at the localnet's slot length. `market` is a market or asset name (SOL-PERP, SOL, BTC,
ETH-PERP, USDC...); `price` is a decimal in dollars with at most 6 decimals.

A replayed asset holds each price until its next row, and its last price after the end
of the file. Assets the file never names keep their random walk.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rekt_localnet.errors import LocalnetUsageError

OFFSET_COLUMNS = ("slot_offset", "timestamp")


class ReplayError(LocalnetUsageError):
    """The replay file cannot be used."""


@dataclass(frozen=True, slots=True)
class _Row:
    offset: int
    asset: str
    price: int


class Replay:
    """Replayed prices per asset, looked up by slot offset."""

    def __init__(self, rows: list[_Row]) -> None:
        self._rows: dict[str, list[_Row]] = {}
        for row in sorted(rows, key=lambda row: row.offset):
            self._rows.setdefault(row.asset, []).append(row)
        self._next = dict.fromkeys(self._rows, 0)
        self.assets = frozenset(self._rows)

    def prices_at(self, offset: int) -> dict[str, int]:
        """Prices that take effect at or before `offset` and were not returned yet."""
        due = {}
        for asset, rows in self._rows.items():
            position = self._next[asset]
            while position < len(rows) and rows[position].offset <= offset:
                due[asset] = rows[position].price
                position += 1
            self._next[asset] = position
        return due


def load_replay(path: Path, slot_ms: int) -> Replay:
    """Read a replay file; any problem is one `ReplayError` sentence naming file and line."""
    # Imported here: the feed module imports this one.
    from rekt_localnet.oracle_feed import OraclePriceError, asset_for, parse_price

    where = f"--oracle-replay {path}"
    try:
        with open(path, newline="") as handle:
            lines = [(number, line) for number, line in enumerate(handle, 1) if line.strip() and not line.startswith("#")]
    except OSError as error:
        raise ReplayError(f"{where}: cannot read it ({error.strerror}).") from None
    except UnicodeDecodeError:
        raise ReplayError(f"{where}: it is not a UTF-8 text file.") from None
    if not lines:
        raise ReplayError(f"{where}: the file has no header and no prices.")
    header = [cell.strip().lower() for cell in next(csv.reader([lines[0][1]]))]
    if len(header) != 3 or header[0] not in OFFSET_COLUMNS or header[1:] != ["market", "price"]:
        raise ReplayError(f"{where}: the header must be 'slot_offset,market,price' or 'timestamp,market,price'.")
    if len(lines) == 1:
        raise ReplayError(f"{where}: the file has a header but no prices.")
    parsed: list[tuple[Decimal, str, int]] = []
    for number, line in lines[1:]:
        cells = [cell.strip() for cell in next(csv.reader([line]))]
        if len(cells) != 3:
            raise ReplayError(f"{where}: line {number} has {len(cells)} columns instead of 3.")
        try:
            when = Decimal(cells[0])
            if not when.is_finite() or when < 0 or (header[0] == "slot_offset" and when != int(when)):
                raise InvalidOperation
        except InvalidOperation:
            raise ReplayError(f"{where}: line {number}: {header[0]} {cells[0]!r} is not a valid number.") from None
        try:
            parsed.append((when, asset_for(cells[1]), parse_price(cells[2])))
        except OraclePriceError as error:
            raise ReplayError(f"{where}: line {number}: {error}") from None
    if header[0] == "slot_offset":
        return Replay([_Row(int(when), asset, price) for when, asset, price in parsed])
    start = min(when for when, _, _ in parsed)
    return Replay([_Row(int((when - start) * 1000 // slot_ms), asset, price) for when, asset, price in parsed])
