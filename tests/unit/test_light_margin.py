"""The light margin mirror refuses what it does not compute, so `status` takes driftpy's path there,
and rounds token amounts as the program does (deposits down, borrows up)."""

from dataclasses import replace

import pytest

from rekt_tui.domain.errors import LightReadUnsupported
from rekt_tui.drift.light_layout import PerpMarket, PerpPosition, SpotMarket, SpotPosition, User
from rekt_tui.drift.light_margin import Chain, LightUser, token_amount

USDC = 10**6
EMPTY_PERP = PerpPosition(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
EMPTY_SPOT = SpotPosition(0, 0, 0, 0, "Deposit", 0)
PERP = PerpMarket(0, "SOL-PERP", "Active", "Perpetual", 0, "oracle", "Prelaunch", 0, 0, 10**7, 100, 10**7, 0, 0, 0, 0,
                  1_000, 500, 10_000, 10_000, 0)  # fmt: skip
QUOTE = SpotMarket(0, "USDC", "Active", "quote", "QuoteAsset", USDC, 0, 0, 10**10, 10**10, 10_000, 10_000, 10_000,
                   10_000, 0, 6, 0)  # fmt: skip


def user(perp: PerpPosition = EMPTY_PERP, spot: SpotPosition = EMPTY_SPOT, margin_mode: str = "Default") -> User:
    return User("authority", (spot,) + (EMPTY_SPOT,) * 7, (perp,) + (EMPTY_PERP,) * 7, (), 0, 0, 0, 0, margin_mode)


def chain(account: User, perp: PerpMarket = PERP) -> Chain:
    return Chain(account, {0: perp}, {0: QUOTE}, {0: 150 * USDC}, {0: USDC})


def test_a_plain_account_is_computed():
    long = replace(EMPTY_PERP, base_asset_amount=10**9, quote_asset_amount=-150 * USDC)
    deposit = replace(EMPTY_SPOT, scaled_balance=100 * 10**9)
    figures = LightUser(chain(user(long, deposit)))
    assert figures.get_token_amount(0) == 100 * USDC
    assert figures.total_collateral() == 100 * USDC


@pytest.mark.parametrize(
    "account, market",
    [
        (user(margin_mode="HighLeverage"), PERP),
        (user(replace(EMPTY_PERP, base_asset_amount=10**9, lp_shares=1)), PERP),
        (user(replace(EMPTY_PERP, base_asset_amount=10**9)), replace(PERP, status="Settlement")),
        (user(replace(EMPTY_PERP, base_asset_amount=10**9)), replace(PERP, contract_type="Prediction")),
        (user(replace(EMPTY_PERP, base_asset_amount=10**9)), replace(PERP, unrealized_pnl_max_imbalance=1)),
        (user(spot=replace(EMPTY_SPOT, scaled_balance=10**9, open_orders=1, open_bids=10**6)), PERP),
    ],
    ids=["high leverage", "lp shares", "settlement", "prediction", "pnl imbalance cap", "spot orders"],
)
def test_what_the_mirror_does_not_cover_is_refused(account, market):
    with pytest.raises(LightReadUnsupported):
        LightUser(chain(account, market))


def test_token_amounts_round_as_the_program_does():
    market = replace(QUOTE, cumulative_deposit_interest=10**10 + 1, cumulative_borrow_interest=10**10 + 1)
    deposit = replace(EMPTY_SPOT, scaled_balance=999_999_999)
    borrow = replace(deposit, balance_type="Borrow")
    assert token_amount(deposit, market) == 999_999  # down
    assert token_amount(borrow, market) == -1_000_000  # up, signed
