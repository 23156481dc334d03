"""Keyed rows drawn as lines of text under a fixed header, with a row cursor: the positions
and open-orders tables.

Not a DataTable: any `update_cell` makes one re-render every cell and keep each rendering in
its caches (2.8 ms a frame for the positions in the feed benchmark, 0.23 ms as lines). Here
a new set of rows repaints only the lines whose text changed; the cursor stays on its row's key
as rows come, go or reorder, so a key pressed acts on the row that was chosen. It looks
as the row-cursor DataTable it replaces did: a bold header band, zebra rows, the cursor
row's band across the width, columns that only widen until the set of columns changes.
"""

from collections.abc import Mapping

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from rekt_tui.tui.tables import WIDE_GAP, cell_pieces, table_layout
from rekt_tui.tui.widgets.panel import Panel

Rows = Mapping[str, tuple[str, ...]]


class RowLines(ScrollView, can_focus=True):
    """A table of keyed rows, one line each; `show` brings it in line with new rows."""

    COMPONENT_CLASSES = {"row-lines--header", "row-lines--cursor", "row-lines--even-row", "row-lines--odd-row"}
    # DataTable's look for a row cursor, which these tables had before they were text.
    DEFAULT_CSS = """
    RowLines {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .row-lines--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .row-lines--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .row-lines--even-row {
            background: $surface-darken-1 40%;
        }
        & > .row-lines--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .row-lines--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .row-lines--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .row-lines--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Cursor up", show=False),
        Binding("down", "cursor(1)", "Cursor down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First row", show=False),
        Binding("end,ctrl+end", "last", "Last row", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
    ]

    class Highlighted(Message):
        """The row under the cursor is another one: the cursor moved, or rows changed under it."""

        def __init__(self, lines: "RowLines", key: str | None) -> None:
            super().__init__()
            self.lines = lines
            self.key = key

        @property
        def control(self) -> "RowLines":
            return self.lines

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.columns: tuple[str, ...] = ()
        self.gap = WIDE_GAP  # spaces between columns
        self.widths: tuple[int, ...] = ()
        self._keys: tuple[str, ...] = ()
        self._cells: tuple[tuple[str, ...], ...] = ()
        self._header: tuple[str, ...] = ()
        self._texts: tuple[tuple[str, ...], ...] = ()  # each row's line, a piece per cell
        self._cursor = 0
        self._highlighted: str | None = None
        self._styles: tuple[RichStyle, ...] = ()  # taken afresh at each repaint

    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        return len(self._keys)

    @property
    def selected(self) -> str | None:
        """The key of the row under the cursor; the first row's until the cursor moves."""
        return self._keys[self._cursor] if self._keys else None

    @property
    def row_keys(self) -> tuple[str, ...]:
        """The rows' keys, top to bottom."""
        return self._keys

    def get_row_at(self, index: int) -> tuple[str, ...]:
        """The cells shown on row `index` (0 is the first under the header)."""
        return self._cells[index]

    def get_cell(self, key: str, column: str) -> str:
        """The cell shown in row `key`, column `column`."""
        return self._cells[self._keys.index(key)][self.columns.index(column)]

    def show(self, columns: tuple[str, ...], rows: Rows, gap: int) -> None:
        """Show `rows` (key -> cells in `columns`' order) in their order, `gap` spaces between columns."""
        if (columns, gap) != (self.columns, self.gap):  # other columns: widths start again from theirs
            self.columns, self.gap, self.widths = columns, gap, tuple(cell_len(c) for c in columns)
        widths = self.widths
        for cells in rows.values():  # a column only widens: a figure's length never shifts the others
            widths = tuple(max(width, cell_len(cell)) for width, cell in zip(widths, cells, strict=True))
        self.widths, header = widths, cell_pieces(columns, widths, gap)
        header_changed, self._header = header != self._header, header
        old_texts, old_cursor, chosen = self._texts, self._cursor, self.selected
        self._keys, self._cells = tuple(rows), tuple(rows.values())
        self._texts = tuple(cell_pieces(cells, widths, gap) for cells in self._cells)
        if chosen in rows:
            self._cursor = self._keys.index(chosen)
        else:  # its row is gone: the one now in its place
            self._cursor = max(0, min(old_cursor, len(self._keys) - 1))
        self._repaint(old_texts, old_cursor, header_changed)
        self._scroll_to_cursor()
        self._tell_highlighted()

    def _repaint(self, old_texts: tuple[tuple[str, ...], ...], old_cursor: int, header_changed: bool) -> None:
        """Only the lines whose text or cursor band changed; every line when the columns did."""
        width = max(sum(map(cell_len, self._header)), 1)
        self.virtual_size = Size(width, 1 + len(self._texts))  # relayouts only when it changed
        if header_changed:
            self.refresh()
            return
        for row in range(max(len(old_texts), len(self._texts))):
            old = old_texts[row] if row < len(old_texts) else None
            new = self._texts[row] if row < len(self._texts) else None
            moved = old_cursor != self._cursor and row in (old_cursor, self._cursor)
            if old != new or moved:
                self.refresh_line(row + 1)

    def _scroll_to_cursor(self) -> None:
        """Keep the cursor's row in view below the fixed header."""
        shown = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + shown:
            self.scroll_to(y=self._cursor - shown + 1, animate=False, immediate=True)

    def _tell_highlighted(self) -> None:
        if self.selected != self._highlighted:
            self._highlighted = self.selected
            self.post_message(self.Highlighted(self, self.selected))

    def move_cursor(self, row: int) -> None:
        """Put the cursor on row `row` (clamped to the rows there are)."""
        if not self._keys:
            return
        old, self._cursor = self._cursor, max(0, min(row, len(self._keys) - 1))
        if old != self._cursor:
            self.refresh_line(old + 1)
            self.refresh_line(self._cursor + 1)
            self._scroll_to_cursor()
            self._tell_highlighted()

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self._cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self._cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._keys) - 1)

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= 1:
            self.move_cursor(offset.y - 1 + self.scroll_offset.y)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Once per repaint: each walks the widget's ancestors' styles.
        component = self.get_component_styles
        self._styles = (
            self.rich_style,
            component("row-lines--header").rich_style,
            component("row-lines--even-row").rich_style,
            component("row-lines--odd-row").rich_style,
            self.get_component_rich_style("row-lines--cursor"),
        )
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base, header, even, odd, cursor = self._styles
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            row, pieces, style = -1, self._header, header
        elif 0 <= (row := y + scroll_y - 1) < len(self._texts):
            pieces, style = self._texts[row], even if row % 2 == 0 else odd
            if row == self._cursor:
                style += cursor
        else:
            return Strip.blank(self.size.width, base)
        # A segment per cell marked with its place, and the band to the edge, as a DataTable draws a row.
        width = self.size.width
        place = RichStyle.from_meta
        line = [Segment(piece, style + place({"row": row, "column": i})) for i, piece in enumerate(pieces)]
        rest = max(0, width - sum(segment.cell_length for segment in line))
        line.append(Segment(" " * rest, style + place({"row": row, "column": 0, "out_of_bounds": True})))
        strip = Strip(line)
        if scroll_x or strip.cell_length > width:
            strip = strip.crop(scroll_x, scroll_x + width)
        return strip.adjust_cell_length(width, style)


