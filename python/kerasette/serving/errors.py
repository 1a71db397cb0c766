"""The one error type the serving layer raises, carrying its HTTP status.

TensorFlow Serving maps its canonical status codes to HTTP codes
(``http_server.cc: ToHTTPStatusCode``); the handlers raise ``ServingError`` with the
HTTP code directly and the app turns it into ``{"error": "..."}``.
"""

BAD_REQUEST = 400  # INVALID_ARGUMENT, FAILED_PRECONDITION
NOT_FOUND = 404  # NOT_FOUND
PAYLOAD_TOO_LARGE = 413  # body over --max-body-bytes (TF Serving has no equal)
INTERNAL = 500  # INTERNAL, UNKNOWN
UNAVAILABLE = 503  # UNAVAILABLE (server shutting down)


class ServingError(Exception):
    """A request failed; ``status`` is the HTTP code, ``message`` the client's text."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message):
    return ServingError(BAD_REQUEST, message)


def not_found(message):
    return ServingError(NOT_FOUND, message)
