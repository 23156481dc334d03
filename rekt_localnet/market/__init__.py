"""Market life on the localnet: synthetic makers that quote the books, and the keeper
that fills, triggers, expires, liquidates and funds every slot.

Entry points (server.py wires them into the slot loop after the oracle feed):

- `keeper.Keeper(ledger, runtime)`: `bootstrap()` once, `tick(slot)` every slot;
  `last_tick_ms` is the last tick's duration.
- `keeper.TradeFeed()`: a ledger observer collecting the fills of landed transactions;
  `recent(market_index, limit)` and `subscribe(listener)` serve the DLOB `trades` channel.
- `makers.Makers(ledger, runtime, mint_usdc)`: `bootstrap()` once, `tick(slot)` every slot.
"""
