"""The registry schema: v1 as the statements of migration 1, and each later migration.

Frozen once released: later changes are new migrations, never edits here, so the
enum lists below are literal SQL rather than built from the domain enums.

- Tables are STRICT, so an INTEGER money column rejects a float outright.
- Every foreign key is ON DELETE RESTRICT: a session with history can never vanish.
- Timestamps are ISO-8601 UTC text ("2025-01-31T12:00:00.000000+00:00"), which
  sorts in time order and which SQLite's date functions read.
- Booleans are 0/1 integers.
"""

SESSIONS = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    pubkey TEXT NOT NULL UNIQUE CHECK (pubkey <> ''),
    cluster TEXT NOT NULL CHECK (cluster <> ''),
    label TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('key_pending', 'active', 'archived', 'withdrawn')),
    key_backend TEXT NOT NULL CHECK (key_backend <> ''),
    drift_user TEXT,
    referrer TEXT,
    referrer_verified_at TEXT,
    strategy TEXT,
    last_sol_lamports INTEGER CHECK (last_sol_lamports >= 0),
    last_collateral_quote INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT
"""

BALANCE_SNAPSHOTS = """
CREATE TABLE balance_snapshots (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE RESTRICT,
    taken_at TEXT NOT NULL,
    slot INTEGER NOT NULL CHECK (slot >= 0),
    sol_lamports INTEGER NOT NULL CHECK (sol_lamports >= 0),
    total_collateral_quote INTEGER NOT NULL,
    free_collateral_quote INTEGER NOT NULL,
    unrealized_pnl_quote INTEGER NOT NULL,
    usdc_spot_amount INTEGER NOT NULL,
    sol_spot_amount INTEGER NOT NULL
) STRICT
"""

# A position belongs to the account read it came from; that read's session, slot and
# time are its own, and a read with no rows here says the account was flat.
POSITION_SNAPSHOTS = """
CREATE TABLE position_snapshots (
    id INTEGER PRIMARY KEY,
    balance_snapshot_id INTEGER NOT NULL REFERENCES balance_snapshots (id) ON DELETE RESTRICT,
    market_index INTEGER NOT NULL CHECK (market_index >= 0),
    base_amount INTEGER NOT NULL,
    quote_entry_amount INTEGER NOT NULL,
    quote_break_even_amount INTEGER NOT NULL,
    unrealized_pnl_quote INTEGER NOT NULL,
    liquidation_price INTEGER,
    UNIQUE (balance_snapshot_id, market_index)
) STRICT
"""

MARKETS = """
CREATE TABLE markets (
    cluster TEXT NOT NULL,
    market_type TEXT NOT NULL CHECK (market_type IN ('perp', 'spot')),
    market_index INTEGER NOT NULL CHECK (market_index >= 0),
    symbol TEXT NOT NULL,
    oracle TEXT NOT NULL,
    status TEXT NOT NULL,
    paused_operations INTEGER NOT NULL DEFAULT 0 CHECK (paused_operations >= 0),
    decimals INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 18),
    tick_size INTEGER NOT NULL CHECK (tick_size > 0),
    step_size INTEGER NOT NULL CHECK (step_size > 0),
    min_order_size INTEGER NOT NULL CHECK (min_order_size >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cluster, market_type, market_index)
) STRICT, WITHOUT ROWID
"""

TRANSACTIONS = """
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL CHECK (kind <> ''),
    intent TEXT NOT NULL CHECK (json_valid(intent)),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'confirmed', 'failed', 'expired')),
    signature TEXT NOT NULL UNIQUE CHECK (signature <> ''),
    raw_tx BLOB NOT NULL CHECK (length(raw_tx) > 0),
    last_valid_block_height INTEGER NOT NULL CHECK (last_valid_block_height >= 0),
    retry_count INTEGER NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    error_type TEXT,
    error_code INTEGER,
    error_name TEXT,
    message TEXT,
    slot INTEGER CHECK (slot >= 0),
    rebuild_of INTEGER REFERENCES transactions (id) ON DELETE RESTRICT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    confirmed_at TEXT,
    updated_at TEXT NOT NULL
) STRICT
"""

ORDERS = """
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE RESTRICT,
    user_order_id INTEGER NOT NULL CHECK (user_order_id BETWEEN 1 AND 255),
    chain_order_id INTEGER CHECK (chain_order_id >= 0),
    market_type TEXT NOT NULL CHECK (market_type IN ('perp', 'spot')),
    market_index INTEGER NOT NULL CHECK (market_index >= 0),
    direction TEXT NOT NULL CHECK (direction IN ('long', 'short')),
    order_type TEXT NOT NULL
        CHECK (order_type IN ('market', 'limit', 'trigger_market', 'trigger_limit', 'oracle')),
    base_amount INTEGER NOT NULL CHECK (base_amount > 0),
    price INTEGER,
    trigger_price INTEGER,
    reduce_only INTEGER NOT NULL CHECK (reduce_only IN (0, 1)),
    post_only INTEGER NOT NULL CHECK (post_only IN (0, 1)),
    max_ts INTEGER CHECK (max_ts >= 0),
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'open', 'filled', 'cancelled', 'expired', 'failed')),
    transaction_id INTEGER REFERENCES transactions (id) ON DELETE RESTRICT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (order_type NOT IN ('limit', 'trigger_limit') OR price IS NOT NULL),
    CHECK ((order_type IN ('trigger_market', 'trigger_limit')) = (trigger_price IS NOT NULL))
) STRICT
"""

TEARDOWN_STEPS = """
CREATE TABLE teardown_steps (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE RESTRICT,
    run_id TEXT NOT NULL CHECK (run_id <> ''),
    seq INTEGER NOT NULL CHECK (seq >= 0),
    step TEXT NOT NULL CHECK (step <> ''),
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'parked', 'failed')),
    transaction_id INTEGER REFERENCES transactions (id) ON DELETE RESTRICT,
    message TEXT,
    started_at TEXT,
    finished_at TEXT,
    UNIQUE (run_id, seq)
) STRICT
"""

INDEXES = (
    "CREATE INDEX sessions_by_cluster ON sessions (cluster, created_at)",
    "CREATE INDEX balance_snapshots_by_session ON balance_snapshots (session_id, taken_at)",
    "CREATE INDEX transactions_by_session ON transactions (session_id, created_at)",
    # The sender's restart scan: only the few transactions still in flight.
    "CREATE INDEX transactions_unresolved ON transactions (created_at) WHERE status IN ('pending', 'sent')",
    # An expired transaction is rebuilt at most once.
    "CREATE UNIQUE INDEX transactions_rebuild_of ON transactions (rebuild_of) WHERE rebuild_of IS NOT NULL",
    # Drift reuses user_order_id 1..255, so it is unique only among live orders.
    "CREATE UNIQUE INDEX orders_live_user_order_id ON orders (session_id, user_order_id) "
    "WHERE status IN ('pending', 'open')",
    "CREATE INDEX orders_by_session ON orders (session_id, status)",
    "CREATE INDEX orders_by_transaction ON orders (transaction_id) WHERE transaction_id IS NOT NULL",
    "CREATE INDEX teardown_steps_by_session ON teardown_steps (session_id)",
    "CREATE INDEX teardown_steps_by_transaction ON teardown_steps (transaction_id) WHERE transaction_id IS NOT NULL",
)

SCHEMA_V1: tuple[str, ...] = (
    SESSIONS,
    BALANCE_SNAPSHOTS,
    POSITION_SNAPSHOTS,
    MARKETS,
    TRANSACTIONS,
    ORDERS,
    TEARDOWN_STEPS,
    *INDEXES,
)

# Migration 2: when the user confirmed "Start trading on Drift" for the session. The
# checklist's last line is the one choice the chain cannot show, so it is kept here.
SCHEMA_V2: tuple[str, ...] = ("ALTER TABLE sessions ADD COLUMN trading_started_at TEXT",)

# v3: who this registry is and how many writes it has committed, mirrored in
# data_dir/registry.id so a registry that vanished, was emptied, swapped or rolled
# back is caught at open (see registry/sentinel.py).
SCHEMA_V3: tuple[str, ...] = (
    """
CREATE TABLE registry_identity (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    registry_id TEXT NOT NULL CHECK (length(registry_id) = 32),
    generation INTEGER NOT NULL CHECK (generation >= 0)
) STRICT
""",
    "INSERT INTO registry_identity (singleton, registry_id, generation) VALUES (1, lower(hex(randomblob(16))), 0)",
)
