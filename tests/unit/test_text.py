from hypothesis import given
from hypothesis import strategies as st

from rekt_tui.domain.text import control_characters, printable


def test_escape_sequences_are_shown_not_obeyed():
    label = "\x1b[2J\x1b[Hfake row\r\n\u202eevil"
    assert control_characters(label) == ["\x1b", "\x1b", "\r", "\n", "\u202e"]
    assert printable(label) == "\\x1b[2J\\x1b[Hfake row\\x0d\\x0a\\u202eevil"
    assert printable("two\nlines\x07", keep_newlines=True) == "two\nlines\\x07"


def test_plain_text_is_untouched():
    assert printable("scalps — SOL ✓") == "scalps — SOL ✓"


@given(st.text())
def test_nothing_printable_keeps_a_control_character(text):
    assert control_characters(printable(text)) == []
