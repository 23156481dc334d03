import hashlib
import json
from pathlib import Path

import pytest

from rekt_tui.velocity.codec.program import VelocityProgram

PINNED_JSON = Path(__file__).resolve().parents[2] / "rekt_tui" / "velocity" / "codec" / "pinned" / "velocity.json"


def anchor_discriminator(namespace: str, name: str) -> bytes:
    """Anchor's rule, computed here independently of the IDL and of our parser."""
    return hashlib.sha256(f"{namespace}:{name}".encode()).digest()[:8]


@pytest.fixture(scope="session")
def program() -> VelocityProgram:
    return VelocityProgram.pinned()


@pytest.fixture(scope="session")
def raw_idl() -> dict:
    return json.loads(PINNED_JSON.read_bytes())
