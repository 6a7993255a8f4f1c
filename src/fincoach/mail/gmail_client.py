"""Building the official Gmail client from settings: production and tests differ by URLs only.

The discovery document is the one shipped inside google-api-python-client (`static_discovery`),
so building a client never touches the network; `api_endpoint` and `token_uri` point it at
Google or at our emulator.
"""

from typing import Any

import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2  # type: ignore[import-untyped]
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from fincoach.config import Settings
from fincoach.mail.base import AuthorizationRevoked

GMAIL_READONLY_SCOPE = "https://www.googleapis.com/auth/gmail.readonly"
# Gmail's documented batch endpoint. The client's own `new_batch_http_request()` posts to the
# discovery document's rootUrl and ignores `api_endpoint`, so the batch URI is built here.
BATCH_PATH = "/batch/gmail/v1"
HTTP_TIMEOUT_S = 60.0


def make_credentials(settings: Settings, refresh_token: str) -> Credentials:
    """User credentials from a refresh token; google-auth fetches access tokens as needed."""
    return Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=refresh_token,
        token_uri=settings.google_token_uri,
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret.get_secret_value(),
        scopes=[GMAIL_READONLY_SCOPE],
    )


def build_gmail(settings: Settings, credentials: Credentials) -> Any:
    """A `gmail v1` Resource that sends through its own authorised httplib2 connection.

    httplib2 connections are not thread-safe: one Resource per job/thread.
    """
    http = google_auth_httplib2.AuthorizedHttp(
        credentials, http=httplib2.Http(timeout=HTTP_TIMEOUT_S)
    )
    return build(
        "gmail",
        "v1",
        http=http,
        client_options={"api_endpoint": settings.gmail_api_endpoint},
        static_discovery=True,
        cache_discovery=False,
    )


def batch_uri(settings: Settings) -> str:
    return settings.gmail_api_endpoint.rstrip("/") + BATCH_PATH


def new_batch(settings: Settings) -> BatchHttpRequest:
    return BatchHttpRequest(batch_uri=batch_uri(settings))


def revoked_from(error: RefreshError) -> AuthorizationRevoked | None:
    """AuthorizationRevoked when the refresh failed with `invalid_grant`, else None.

    google-auth puts the token endpoint's JSON error into the exception's arguments; only its
    error code is looked at, and the message carries no token.
    """
    if "invalid_grant" in str(error):
        return AuthorizationRevoked(
            "gmail access was revoked or has expired (invalid_grant); reconnect the mailbox"
        )
    return None
