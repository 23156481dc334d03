"""The program's error codes (6000 and up) as names and sentences."""

from __future__ import annotations

import re
from typing import Sequence

from rekt_tui.velocity.codec.idl import ErrorDef, Idl

_ANCHOR_LOG = re.compile(r"Error Number: (\d+)\.")
_CUSTOM = re.compile(r"custom program error: 0x([0-9a-fA-F]+)")


class ErrorTable:
    def __init__(self, idl: Idl) -> None:
        self._errors = idl.errors

    def get(self, code: int) -> ErrorDef | None:
        return self._errors.get(code)

    def sentence(self, code: int) -> str:
        """One sentence for a refusal; an unknown code is named as such, never guessed."""
        error = self._errors.get(code)
        if error is None:
            return f"The program refused with error {code}, which the interface it was built for does not list."
        message = error.msg.rstrip(".") or error.name
        return f"The program refused: {message} ({error.name}, {code})."

    @staticmethod
    def code_from_logs(logs: Sequence[str]) -> int | None:
        """The program error a failed transaction's logs report, if any (last one wins)."""
        code: int | None = None
        for line in logs:
            if (anchor := _ANCHOR_LOG.search(line)) is not None:
                code = int(anchor.group(1))
            elif (custom := _CUSTOM.search(line)) is not None:
                code = int(custom.group(1), 16)
        return code
