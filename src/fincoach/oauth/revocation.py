"""Ending a Gmail grant at Google when its mailbox is removed.

Google's revocation endpoint (GOOGLE_REVOKE_URI, https://oauth2.googleapis.com/revoke) takes the
refresh token form-encoded and answers 200 when the grant is ended, or 400 `invalid_token` when
it already was (revoked by the user, expired); revoking a refresh token also ends every access
token issued from it ("Revoking a token", Google's OAuth 2.0 for web server applications).

A failed call does not keep anybody's data: the mailbox removal goes on and deletes the stored
token anyway (then nobody holds it), and the answer says `failed`, so the owner knows to remove
FinCoach's access at https://myaccount.google.com/permissions themselves.
"""

from enum import StrEnum

import httpx
import structlog

from fincoach.config import Settings

log = structlog.get_logger(__name__)

REVOKE_TIMEOUT_S = 10.0


class Revocation(StrEnum):
    REVOKED = "revoked"  # Google ended the grant
    ALREADY_INVALID = "already_invalid"  # Google knew the token no more: nothing to end
    NOT_NEEDED = "not_needed"  # no Google grant stored: not Gmail, or its token already dropped
    FAILED = "failed"  # Google could not be reached or failed; the token is deleted anyway


def revoke_refresh_token(settings: Settings, refresh_token: str) -> Revocation:
    """Ask Google to end the grant of `refresh_token`; never raises for Google's answer."""
    # Retries cover only connections that failed before a byte was sent: always safe.
    transport = httpx.HTTPTransport(retries=2)
    try:
        with httpx.Client(transport=transport, timeout=REVOKE_TIMEOUT_S) as client:
            answer = client.post(settings.google_revoke_uri, data={"token": refresh_token})
    except httpx.HTTPError as exc:
        log.warning("oauth.revocation_unreachable", error=type(exc).__name__)
        return Revocation.FAILED
    if answer.status_code == httpx.codes.OK:
        return Revocation.REVOKED
    if answer.status_code == httpx.codes.BAD_REQUEST and _error_code(answer) == "invalid_token":
        return Revocation.ALREADY_INVALID
    log.warning("oauth.revocation_refused", status=answer.status_code)
    return Revocation.FAILED


def _error_code(answer: httpx.Response) -> str | None:
    try:
        body = answer.json()
    except ValueError:
        return None
    return str(body.get("error")) if isinstance(body, dict) else None
