"""Embedded Drift localnet: a loopback Solana cluster that runs Drift."""
