"""Use cases built on the registry, keystore and Drift gateway. No UI here."""
