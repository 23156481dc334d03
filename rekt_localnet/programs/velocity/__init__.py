"""A simulation of the relaunched Drift program ("Velocity") for the localnet.

Accounts, instruction arguments, events and errors are the pinned IDL's, through the product's
codec (`codec.py` is the bridge); matching is against an on-chain order book kept by the
localnet's order-book program (`book.py`, `clob.py`).
"""
