"""The localnet's order-book program (`clob_program`): it owns each perp market's `clob_market`
and writes the book the relaunched program hands it.

The real order-book program matches on its own; here the relaunched program's simulation
decides (`matching.py`) and this program only stores the result, after checking that the call
is signed by the market's `quoter_slab` (a PDA of the relaunched program, so only that program
can sign for it) and that the book is the slab's market. Its one instruction is the localnet's
own: tag 0, then the book's changes (`Book.changes`: ids removed, records added or changed).
"""

import struct
from dataclasses import replace

from solders.pubkey import Pubkey

from rekt_localnet.runtime.program import AccountRef, InstructionError, InvokeContext

from .book import Book
from .codec import CLOB_PROGRAM_ID
from .errors import fail
from .markets import book_addresses

WRITE_BOOK = 0  # apply a book's changes


class LocalClobProgram:
    program_id = CLOB_PROGRAM_ID

    def process(self, ctx: InvokeContext) -> None:
        if len(ctx.accounts) < 2 or ctx.data[:1] != bytes([WRITE_BOOK]):
            raise InstructionError("InvalidInstructionData", "the localnet's order book only stores books")
        market, slab = ctx.accounts[0], ctx.accounts[1]
        current = ctx.account(market.key)
        if current is None or current.owner != CLOB_PROGRAM_ID:
            raise InstructionError("IllegalOwner", "the book is not the order-book program's")
        book = Book.unpack(current.data)
        if not slab.is_signer or book_addresses(book.market_index) != (slab.key, market.key):
            raise InstructionError("MissingRequiredSignature", "only the market's quoter slab writes its book")
        try:
            book.apply(bytes(ctx.data[1:]))
        except (ValueError, struct.error) as error:
            raise InstructionError("InvalidInstructionData", f"the book changes do not apply: {error}") from None
        ctx.write(market.key, replace(current, data=book.pack()))


def load_book(ctx: InvokeContext, clob_market: Pubkey, quoter_slab: Pubkey, market_index: int) -> Book:
    """The market's book, after checking the accounts are that market's."""
    if book_addresses(market_index) != (quoter_slab, clob_market):
        raise fail("InvalidMarketAccount", f"the book accounts are not perp market {market_index}'s")
    account = ctx.account(clob_market)
    if account is None or account.owner != CLOB_PROGRAM_ID:
        raise fail("InvalidMarketAccount", "clob_market is not an order book")
    return Book.unpack(account.data)


def store_book(ctx: InvokeContext, book: Book) -> None:
    """Hand the new book to the order-book program, signing as the market's quoter slab."""
    slab, clob = book_addresses(book.market_index)
    refs = [AccountRef(clob, False, True), AccountRef(slab, True, False)]
    ctx.invoke(CLOB_PROGRAM_ID, refs, bytes([WRITE_BOOK]) + book.changes(), signers=[slab])
