"""Keyed rows of a DataTable brought in line with new data by touching only what changed.

A feed delivers whole states many times a second; clearing and refilling a table for each
costs a full layout and repaint (Textualize/textual#6457). Rows are keyed by what they show
(a market, an order id), so a tick updates a few cells and adds or removes
rows only when the set itself changes.
"""

from collections.abc import Mapping

from textual.widgets import DataTable, Static

from rekt_tui.tui.tables import fitting_columns


def add_columns(table: DataTable, labels: tuple[str, ...]) -> None:
    """Columns keyed by their label, so cells can be addressed by name."""
    for label in labels:
        table.add_column(label, key=label)


def show_columns(table: DataTable, labels: tuple[str, ...]) -> None:
    """Make `table` show exactly these columns; a rebuild drops its rows, so rows are synced after.
    Nothing happens when it already shows them, which is every tick but a resize's."""
    if tuple(column.key.value for column in table.ordered_columns) == labels:
        return
    table.clear(columns=True)
    add_columns(table, labels)


def sync_rows(table: DataTable, rows: Mapping[str, tuple[str, ...]]) -> None:
    """Make `table` show `rows` (key -> cells in column order), in `rows`' order.

    A tick changes cells in place; rows are added or removed only when the set of keys
    changes. A new key that belongs before rows already shown (a market with a lower index,
    an order joining its market's group) reorders the table once, the cursor kept on its row."""
    for key in [row.key.value for row in table.ordered_rows if row.key.value not in rows]:
        table.remove_row(key)
    kept = [row.key.value for row in table.ordered_rows]
    if kept + [key for key in rows if key not in table.rows] != list(rows):
        _rebuild(table, rows)
        return
    columns = [column.key for column in table.ordered_columns]
    for key, cells in rows.items():
        if key not in table.rows:
            table.add_row(*cells, key=key)
            continue
        current = table.get_row(key)
        for column, old, new in zip(columns, current, cells, strict=True):
            if old != new:
                table.update_cell(key, column, new, update_width=True)  # a longer figure widens its column


def _rebuild(table: DataTable, rows: Mapping[str, tuple[str, ...]]) -> None:
    """Refill `table` in `rows`' order, the cursor back on the row it was on."""
    selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
    table.clear()
    for key, cells in rows.items():
        table.add_row(*cells, key=key)
    if selected in rows:
        table.move_cursor(row=table.get_row_index(selected), animate=False)


def show_rows(table: DataTable, note: Static, rows: Mapping[str, tuple[str, ...]] | None, empty: str) -> None:
    """The table when there are rows, else `note` saying `empty`; any change to display or
    to the note's text relayouts the screen, so each is made only when it differs."""
    has_rows = bool(rows)
    if table.display != has_rows:
        table.display = has_rows
    if note.display == has_rows:
        note.display = not has_rows
    if not has_rows and note.content != empty:
        note.update(empty)
    if rows is not None:
        sync_rows(table, rows)


def show_fitting_rows(
    table: DataTable,
    note: Static,
    columns: tuple[str, ...],
    drop_order: tuple[str, ...],
    rows: Mapping[str, tuple[str, ...]] | None,
    empty: str,
    width: int,
) -> None:
    """`show_rows` with only the columns `width` cells can show whole (`fitting_columns`):
    rows hold every column's cell, and a narrow table gives up columns, never characters."""
    shown = fitting_columns(columns, () if rows is None else rows.values(), width, drop_order)
    picked = [columns.index(column) for column in shown]
    show_columns(table, shown)  # a rebuild empties the table; `show_rows` fills it again
    kept = None if rows is None else {key: tuple(cells[i] for i in picked) for key, cells in rows.items()}
    show_rows(table, note, kept, empty)
