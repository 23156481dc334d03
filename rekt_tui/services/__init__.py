"""Use cases over the registry, the keystore and a venue seen through its typed seam (venue.py). No UI here."""
