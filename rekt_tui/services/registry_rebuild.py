"""`recover --rebuild`: sessions back into a lost registry from the keys the keystore can name.

Runs before the registry is opened the usual way (that open refuses a lost registry).
Only keys the keystore still holds and that verify against their pubkey get a row;
the reconcile that `recover` runs next fills in what each holds on chain.
"""

import asyncio
from collections.abc import Callable

from rekt_tui.config import Settings
from rekt_tui.keystore import Keystore, KeyNotFound, open_keystore
from rekt_tui.registry import KnownKey, RebuildResult, rebuild_registry


async def rebuild_from_keystore(
    settings: Settings, *, prompt_passphrase: Callable[[str], str] | None = None
) -> RebuildResult:
    keystore = await asyncio.to_thread(
        open_keystore,
        choice=settings.keystore_backend,
        cluster=settings.cluster,
        data_dir=settings.data_dir,
        prompt_passphrase=prompt_passphrase,
    )
    keys = await asyncio.to_thread(_verified_keys, keystore, settings.cluster)
    return await rebuild_registry(settings.data_dir, keys, key_backend=keystore.backend_id)


def _verified_keys(keystore: Keystore, cluster: str) -> list[KnownKey]:
    """Indexed keys that are really there; one listed before a crash cut its write short is skipped."""
    known = []
    for pubkey, made_for in sorted(keystore.indexed_keys().items()):
        try:
            keystore.load(pubkey)  # verifies the key against its pubkey
        except KeyNotFound:
            continue
        # Keys indexed without a cluster predate nothing: only this cluster's keystore stored them.
        known.append(KnownKey(pubkey, made_for or keystore.cluster_scope or cluster))
    return known
