"""Text from users or the chain shown in a terminal: control characters never reach it raw.

A label such as `$'\\e[2J'` would clear the screen or forge table rows; input refuses
control characters, and output escapes any that got in some other way (an older registry,
an imported file) as visible `\\x..` codes.
"""

import unicodedata

_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})  # controls, format (bidi overrides), separators


def is_control(ch: str) -> bool:
    return unicodedata.category(ch) in _CONTROL_CATEGORIES


def control_characters(text: str) -> list[str]:
    """The control and format characters in `text` (escape, newline, bidi overrides…)."""
    return [ch for ch in text if is_control(ch)]


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character escaped (newlines kept when asked)."""
    return "".join(_escape(ch) if is_control(ch) and not (keep_newlines and ch == "\n") else ch for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
