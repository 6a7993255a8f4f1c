"""Errors shaped exactly as Google APIs answer them, so clients take their real error paths."""

from __future__ import annotations

import json
from typing import Any

# HTTP status -> the canonical google.rpc status name Google puts in `error.status`.
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
}


class GmailApiError(Exception):
    """One failed API call; `body()` is the JSON document Gmail would send."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        reason: str,
        domain: str = "global",
        headers: dict[str, str] | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> bytes:
        detail: dict[str, Any] = {
            "message": self.message,
            "domain": self.domain,
            "reason": self.reason,
            **self.extra,
        }
        doc = {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [detail],
                "status": _STATUS_NAMES.get(self.code, "UNKNOWN"),
            }
        }
        return json.dumps(doc).encode()


def unauthenticated() -> GmailApiError:
    return GmailApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        reason="authError",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
        extra={"location": "Authorization", "locationType": "header"},
    )


def not_found(message: str = "Requested entity was not found.") -> GmailApiError:
    return GmailApiError(404, message, reason="notFound")


def bad_request(message: str) -> GmailApiError:
    return GmailApiError(400, message, reason="invalidArgument")


def delegation_denied(address: str) -> GmailApiError:
    return GmailApiError(403, f"Delegation denied for {address}", reason="forbidden")


def rate_limited(*, status: int, retry_after: int) -> GmailApiError:
    # Gmail answers a per-user overrun with 429 `rateLimitExceeded` or 403 `userRateLimitExceeded`.
    reason = "rateLimitExceeded" if status == 429 else "userRateLimitExceeded"
    message = "User-rate limit exceeded. Retry after the delay in Retry-After."
    return GmailApiError(
        status,
        message,
        reason=reason,
        domain="usageLimits",
        headers={"Retry-After": str(retry_after)},
    )


def backend_error(code: int = 503) -> GmailApiError:
    return GmailApiError(code, "The service is currently unavailable.", reason="backendError")
