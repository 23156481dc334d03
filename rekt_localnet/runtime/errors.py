"""Transaction errors as a validator names and describes them.

Errors travel in two forms: the JSON value clients parse (`"BlockhashNotFound"`,
`{"InstructionError": [0, {"Custom": 6003}]}`) and the sentence a node puts in
messages ("Error processing Instruction 0: custom program error: 0x1773"). Both come
from here so that preflight errors, simulation results and landed `err` fields agree.
"""

# InstructionError variants (Display texts of Solana's InstructionError).
_INSTRUCTION_ERRORS = {
    "GenericError": "generic instruction error",
    "InvalidArgument": "invalid program argument",
    "InvalidInstructionData": "invalid instruction data",
    "InvalidAccountData": "invalid account data for instruction",
    "AccountDataTooSmall": "account data too small for instruction",
    "InsufficientFunds": "insufficient funds for instruction",
    "IncorrectProgramId": "incorrect program id for instruction",
    "MissingRequiredSignature": "missing required signature for instruction",
    "AccountAlreadyInitialized": "instruction requires an uninitialized account",
    "UninitializedAccount": "instruction requires an initialized account",
    "UnbalancedInstruction": "sum of account balances before and after instruction do not match",
    "ModifiedProgramId": "instruction illegally modified the program id of an account",
    "ExternalAccountLamportSpend": "instruction spent from the balance of an account it does not own",
    "ExternalAccountDataModified": "instruction modified data of an account it does not own",
    "ReadonlyLamportChange": "instruction changed the balance of a read-only account",
    "ReadonlyDataModified": "instruction modified data of a read-only account",
    "ExecutableModified": "instruction changed executable bit of an account",
    "NotEnoughAccountKeys": "insufficient account keys for instruction",
    "AccountDataSizeChanged": "program other than the account's owner changed the size of the account data",
    "MissingAccount": "An account required by the instruction is missing",
    "ComputationalBudgetExceeded": "Computational budget exceeded",
    "PrivilegeEscalation": "Cross-program invocation with unauthorized signer or writable account",
    "CallDepth": "Cross-program invocation call depth too deep",
    "UnsupportedProgramId": "Unsupported program id",
    "ArithmeticOverflow": "Program arithmetic overflowed",
    "InvalidSeeds": "Provided seeds do not result in a valid address",
    "IncorrectAuthority": "Incorrect authority provided",
    "IllegalOwner": "Provided owner is not allowed",
    "ProgramFailedToComplete": "Program failed to complete",
}

# TransactionError variants without a payload.
_TRANSACTION_ERRORS = {
    "AccountLoadedTwice": "Account loaded twice",
    "AccountNotFound": "Attempt to debit an account but found no record of a prior credit.",
    "ProgramAccountNotFound": "Attempt to load a program that does not exist",
    "InsufficientFundsForFee": "Insufficient funds for fee",
    "InvalidAccountForFee": "This account may not be used to pay transaction fees",
    "AlreadyProcessed": "This transaction has already been processed",
    "BlockhashNotFound": "Blockhash not found",
    "SignatureFailure": "Transaction did not pass signature verification",
}


def instruction_error_text(detail: object) -> str:
    """`{"Custom": 6003}` → "custom program error: 0x1773"; a variant name → its sentence."""
    if isinstance(detail, dict) and "Custom" in detail:
        return f"custom program error: {detail['Custom']:#x}"
    return _INSTRUCTION_ERRORS.get(str(detail), str(detail))


def describe(err: object) -> str:
    """The sentence a validator prints for a transaction error value."""
    if isinstance(err, str):
        return _TRANSACTION_ERRORS.get(err, err)
    if isinstance(err, dict) and "InstructionError" in err:
        index, detail = err["InstructionError"]
        return f"Error processing Instruction {index}: {instruction_error_text(detail)}"
    if isinstance(err, dict) and "InsufficientFundsForRent" in err:
        index = err["InsufficientFundsForRent"]["account_index"]
        return f"Transaction results in an account ({index}) with insufficient funds for rent"
    if isinstance(err, dict) and "DuplicateInstruction" in err:
        return f"Transaction contains a duplicate instruction ({err['DuplicateInstruction']}) that is not allowed"
    return str(err)


class TransactionRejected(Exception):
    """The node refuses the transaction before it could land (nothing is recorded)."""


class MalformedTransaction(TransactionRejected):
    """Bytes that do not decode or sanitize; a node answers -32602 "invalid transaction"."""


class SignatureVerificationFailed(TransactionRejected):
    """A signature does not verify; a node answers -32003 before any simulation."""

    def __init__(self) -> None:
        super().__init__("Transaction signature verification failure")


class PreflightFailure(TransactionRejected):
    """Simulation before sending failed: -32002 with the error, logs and units consumed."""

    def __init__(self, err: object, logs: list[str], units_consumed: int) -> None:
        super().__init__(f"Transaction simulation failed: {describe(err)}")
        self.err = err
        self.logs = logs
        self.units_consumed = units_consumed
