"""The CLI's last-resort handler: turn any failure into a true sentence and an exit status.

A refusal keeps its own sentence and status when the registry proves the command signed
nothing. Once it signed something, whatever went wrong afterwards (a read error, a full
disk, Ctrl-C, a broken pipe, a bug) is reported as `AfterSigning` (exit 4): each
signature, its known outcome and `rekt-tui recover`. With `--json` the same error is also
a JSON object on stdout.
"""

import asyncio
import json
import logging
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rekt_tui.config import Settings
from rekt_tui.domain.errors import AfterSigning, RektError
from rekt_tui.domain.text import printable

if TYPE_CHECKING:
    from rekt_tui.cli.outcome import Signed

log = logging.getLogger("rekt_tui.cli")

EXIT_BUG = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # what a shell shows for a process ended by SIGPIPE
_NO_EFFECT_CLAIM = re.compile(r"[;,]?\s*nothing (?:was|is) (?:signed|changed|written)\.?\s*$", re.IGNORECASE)


@dataclass
class Run:
    """What the last-resort handler needs to know about the command that failed."""

    started: datetime
    json: bool = False
    settings: Settings | None = None
    sessions: list[str] | None = None  # the sessions the command acts on; None: any of the cluster
    may_sign: bool = False  # set once the registry is open: before that nothing can be signed


def report(run: Run, error: BaseException) -> int:
    """Print what went wrong and what it left behind; return the exit status."""
    from rekt_tui.cli import outcome  # the registry is loaded only once something failed

    if isinstance(error, BrokenPipeError):
        _silence_stdout()
    cause, code = _cause(run, error)
    signed = _signed(run, error)
    # A transaction that landed with an error raises a sentence naming it: nothing changed, so it stands.
    names_its_failure = isinstance(error, RektError) and not isinstance(error, AfterSigning)
    if signed is None:
        message = f"{cause.rstrip('.')}; the registry could not be read to tell whether anything was signed, " \
                  "so run `rekt-tui recover` before trading again."  # fmt: skip
    elif signed and not (names_its_failure and outcome.only_failures(signed)):
        failure = outcome.after_signing(_NO_EFFECT_CLAIM.sub("", cause) or cause, signed)
        return _emit(run, failure.message, failure.exit_code, signed)
    elif isinstance(error, BrokenPipeError):
        return EXIT_BROKEN_PIPE  # the reader went away: nothing to say, and nowhere to say it
    elif isinstance(error, RektError):
        message = cause
    else:
        message = f"{cause.rstrip('.')}; nothing was signed."
    return _emit(run, message, code, [])


def _cause(run: Run, error: BaseException) -> tuple[str, int]:
    if isinstance(error, RektError):
        return error.message, error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    if isinstance(error, BrokenPipeError):
        return "the output pipe closed", EXIT_BROKEN_PIPE
    log.exception("unexpected error", exc_info=error)
    where = f" (details in {run.settings.log_file})" if run.settings else ""
    return f"unexpected internal error{where}", EXIT_BUG


def _signed(run: Run, error: BaseException) -> "list[Signed] | None":
    from rekt_tui.cli.outcome import signed_since

    named = error.signatures if isinstance(error, AfterSigning) else ()
    if run.settings is None or not (run.may_sign or named):
        return []  # the command never reached the registry, so it signed nothing
    check = signed_since(run.settings.data_dir, run.settings.cluster, run.started, run.sessions, named)
    try:
        return asyncio.run(check)
    except BaseException:  # noqa: BLE001 - a second Ctrl-C must not lose the first failure's report
        log.exception("could not check what was signed")
        return None


def _emit(run: Run, message: str, code: int, signed: "list[Signed]") -> int:
    message = printable(message, keep_newlines=True)
    print(f"rekt-tui: {message}", file=sys.stderr)
    if run.json:
        body: dict[str, Any] = {"error": message, "exit_code": code}
        if signed:
            body["signed"] = [entry.as_dict() for entry in signed]
        try:
            print(json.dumps(body, indent=2), flush=True)
        except BrokenPipeError:
            _silence_stdout()
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def wants_json(argv: list[str]) -> bool:
    """Whether the command line asked for JSON, even when it does not parse."""
    return "--json" in argv

