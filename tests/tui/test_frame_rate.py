"""The cockpit raises Textual's frame rate cap before Textual loads, unless the user set one."""

import os
import subprocess
import sys

from rekt_tui.tui import FRAME_RATE_CAP
from tests.conftest import REPO

# As the launch does: the command line's module, then the cockpit's app, then Textual's cap.
PROBE = "import rekt_tui.cli, rekt_tui.tui.app, textual.constants as c; print(c.MAX_FPS)"


def max_fps(**env: str) -> int:
    clean = {name: value for name, value in os.environ.items() if name != "TEXTUAL_FPS"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=clean | env, capture_output=True, text=True,
                          check=True)  # fmt: skip
    return int(done.stdout)


def test_the_cockpit_loads_textual_with_its_frame_rate_cap():
    assert max_fps() == int(FRAME_RATE_CAP) > 60


def test_a_cap_the_user_set_wins():
    assert max_fps(TEXTUAL_FPS="90") == 90
