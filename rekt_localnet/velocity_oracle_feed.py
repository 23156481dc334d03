"""The oracle feed of a relaunch localnet: the same walk, written into PythLazerOracle accounts.

Only the accounts differ from `OracleFeed`: each walked asset's price goes into its
PythLazerOracle (at Pyth Lazer's exponent), with its confidence, posted slot and publish time.
"""

import time
from dataclasses import replace

from rekt_localnet.genesis import CONFIDENCE_DIVISOR
from rekt_localnet.oracle_feed import OracleFeed, OraclePriceError
from rekt_localnet.programs.velocity.codec import decode, encode
from rekt_localnet.programs.velocity.markets import LAZER_FEED_IDS, LAZER_SCALE, lazer_oracle_address


class VelocityOracleFeed(OracleFeed):
    def price(self, asset: str) -> int:
        account = self._ledger.get(lazer_oracle_address(asset))
        return decode("PythLazerOracle", account.data)["price"] // LAZER_SCALE

    def _write(self, asset: str, price: int, slot: int) -> None:
        if asset not in LAZER_FEED_IDS:
            raise OraclePriceError(f"{asset} has no oracle on this venue (the quote is priced at $1).")
        key = lazer_oracle_address(asset)
        current = self._ledger.get(key)
        value = decode("PythLazerOracle", current.data)
        value.update(price=price * LAZER_SCALE, conf=price // CONFIDENCE_DIVISOR * LAZER_SCALE, posted_slot=slot,
                     publish_time=int(time.time() * 1_000_000))  # fmt: skip
        self._ledger.put(key, replace(current, data=encode("PythLazerOracle", value)))
