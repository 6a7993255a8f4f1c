"""Authentication and authorisation errors; their messages are reasons a client can act on."""

from fincoach.kit.errors import FincoachError


class Unauthenticated(FincoachError):
    """No credentials, or credentials that prove nothing (forged, expired, revoked): 401.

    The app answers it with `WWW-Authenticate: Bearer` (RFC 6750).
    """

    status_code = 401

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        # RFC 6750 §3.1: a request with no credentials gets no error code.
        self.missing = missing


class Forbidden(FincoachError):
    """Authenticated, but this principal may not do this: 403."""

    status_code = 403


class RateLimited(FincoachError):
    """Too many requests of one kind: 429 with Retry-After."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
