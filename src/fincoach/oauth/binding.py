"""Binding the Gmail connect flow to the browser that started it.

Why: the callback is public (Google's redirect carries no bearer token), so a sealed `state`
alone proves only that *someone* started the flow. If user A's consent link is opened in B's
browser, B consents with B's Gmail and, without a binding, B's mailbox lands in A's ledger
(account-linking CSRF). RFC 6749 §10.12 and RFC 9700 §4.7 (OAuth 2.0 Security Best Current
Practice) prescribe the fix used here: the start answer sets a random nonce in a cookie of the
starting browser; the state carries the nonce's SHA-256, sealed with the user id; the callback
connects only when the browser's cookie hashes to the state's value.

The cookie is HttpOnly (no script reads it), SameSite=Lax (sent on Google's top-level redirect
back to us, not on cross-site subrequests), Secure when the public callback URL is https, scoped
to the callback's path and as short-lived as the state.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal, TypedDict
from urllib.parse import urlsplit

from fincoach.config import Settings
from fincoach.kit.errors import BadRequest
from fincoach.oauth.state import STATE_TTL_S

COOKIE_NAME = "fincoach_oauth_binding"
NONCE_BYTES = 32


class BrowserNotBound(BadRequest):
    """The callback came from a browser that did not start this connect (or lost its cookie)."""


@dataclass(frozen=True, slots=True)
class BrowserBinding:
    """`nonce` goes to the browser's cookie; `digest` (hex SHA-256 of it) into the state."""

    nonce: str
    digest: str


class CookieAttributes(TypedDict):
    max_age: int
    path: str
    secure: bool
    httponly: bool
    samesite: Literal["lax"]


def new_binding() -> BrowserBinding:
    """A fresh random nonce (256 bits) and its digest."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    return BrowserBinding(nonce=nonce, digest=digest_of(nonce))


def digest_of(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def cookie_attributes(settings: Settings) -> CookieAttributes:
    """Set-Cookie attributes for the nonce, derived from the public callback URL (settings)."""
    callback = urlsplit(settings.google_redirect_uri)
    return CookieAttributes(
        max_age=STATE_TTL_S,
        path=callback.path or "/",
        secure=callback.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def check_binding(expected_digest: str, cookie: str | None) -> None:
    """Raise BrowserNotBound (400) unless `cookie` is the nonce whose digest the state sealed."""
    if not cookie:
        raise BrowserNotBound(
            "this Gmail connect was not started in this browser (no binding cookie); "
            "start again from the browser you consent in"
        )
    if not hmac.compare_digest(digest_of(cookie), expected_digest):
        raise BrowserNotBound(
            "this Gmail connect was started in another browser or session; nothing was "
            "connected. Start again from this browser"
        )