def show_table(
    lines: RowLines, note: Static, columns: tuple[str, ...], drop_order: tuple[str, ...],
    rows: Rows | None, empty: str, width: int,
) -> None:  # fmt: skip
    """`lines` showing `rows` (key -> a cell for each of `columns`) in the columns `width` cells
    can show whole (`table_layout`: columns are given up, never characters), or `note` saying
    `empty`. Any change to display or to the note's text relayouts the screen, so each is made
    only when it differs."""
    has_rows = bool(rows)
    if lines.display != has_rows:
        lines.display = has_rows
    if note.display == has_rows:
        note.display = not has_rows
    if not has_rows and note.content != empty:
        note.update(empty)
    if rows is None:
        return
    shown, gap = table_layout(columns, list(rows.values()), width, drop_order)
    picked = [columns.index(column) for column in shown]
    lines.show(shown, {key: tuple(cells[i] for i in picked) for key, cells in rows.items()}, gap)


class TablePanel(Panel):
    """A panel whose rows are a `RowLines`: the cursor keys steer its rows while the panel
    itself has focus (the number keys and a click focus the panel), not only once Tab
    reached the rows inside."""

    BINDINGS = [
        Binding("up", "rows_cursor(-1)", "Cursor up", id="rows.up", show=False),
        Binding("down", "rows_cursor(1)", "Cursor down", id="rows.down", show=False),
        Binding("pageup", "rows_page(-1)", "Page up", id="rows.page_up", show=False),
        Binding("pagedown", "rows_page(1)", "Page down", id="rows.page_down", show=False),
        Binding("home", "rows_first", "First row", id="rows.first", show=False),
        Binding("end", "rows_last", "Last row", id="rows.last", show=False),
    ]

    def action_rows_cursor(self, step: int) -> None:
        self.query_one(RowLines).action_cursor(step)

    def action_rows_page(self, direction: int) -> None:
        self.query_one(RowLines).action_page(direction)

    def action_rows_first(self) -> None:
        self.query_one(RowLines).action_first()

    def action_rows_last(self) -> None:
        self.query_one(RowLines).action_last()
