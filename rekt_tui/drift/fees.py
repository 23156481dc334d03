"""What a transaction signed by our sender costs, with no Solana library loaded."""

# What driftpy asks for by default: enough for a place-and-take against several makers.
DEFAULT_COMPUTE_UNIT_LIMIT = 600_000
LAMPORTS_PER_SIGNATURE = 5_000
MICRO_LAMPORTS_PER_LAMPORT = 1_000_000


def transaction_fee(compute_unit_limit: int, compute_unit_price: int, signatures: int = 1) -> int:
    """Lamports a validator charges: a base fee per signature plus the priority fee,
    which is the unit price (micro-lamports) times the units *requested*, rounded up."""
    priority = -(-compute_unit_limit * compute_unit_price // MICRO_LAMPORTS_PER_LAMPORT)
    return LAMPORTS_PER_SIGNATURE * signatures + priority
