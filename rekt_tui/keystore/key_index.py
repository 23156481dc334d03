"""The pubkey index: which session keys a keystore holds, kept in that same keystore.

Keyring APIs can store and fetch an entry but not list them, so a registry that is
lost would leave funded keys nobody can name. Every key is therefore listed, before
it is written, in one more entry of the same backend (service `rekt-tui-index`):
a JSON object of pubkey -> the cluster it was made for. Public data only: never a
secret, so the index may be read, logged or shown freely.
"""

import json

from rekt_tui.keystore.errors import KeystoreError

INDEX_SERVICE = "rekt-tui-index"
INDEX_USERNAME = "session-pubkeys"


def parse_index(text: str | None, backend: str) -> dict[str, str | None]:
    """The stored index; an absent entry is an empty index, a garbled one one sentence."""
    if text is None:
        return {}
    try:
        entries = json.loads(text)
    except ValueError:
        entries = None
    if not isinstance(entries, dict) or not all(
        isinstance(pubkey, str) and (cluster is None or isinstance(cluster, str)) for pubkey, cluster in entries.items()
    ):
        raise KeystoreError(
            f"the list of session keys in {backend} (entry {INDEX_SERVICE}/{INDEX_USERNAME}) is damaged; "
            "delete that entry and store a key again to start a new list."
        )
    return entries


def render_index(entries: dict[str, str | None]) -> str:
    return json.dumps(entries, sort_keys=True, separators=(",", ":"))
