"""Drift gateway: the only package (with localnet) that imports driftpy and Solana clients."""
