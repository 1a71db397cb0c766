"""TensorFlow's error classes for the TF1 graph API (`tf.errors`), by the same names.

A TF1 script catches `tf.errors.InvalidArgumentError` and reads `e.message`; the same
code works with `kerasette.graph.errors`. Each class keeps TF's (node_def, op, message)
constructor so code that builds one the TF way still does.
"""


class OpError(Exception):
    """A graph operation failed (TF's `tf.errors.OpError`)."""

    error_code = 2  # UNKNOWN

    def __init__(self, node_def=None, op=None, message=None, *args):
        if message is None and isinstance(node_def, str) and op is None:
            node_def, message = None, node_def  # OpError("text") is also accepted
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message

    def __str__(self):
        return str(self.message)

    def __reduce__(self):  # picklable across processes, as TF's are
        return type(self), (self.node_def, self.op, self.message)


def _make(name, code, doc):
    cls = type(name, (OpError,), {"__doc__": doc, "error_code": code})
    cls.__module__ = __name__
    return cls


CancelledError = _make("CancelledError", 1, "An operation was cancelled.")
UnknownError = _make("UnknownError", 2, "An unknown error.")
InvalidArgumentError = _make(
    "InvalidArgumentError",
    3,
    "An operation got an invalid argument: a missing or unexpected feed or fetch.",
)
DeadlineExceededError = _make("DeadlineExceededError", 4, "A deadline expired.")
NotFoundError = _make("NotFoundError", 5, "A requested entity was not found.")
AlreadyExistsError = _make("AlreadyExistsError", 6, "An entity already exists.")
PermissionDeniedError = _make("PermissionDeniedError", 7, "Permission denied.")
ResourceExhaustedError = _make("ResourceExhaustedError", 8, "A resource ran out.")
FailedPreconditionError = _make(
    "FailedPreconditionError", 9, "The system is not in a state to run the operation."
)
AbortedError = _make("AbortedError", 10, "An operation was aborted.")
OutOfRangeError = _make("OutOfRangeError", 11, "An iteration went past the valid range.")
UnimplementedError = _make("UnimplementedError", 12, "An operation is not implemented.")
InternalError = _make("InternalError", 13, "An internal invariant broke.")
UnavailableError = _make("UnavailableError", 14, "A service is unavailable.")
DataLossError = _make("DataLossError", 15, "Unrecoverable data loss.")
UnauthenticatedError = _make("UnauthenticatedError", 16, "The request has no valid credentials.")

__all__ = [
    "OpError",
    "CancelledError",
    "UnknownError",
    "InvalidArgumentError",
    "DeadlineExceededError",
    "NotFoundError",
    "AlreadyExistsError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "FailedPreconditionError",
    "AbortedError",
    "OutOfRangeError",
    "UnimplementedError",
    "InternalError",
    "UnavailableError",
    "DataLossError",
    "UnauthenticatedError",
]
