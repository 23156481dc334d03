"""Programs the localnet executes: System, SPL Token, Associated Token Account, Compute Budget, Drift."""
