"""What the shell shows before any chain data: cluster, keystore and registry state."""

from dataclasses import dataclass

from rekt_tui.domain.session import SessionRecord
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels


@dataclass(frozen=True)
class KeystoreStatus:
    backend: str  # e.g. "SecretService Keyring", "localnet test keys (not secure)"
    secure: bool
    problem: str | None = None  # set when no usable keystore exists (then backend names what was found)


@dataclass(frozen=True)
class ShellStatus:
    cluster: str
    rpc_url: str
    is_mainnet: bool
    keystore: KeystoreStatus
    registry_read_only_reason: str | None  # None when this process is the registry's writer
    sessions: tuple[SessionRecord, ...]
    labels: VenueLabels = DRIFT  # the cluster's venue and quote, as text names them
