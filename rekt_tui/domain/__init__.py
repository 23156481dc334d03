"""Pure domain: frozen models, exact money, rules. No I/O, no third-party clients."""
