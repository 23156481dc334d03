"""The cockpit draws its first frame before driftpy is imported (docs/PERFORMANCE.md: cold start),
and before aiohttp, which only the feeds need (the order book's loads after the first frame),
and before the keystore's libraries, which load when the app settles its keys after that frame."""

import asyncio
import subprocess
import sys
from pathlib import Path

from solders.keypair import Keypair

from rekt_tui.keystore import open_keystore
from rekt_tui.registry import Registry
from tests.conftest import REPO

# Heavy packages the first frame does without: the chain client, the feeds' HTTP stack, and the
# libraries of screens opened later (the history's chart, the setup's QR code).
CHAIN_PACKAGES = {"driftpy", "anchorpy", "solana", "aiohttp", "plotext", "textual_plotext", "segno"}
# Our own screens the first frame does without: built on first use, not at the app's start.
LATER_SCREENS = {
    "rekt_tui.tui.screens.collateral",
    "rekt_tui.tui.screens.command_line",
    "rekt_tui.tui.screens.help",
    "rekt_tui.tui.screens.modify_order",
    "rekt_tui.tui.screens.order_entry",
}
# Services only those screens, or the chain's calls, use: the order form's sizing, the venue
# seam and the session history.
LATER_SERVICES = {"rekt_tui.services.history", "rekt_tui.services.order_sizing", "rekt_tui.services.venue"}
# Modules of the commands the cockpit is not: the market-data commands (their arguments are parsed
# from their own small module).
LATER_COMMANDS = {"rekt_tui.cli.markets", "rekt_tui.services.market_context"}
# Libraries the first frame does without: the keystore's (it opens after that frame) and a
# validation library (the settings check themselves, `config/checks.py`).
LATER_LIBRARIES = {"keyring", "solders", "pydantic"}

PROBE = f"""
import sys
import rekt_tui.cli
import rekt_tui.services.container
import rekt_tui.tui.app
import rekt_localnet.daemon  # the launch asks the localnet for its genesis hash before the first frame
print(sorted({{name.split('.')[0] for name in sys.modules}} & set({sorted(CHAIN_PACKAGES | LATER_LIBRARIES)!r})
             | set(sys.modules) & set({sorted(LATER_COMMANDS | LATER_SCREENS | LATER_SERVICES)!r})))
"""

# A fresh interpreter runs the real app headless on DATA_DIR and notes, in order, the first
# frame it writes and the moment the chain services' module starts importing (an import hook
# only watches; it changes nothing). At the first frame it prints which later screens and
# libraries are loaded; at the end, whether the crash leftover (a `key_pending` row whose key
# never arrived) was settled away by the app's launch.
ORDER_PROBE = f"""
LATER = {sorted(LATER_SCREENS | LATER_SERVICES | LATER_LIBRARIES)!r}
""" + """
import asyncio, gc, importlib.abc, sys
from pathlib import Path

events = []

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "rekt_tui.tui.chain_calls" and "import" not in events:
            events.append("import")
        return None

sys.meta_path.insert(0, Watch())

from rekt_tui.config import load_settings
from rekt_tui.services.container import Services
from rekt_tui.tui.app import RektApp

class Watched(RektApp):
    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if renderable is not None and "frame" not in events:
            events.append("frame" if not gc.isenabled() else "frame, collecting")
            print(sorted({name for name in sys.modules if name.split(".")[0] in LATER or name in LATER}))

async def main(data_dir, pending):
    config = data_dir / "config.toml"
    config.touch()
    flags = {"data_dir": data_dir, "keystore_backend": "localnet-file"}
    services = await Services.open(load_settings(config_path=config, environ={}, flags=flags))
    try:
        gc.disable()  # as the launch does (rekt_tui.cli)
        app = Watched(services=services, reconcile_at_launch=False)
        async with app.run_test() as pilot:
            chain = await app.sessions.chain.load()
            await pilot.pause()
            assert app.sessions.chain.loaded is chain
            print(chain.open_link.__module__)
            print("collecting" if gc.isenabled() else "not collecting")
            for _ in range(200):
                if await services.registry.get_session(pending) is None:
                    break
                await asyncio.sleep(0.05)
            print("settled" if await services.registry.get_session(pending) is None else "pending")
    finally:
        await services.close()
    print(events)

asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))
"""


async def leave_a_pending_key(data_dir: Path) -> str:
    """A wallet creation killed between its registry row and its key write: the row, no key."""
    pubkey = str(Keypair().pubkey())
    keystore = open_keystore(choice="localnet-file", cluster="localnet", data_dir=data_dir)
    async with await Registry.open(data_dir) as registry:
        await registry.create_session(pubkey=pubkey, cluster="localnet", label="", key_backend=keystore.backend_id)
    return pubkey


def test_importing_what_the_first_frame_needs_loads_no_chain_client():
    # A fresh interpreter: this test process has driftpy loaded already.
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_the_chain_calls_load_once_the_first_frame_is_out(tmp_path):
    pending = asyncio.run(leave_a_pending_key(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", ORDER_PROBE, str(tmp_path), pending], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    later_at_first_frame, module, collecting, settled, order = result.stdout.strip().splitlines()[-5:]
    assert module == "rekt_tui.services.link"
    # The collector, paused for the launch, stays off through the first frame and runs after it.
    assert order == "['frame', 'import']", order
    assert collecting == "collecting"

    # The app is built and its first frame drawn without the screens opened later, nor the
    # keystore's or a validation library's modules.
    assert later_at_first_frame == "[]", later_at_first_frame
    # Yet the launch still settles what a crash left behind, as the command line does.
    assert settled == "settled"
