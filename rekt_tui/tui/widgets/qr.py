"""A QR code drawn in the terminal with Unicode half blocks.

segno does the encoding; this module only draws segno's module matrix. A terminal cell is
about twice as tall as it is wide, so each cell shows two modules stacked (▀ ▄ █ or a space)
and the modules come out square. The colours are explicit black on white rather than the
theme's: scanners look for dark modules on a light ground with a light quiet zone around
the symbol, and a dark theme would otherwise draw the code inverted, which many phones
cannot read.
"""

from functools import lru_cache

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

QUIET_ZONE = 4
"""Light modules around the symbol: the width the QR standard requires."""

STYLE = "#000000 on #ffffff"

# (top module dark, bottom module dark) -> the cell that draws them, dark on light.
HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def module_matrix(text: str) -> list[list[bool]]:
    """segno's modules for `text`, quiet zone included; True is a dark module."""
    import segno  # only once a code is drawn: not part of the first frame's imports

    qr = segno.make_qr(text)
    return [[module == 0x1 for module in row] for row in qr.matrix_iter(border=QUIET_ZONE)]


def half_block_lines(matrix: list[list[bool]]) -> list[str]:
    """Two rows of modules per line; an odd last row is paired with a light one."""
    rows = matrix + [[False] * len(matrix[0])] if len(matrix) % 2 else matrix
    return [
        "".join(HALF_BLOCKS[top, bottom] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]


@lru_cache(maxsize=8)
def qr_lines(text: str) -> tuple[str, ...]:
    """The lines that draw the QR code of `text`; none for no text."""
    return tuple(half_block_lines(module_matrix(text))) if text else ()


class QrCode(Widget):
    """The QR code of `text`, drawn at one module per column and two per line."""

    DEFAULT_CSS = "QrCode { width: auto; height: auto; }"

    text: reactive[str] = reactive("", layout=True)

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(QrCode.text, text)

    @property
    def cells(self) -> tuple[int, int]:
        """Columns and lines the code takes."""
        lines = qr_lines(self.text)
        return (len(lines[0]) if lines else 0), len(lines)

    def render(self) -> Content:
        return Content.styled("\n".join(qr_lines(self.text)), STYLE)
