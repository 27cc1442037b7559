"""One error hierarchy at the library boundary; the CLI maps it to messages and exit codes, the API to HTTP."""
from __future__ import annotations


class CreditnetError(Exception):
    """Base of every error creditnet reports to a user. `code` is stable and machine-readable."""
    code = "error"
    exit_code = 1
    http_status = 400

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidSubject(CreditnetError):
    """A key that cannot be a USCC, registration number or ID number (names the check digit expected)."""
    code = "invalid_identifier"
    exit_code = 2
    http_status = 422


class AmbiguousName(CreditnetError):
    code = "ambiguous_name"
    exit_code = 2
    http_status = 409


class NotFound(CreditnetError):
    code = "not_found"
    exit_code = 3
    http_status = 404


class StoreUnavailable(CreditnetError):
    """The configured store cannot be reached (Neo4j down, home directory unwritable)."""
    code = "store_unavailable"
    exit_code = 4
    http_status = 503
    retry_after_s = 5  # the service reconnects by itself; a client may ask again after this many seconds


class FileRejected(CreditnetError):
    """A file that as a whole cannot be read: unknown columns, unreadable encoding, not a table."""
    code = "file_rejected"
    exit_code = 2
    http_status = 400


class InvalidRequest(CreditnetError):
    code = "invalid_request"
    exit_code = 2
    http_status = 422


class StoreBusy(CreditnetError):
    """Loads kept committing while a question was being answered, or Neo4j reported a transient error
    (a deadlock, a lock wait): asking again will succeed. 503, not 429: the client did nothing wrong and is
    not over any quota; the server is briefly unable to answer (RFC 9110 §15.6.4, with Retry-After)."""
    code = "store_busy"
    exit_code = 4
    http_status = 503
    retry_after_s = 1


class TransactionTooLarge(CreditnetError):
    """A Neo4j transaction needed more memory than the server allows one transaction (or all of them): asking
    again fails the same way. A load sends each file as one transaction, so the cure is smaller files or a
    server with more heap. 413: what was sent is too large for this server."""
    code = "transaction_too_large"
    exit_code = 4
    http_status = 413


class StoreNotEmpty(CreditnetError):
    """A bulk load (`creditnet load --bulk`) writes a whole database at once: only into one that holds no data."""

    code = "store_not_empty"
    exit_code = 2
    http_status = 409


class InvalidSetting(CreditnetError):
    """A CREDITNET_* environment variable whose value the settings cannot take: named with the value and what is
    accepted, before anything is opened (graph/settings.py)."""
    code = "invalid_setting"
    exit_code = 2
    http_status = 500
