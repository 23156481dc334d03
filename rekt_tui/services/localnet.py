"""The product's one way to the embedded localnet: make sure it runs before a session uses it.

The localnet is a sibling package with its own errors; they become ours here, with the
same sentence and exit status.
"""

from rekt_localnet.errors import LocalnetError, LocalnetUsageError

from rekt_tui.config import Settings
from rekt_tui.domain.errors import RektError, UsageError


def as_rekt_error(error: LocalnetError) -> RektError:
    kind = UsageError if isinstance(error, LocalnetUsageError) else RektError
    return kind(error.message)


async def ensure_localnet(settings: Settings) -> bool:
    """Start the localnet detached when none answers at the profile's URL; True when this call started it."""
    from rekt_localnet.daemon import ensure_running

    try:
        return await ensure_running(settings.data_dir, settings.profile.rpc_url, settings.profile.dlob_url)
    except LocalnetError as error:
        raise as_rekt_error(error) from None
