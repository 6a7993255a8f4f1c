"""Google OAuth for Gmail: the authorization URL, the code exchange, and re-authorisation.

The flow is google-auth-oauthlib's `Flow` (requests-oauthlib underneath), configured from
settings alone, so the emulator and Google are reached by the same code. oauthlib refuses
plain-http endpoints unless OAUTHLIB_INSECURE_TRANSPORT=1 is set: that is needed (and only
needed) when the endpoints are an emulator on http://127.0.0.1.
"""

import secrets
import uuid
from dataclasses import dataclass

import requests
from google_auth_oauthlib.flow import Flow
from googleapiclient.errors import HttpError
from oauthlib.oauth2 import OAuth2Error  # type: ignore[import-untyped]
from sqlalchemy.orm import Session

from fincoach.config import Settings
from fincoach.kit.crypto import TokenCipher
from fincoach.kit.errors import BadRequest, FincoachError
from fincoach.mail.gmail_client import GMAIL_READONLY_SCOPE, build_gmail
from fincoach.models import Mailbox, MailboxStatus, MailProvider
from fincoach.oauth.binding import check_binding, new_binding
from fincoach.oauth.state import StatePayload, open_state, seal_state
from fincoach.users.service import get_or_create_mailbox, get_user

SCOPES = [GMAIL_READONLY_SCOPE]
REASON_LIMIT = 500  # Mailbox.status_reason length


class ConsentRefused(BadRequest):
    """Google sent the user back with an error (denied access, wrong scope...)."""


class CodeExchangeFailed(BadRequest):
    """The token endpoint refused the code (expired, reused, or PKCE verifier mismatch)."""


class GmailProfileUnavailable(FincoachError):
    status_code = 502


class GmailConnectNotConfigured(FincoachError):
    """The service has no OAuth client: a consent URL would name an empty client id."""

    status_code = 503


NOT_CONFIGURED = (
    "Gmail connect is not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (your "
    "Google OAuth client, or the ones `fincoach gmail-emulator` prints) and restart the API"
)


def _flow(settings: Settings, verifier: str) -> Flow:
    config = {
        "web": {
            "client_id": settings.google_client_id,
            "client_secret": settings.google_client_secret.get_secret_value(),
            "auth_uri": settings.google_auth_uri,
            "token_uri": settings.google_token_uri,
            "redirect_uris": [settings.google_redirect_uri],
        }
    }
    return Flow.from_client_config(
        config,
        scopes=SCOPES,
        redirect_uri=settings.google_redirect_uri,
        code_verifier=verifier,
        autogenerate_code_verifier=False,
    )


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """Google's consent URL, and the nonce the starting browser must keep in its cookie."""

    url: str
    browser_nonce: str


def start_authorization(
    session: Session, settings: Settings, *, user_id: uuid.UUID, login_hint: str | None = None
) -> ConsentRequest:
    """Where to send the user's browser: Google's consent page for read-only Gmail access.

    `prompt=consent` with `access_type=offline` makes Google return a refresh token even when the
    user granted access before; PKCE S256 binds the code to a verifier only our state carries;
    the state also seals the digest of `browser_nonce`, which the caller sets as a cookie in the
    starting browser (oauth.binding), so that no other browser can complete this connect.
    NotFound (404) for an unknown user; GmailConnectNotConfigured (503) when the service has no
    OAuth client id or secret.
    """
    if not settings.google_client_id or not settings.google_client_secret.get_secret_value():
        raise GmailConnectNotConfigured(NOT_CONFIGURED)
    user = get_user(session, user_id)
    verifier = secrets.token_urlsafe(64)  # 86 characters, inside PKCE's 43..128
    binding = new_binding()
    state = seal_state(settings, StatePayload(user.id, verifier, binding.digest))
    url: str
    url, _ = _flow(settings, verifier).authorization_url(
        access_type="offline",
        prompt="consent",
        state=state,
        login_hint=login_hint or user.email,
    )
    return ConsentRequest(url=url, browser_nonce=binding.nonce)


def complete_authorization(
    session: Session,
    settings: Settings,
    *,
    code: str | None,
    state: str | None,
    browser_nonce: str | None,
    error: str | None = None,
) -> Mailbox:
    """Exchange the callback's code; store the refresh token, encrypted, on the Gmail mailbox.

    `browser_nonce` is the binding cookie of the browser that came back. Every check that can
    refuse (state sealed by us and fresh, this browser started it, Google granted access, a code
    came) runs before the code is exchanged, so a refused callback connects nothing. The mailbox
    is attached to the user sealed in the state, never to anyone the request names. Errors: 400
    (InvalidState, BrowserNotBound, ConsentRefused, CodeExchangeFailed), 404 for a user deleted
    meanwhile, 502 when the Gmail profile cannot be read.
    """
    if not state:
        raise BadRequest("the callback has no state; start again")
    payload = open_state(settings, state)
    check_binding(payload.browser_digest, browser_nonce)
    if error:
        # Google's error codes are a short fixed vocabulary (access_denied...), safe to echo.
        raise ConsentRefused(f"google did not grant access: {error[:60]}")
    if not code:
        raise BadRequest("the callback has no authorization code")
    user = get_user(session, payload.user_id)
    flow = _flow(settings, payload.verifier)
    try:
        flow.fetch_token(code=code)
    except (OAuth2Error, requests.RequestException) as exc:
        reason = getattr(exc, "error", None) or type(exc).__name__
        raise CodeExchangeFailed(f"google refused the authorization code ({reason})") from None
    credentials = flow.credentials
    refresh_token = credentials.refresh_token
    if not refresh_token:
        raise CodeExchangeFailed("google returned no refresh token; start again")
    address = _gmail_address(settings, credentials)
    mailbox = get_or_create_mailbox(
        session, user=user, provider=MailProvider.GMAIL, address=address
    )
    mailbox.credentials_encrypted = TokenCipher(settings.token_encryption_keys).encrypt(
        refresh_token
    )
    mailbox.status = MailboxStatus.ACTIVE
    mailbox.status_reason = None
    session.flush()
    return mailbox


def _gmail_address(settings: Settings, credentials: object) -> str:
    try:
        service = build_gmail(settings, credentials)  # type: ignore[arg-type]
        profile = service.users().getProfile(userId="me").execute(num_retries=3)
    except HttpError as exc:
        raise GmailProfileUnavailable(
            f"gmail profile unavailable (http {exc.resp.status})"
        ) from None
    return str(profile["emailAddress"]).lower()
