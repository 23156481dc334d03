"""The cockpit draws its first frame before driftpy is imported (docs/PERFORMANCE.md: cold start)."""

import subprocess
import sys

from tests.conftest import REPO
from tests.tui.conftest import make_app

CHAIN_PACKAGES = {"driftpy", "anchorpy", "solana"}

PROBE = f"""
import sys
import rekt_tui.cli
import rekt_tui.tui.app
print(sorted({{name.split('.')[0] for name in sys.modules}} & set({sorted(CHAIN_PACKAGES)!r})))
"""


def test_importing_the_cli_and_the_cockpit_loads_no_chain_client():
    # A fresh interpreter: this test process has driftpy loaded already.
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]", result.stdout


async def test_the_chain_calls_load_once_the_first_frame_is_out(services):
    app = make_app(services)
    async with app.run_test() as pilot:
        chain = await app.chain()
        await pilot.pause()
        assert chain.open_link.__module__ == "rekt_tui.services.link"
        assert app.loaded_chain is chain
