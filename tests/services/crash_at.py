"""Run the real `rekt-tui` CLI and SIGKILL it the moment a given function is entered or returns.

Usage: crash_at.py QUALNAME call|return -- ARGS...
Only synchronous functions make exact crash points: a coroutine "returns" at every await.
"""

import os
import signal
import sys
import threading


def main() -> None:
    qualname, event, separator, *args = sys.argv[1:]
    assert separator == "--" and event in ("call", "return")

    def hook(frame, what, _arg):
        if what == event and frame.f_code.co_qualname == qualname:
            os.kill(os.getpid(), signal.SIGKILL)

    sys.setprofile(hook)
    threading.setprofile(hook)
    from rekt_tui.cli import main as rekt_main

    sys.exit(rekt_main(args))


if __name__ == "__main__":
    main()
