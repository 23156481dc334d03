"""Fixed data for snapshots of the setup, checklist and order entry screens.

Chain figures (balances, prices) move on a live localnet, so the snapshots are fed
these domain values directly; the Pilot tests cover the same screens on the chain.
"""

from datetime import UTC, datetime
from decimal import Decimal

from solders.keypair import Keypair

from rekt_tui.domain.checklist import Checklist, ChecklistFacts, ChecklistRules, build_checklist
from rekt_tui.domain.guards import Preview, Refusal, RefusalCode
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.orders import OrderKind, OrderRequest
from rekt_tui.domain.records import Direction, MarketType
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.services.models import Funding, OrderPlan

AT = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)
REFERRER = str(Keypair.from_seed(bytes([9]) * 32).pubkey())
SOL_PERP = MarketSpec("SOL-PERP", MarketType.PERP, 0, "SOL", tick_size=100, step_size=10**7, min_order_size=10**7)


def session(seed: int, label: str) -> SessionRecord:
    pubkey = str(Keypair.from_seed(bytes([seed]) * 32).pubkey())
    return SessionRecord(pubkey, "localnet", label, SessionStatus.ACTIVE, "localnet-file", AT, AT)


FUNDED = Funding(10**9, True, "The session wallet holds 1.0000 SOL, enough for setup and the 0.01 SOL gas reserve.")


def half_done_checklist() -> Checklist:
    """Funded, initialized, referrer verified; collateral and strategy still to do."""
    facts = ChecklistFacts(
        wallet_lamports=10**9, drift_account_exists=True, recorded_referrer=REFERRER, collateral_quote=0,
        strategy=None, confirmed=False,
    )  # fmt: skip
    rules = ChecklistRules(
        expected_referrer=REFERRER, gas_reserve_sol=Decimal("0.01"), min_trading_collateral_usd=Decimal(10),
        account_rent_lamports=35_000_000, fee_lamports=10_000,
    )  # fmt: skip
    return build_checklist(facts, rules)


def refused_plan() -> OrderPlan:
    """A 1,000 SOL market buy on $100 of collateral: refused for margin and leverage."""
    request = OrderRequest(
        SOL_PERP, Direction.LONG, OrderKind.MARKET, 1000 * 10**9, price=None, trigger_price=None,
        trigger_condition=None, reduce_only=False, post_only=False, max_ts=0, user_order_id=1,
    )  # fmt: skip
    preview = Preview(
        entry_price=150_120_000, worst_price=150_750_000, fee=105_084_000, margin_required=15_012_000_000,
        free_collateral_after=-14_917_084_000, leverage_after=15_012_000, liquidation_price_after=149_900_000,
    )  # fmt: skip
    refusals = (
        Refusal(RefusalCode.INSUFFICIENT_COLLATERAL, "Free collateral $100.00 does not cover the $15,017.08 "
                "initial margin and fee this order needs; reduce the size to at most 6.65 SOL or deposit more."),
        Refusal(RefusalCode.LEVERAGE, "Leverage after this order would be 1501.2x, above the balanced "
                "strategy's 5x; reduce the size."),
    )  # fmt: skip
    return OrderPlan(request, (150_000_000, 150_750_000, 13), preview, refusals)
