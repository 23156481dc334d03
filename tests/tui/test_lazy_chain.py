"""The cockpit draws its first frame before driftpy is imported (docs/PERFORMANCE.md: cold start),
and before aiohttp, which only the feeds need (the order book's loads after the first frame)."""

import subprocess
import sys

from tests.conftest import REPO

# Heavy packages the first frame does without: the chain client, the feeds' HTTP stack, and the
# libraries of screens opened later (the history's chart, the setup's QR code).
CHAIN_PACKAGES = {"driftpy", "anchorpy", "solana", "aiohttp", "plotext", "textual_plotext", "segno"}
# Our own screens the first frame does without: built on first use, not at the app's start.
LATER_SCREENS = {
    "rekt_tui.tui.screens.command_line",
    "rekt_tui.tui.screens.help",
    "rekt_tui.tui.screens.modify_order",
}

PROBE = f"""
import sys
import rekt_tui.cli
import rekt_tui.tui.app
print(sorted({{name.split('.')[0] for name in sys.modules}} & set({sorted(CHAIN_PACKAGES)!r})))
"""

# A fresh interpreter runs the real app headless and notes, in order, the first frame it
# writes and the moment the chain services' module starts importing (an import hook only
# watches; it changes nothing).
ORDER_PROBE = f"""
LATER_SCREENS = {sorted(LATER_SCREENS)!r}
""" + """
import asyncio, importlib.abc, sys, tempfile
from pathlib import Path

events = []

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "rekt_tui.tui.chain_calls" and "import" not in events:
            events.append("import")
        return None

sys.meta_path.insert(0, Watch())

from rekt_tui.services.container import Services
from rekt_tui.tui.app import RektApp
from tests.tui.conftest import make_settings

class Watched(RektApp):
    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if renderable is not None and "frame" not in events:
            events.append("frame")
            print(sorted(set(LATER_SCREENS) & set(sys.modules)))

async def main():
    with tempfile.TemporaryDirectory() as tmp:
        services = await Services.open(make_settings(Path(tmp)))
        try:
            app = Watched(services=services, reconcile_at_launch=False)
            async with app.run_test() as pilot:
                chain = await app.sessions.chain.load()
                await pilot.pause()
                assert app.sessions.chain.loaded is chain
                print(chain.open_link.__module__)
        finally:
            await services.close()
    print(events)

asyncio.run(main())
"""


def test_importing_the_cli_and_the_cockpit_loads_no_chain_client():
    # A fresh interpreter: this test process has driftpy loaded already.
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_the_chain_calls_load_once_the_first_frame_is_out():
    result = subprocess.run([sys.executable, "-c", ORDER_PROBE], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    screens_at_first_frame, module, order = result.stdout.strip().splitlines()[-3:]
    assert module == "rekt_tui.services.link"
    assert order == "['frame', 'import']", order
    # The app is built and its first frame drawn without the screens opened later.
    assert screens_at_first_frame == "[]", screens_at_first_frame
