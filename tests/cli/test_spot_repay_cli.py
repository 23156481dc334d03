"""A session funded with SOL that loses a little, stopped as a user stops it: the settlement
leaves a USDC borrow, the stop sells the spot market's minimum of SOL to repay it, then
withdraws everything. The records must account for the sale: the identity holds after the
stop, the sale is a spot fill with the quote and fee the chain's own record states, the
stop's lines say what it brought in, and the report (a keyless read link) finds the USDC the
wallet holds. The chain is read without our reader: raw JSON-RPC and anchorpy's event coder.
"""

import base64
import re
import time
from importlib import resources

import pytest
from anchorpy.coder.event import EventCoder
from anchorpy_core.idl import Idl
from solders.pubkey import Pubkey
from spl.token.instructions import get_associated_token_address

from rekt_localnet.markets import SPOT_MARKETS
from rekt_tui.domain.money import format_usd
from tests.cli import test_recovery_cli
from tests.cli.test_recovery_cli import rpc

pytestmark = pytest.mark.slow

chain_cli = test_recovery_cli.chain_cli  # a localnet process on free ports, and `rekt-tui` for it
SALE = 10**7  # 0.01 SOL: the spot market's minimum order, what the repay sells
DATA = "Program data: "


def ok(result) -> str:
    assert result.code == 0, (result.out, result.err)
    return result.out


def wait_for_position(cli, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        positions = cli("status", "--json").json()["positions"]
        if positions and positions[0]["base_amount"]:
            return int(positions[0]["base_amount"])
        time.sleep(0.5)
    raise AssertionError("the buy did not fill")


def chain_spot_fill(url: str, signature: str, user: str):
    """The OrderActionRecord of the spot fill in that transaction, as anchorpy reads it."""
    coder = EventCoder(Idl.from_json(resources.files("driftpy").joinpath("idl/drift.json").read_text()))
    config = {"commitment": "finalized", "encoding": "json", "maxSupportedTransactionVersion": 0}
    transaction = rpc(url, "getTransaction", [signature, config])
    events = [coder.parse(base64.b64decode(line[len(DATA):])) for line in transaction["meta"]["logMessages"]
              if line.startswith(DATA)]  # fmt: skip
    [fill] = [e.data for e in events if e is not None and e.name == "OrderActionRecord"
              and type(e.data.market_type).__name__ == "Spot"]  # fmt: skip
    assert str(fill.taker) == user
    return fill


def wallet_usdc_on_chain(url: str, wallet: str) -> int:
    account = get_associated_token_address(Pubkey.from_string(wallet), SPOT_MARKETS[0].mint)
    value = rpc(url, "getAccountInfo", [str(account), {"encoding": "base64"}])["value"]
    return int.from_bytes(base64.b64decode(value["data"][0])[64:72], "little")


def test_a_stop_that_sells_sol_to_repay_a_borrow_keeps_the_identity(chain_cli):
    cli, url = chain_cli, chain_cli.urls["rpc_url"]
    ok(cli("wallet", "new"))
    for step in (("airdrop", "2", "SOL"), ("init",), ("deposit", "1", "SOL"), ("strategy", "balanced"),
                 ("start", "--yes"), ("order", "SOL-PERP", "buy", "0.05", "--allow-stacking", "--yes")):  # fmt: skip
        ok(cli(*step))
    status = cli("status", "--json").json()
    wallet, user = status["session"]["pubkey"], status["session"]["drift_user"]
    assert wait_for_position(cli) == 5 * 10**7
    # A loss for sure: the fees alone almost always make one, a lower oracle always does.
    oracle = int(cli("status", "--json").json()["positions"][0]["oracle_price"])
    rpc(url, "rekt_setOraclePrice", ["SOL", str((oracle - 2 * 10**6) / 10**6)])
    ok(cli("close", "SOL-PERP"))

    stopped = cli("stop", "--yes", timeout=240)
    assert stopped.code == 0, (stopped.out, stopped.err)
    assert re.search(r"^repay_borrow: done ", stopped.out, re.MULTILINE), stopped.out
    assert "differ by" not in stopped.err, stopped.err

    listed = cli("history", "--session", wallet, "--json").json()
    [sale] = [record for record in listed if record["kind"] == "spot_fill"]
    chain = chain_spot_fill(url, sale["signature"], user)
    assert (chain.market_index, chain.base_asset_amount_filled, type(chain.taker_order_direction).__name__) == (
        1, SALE, "Short")  # fmt: skip
    assert (sale["market_index"], sale["role"], sale["base"]) == (1, "taker", -SALE)
    assert (sale["quote"], sale["fee"], sale["realized_pnl"]) == (chain.quote_asset_amount_filled, chain.taker_fee, 0)
    assert chain.taker_fee > 0
    line = (f"Spot trades on Drift: sold 0.01 SOL for {format_usd(sale['quote'], 6)} USDC · "
            f"fees {format_usd(sale['fee'], 6)}")  # fmt: skip
    assert line in stopped.err.splitlines(), stopped.err

    result = cli("report", "--session", wallet, "--json").json()
    assert result["identity"]["holds"] is True and result["identity"]["collateral"] == 0, result["identity"]
    assert (result["spot_quote"], result["spot_fees"]) == (sale["quote"], sale["fee"])
    assert result["trades"] == 2 and result["volume"] == sum(abs(r["quote"]) for r in listed if r["kind"] == "fill")
    assert result["deposits"] - result["withdrawals"] + result["spot_quote"] - result["spot_fees"] \
        + result["net_result"] == 0  # fmt: skip
    # What the wallet holds in USDC came out of the sale, less the loss; the keyless report reads it.
    held = wallet_usdc_on_chain(url, wallet)
    assert result["wallet_usdc"] == held == result["withdrawals"] > 0

    table = cli("history", "--session", wallet).out.splitlines()
    [row] = [row for row in table if sale["signature"] in row]
    assert " spot_fill " in row and " SOL spot " in row and " -0.01 SOL " in row, row
    perp = cli("history", "--session", wallet, "--market", "SOL-PERP", "--json").json()
    assert perp and "spot_fill" not in {record["kind"] for record in perp}
