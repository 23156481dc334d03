"""The product's one way to the embedded localnet: make sure it runs, and that it is ours.

Before the localnet profile is used (and with it the localnet's unencrypted keys), the
server answering at the profile's URL must report the genesis hash recorded in this
data dir's ledger: anything else listening on that port is refused.

The localnet is a sibling package with its own errors; they become ours here, with the
same sentence and exit status.
"""

from pathlib import Path
from urllib.parse import urlsplit

from rekt_localnet.identity import ledger_genesis_hash
from rekt_localnet.errors import LocalnetError, LocalnetUsageError

from rekt_tui.config import Settings
from rekt_tui.domain.errors import RektError, UsageError


def as_rekt_error(error: LocalnetError) -> RektError:
    kind = UsageError if isinstance(error, LocalnetUsageError) else RektError
    return kind(error.message)


async def ensure_localnet(settings: Settings) -> bool:
    """Start the localnet detached when none answers at the profile's URL, then check that
    what answers is this data dir's localnet; True when this call started it."""
    profile = settings.profile
    return await ensure_localnet_at(settings.data_dir, profile.rpc_url, profile.dlob_url, profile.venue)


async def ensure_localnet_at(data_dir: Path, rpc_url: str, dlob_url: str, venue: str = "drift") -> bool:
    """As `ensure_localnet`; a localnet started here runs `venue`'s program (a ledger keeps the
    venue it was created with: asking another one of it fails with one sentence)."""
    from rekt_localnet.daemon import ensure_running, genesis_hash_at

    try:
        started = await ensure_running(data_dir, rpc_url, dlob_url, venue)
        answered = await genesis_hash_at(rpc_url)
    except LocalnetError as error:
        raise as_rekt_error(error) from None
    expected = ledger_genesis_hash(data_dir)
    if expected is None or answered != expected:
        port = urlsplit(rpc_url).port
        raise RektError(
            f"port {port} is answered by something other than the localnet of {data_dir} (genesis "
            f"{answered or 'unknown'}, expected {expected or 'none recorded'}); nothing was sent to it: stop "
            "what listens there, or set the localnet profile's rpc_url to a free port."
        )
    return started
