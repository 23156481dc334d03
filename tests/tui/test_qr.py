"""The QR widget draws segno's modules faithfully, and a real decoder reads what it draws."""

import asyncio
import shutil
import struct
import zlib
from asyncio.subprocess import DEVNULL, PIPE

import pytest
import segno
from textual.app import App, ComposeResult
from textual.widget import Widget

from rekt_tui.tui.widgets.qr import QrCode

ADDRESSES = [
    "AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9",  # 44 characters
    "9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu",
    "11111111111111111111111111111111",  # the shortest address: the system program
]
# What each cell shows, read back as (top module dark, bottom module dark).
CELL_MODULES = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


class QrApp(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield QrCode(self.text)


def drawn_modules(widget: Widget) -> list[list[bool]]:
    """Read the lines the widget renders back into modules, checking every cell is black on white."""
    rows: list[list[bool]] = []
    for y in range(widget.size.height):
        cells = [(char, segment.style) for segment in widget.render_line(y) for char in segment.text]
        for char, style in cells:
            assert (style.color.triplet.hex, style.bgcolor.triplet.hex) == ("#000000", "#ffffff")
        modules = [CELL_MODULES[char] for char, _ in cells]
        rows += [[top for top, _ in modules], [bottom for _, bottom in modules]]
    return rows


def segno_modules(text: str) -> list[list[bool]]:
    """segno's matrix with the 4-module quiet zone the standard requires, built here independently."""
    qr = segno.make_qr(text)
    symbol = [[bool(module) for module in row] for row in qr.matrix]
    width = len(symbol[0]) + 8
    light = [[False] * width for _ in range(4)]
    return light + [[False] * 4 + row + [False] * 4 for row in symbol] + light


async def draw(text: str) -> list[list[bool]]:
    app = QrApp(text)
    async with app.run_test(size=(60, 30)):
        return drawn_modules(app.query_one(QrCode))


@pytest.mark.parametrize("address", ADDRESSES)
async def test_the_drawing_is_segnos_matrix_with_its_quiet_zone(address):
    drawn, expected = await draw(address), segno_modules(address)
    # Two modules per line: an odd number of rows ends on a padding row, light like the quiet zone.
    if len(expected) % 2:
        assert drawn[-1] == [False] * len(expected[0])
        drawn = drawn[:-1]
    assert drawn == expected


async def test_no_text_draws_nothing():
    app = QrApp("")
    async with app.run_test(size=(60, 30)):
        widget = app.query_one(QrCode)
        assert widget.cells == (0, 0)
        assert widget.size.height == 0


def png(modules: list[list[bool]], scale: int = 8) -> bytes:
    """An 8-bit greyscale PNG of the modules, `scale` pixels to a module."""
    lines = [
        b"\0" + bytes(0 if dark else 255 for dark in row for _ in range(scale)) for row in modules for _ in range(scale)
    ]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", len(modules[0]) * scale, len(modules) * scale, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(lines)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg is not installed (Debian package zbar-tools)")
@pytest.mark.parametrize("address", ADDRESSES)
async def test_a_decoder_reads_the_address_from_the_drawing(address, tmp_path):
    image = tmp_path / "qr.png"
    image.write_bytes(png(await draw(address)))
    zbarimg = await asyncio.create_subprocess_exec(
        "zbarimg", "--quiet", "--raw", str(image), stdout=PIPE, stderr=DEVNULL
    )
    decoded, _ = await asyncio.wait_for(zbarimg.communicate(), timeout=30)
    assert zbarimg.returncode == 0
    assert decoded.decode().strip() == address
