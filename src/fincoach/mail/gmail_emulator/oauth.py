"""OAuth 2.0 as Google's endpoints speak it: refresh and PKCE code grants, auto-approved consent.

Credentials are derived from the seed with HMAC, so the same seed prints the same credentials.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

GMAIL_SCOPES = frozenset(
    {
        "https://mail.google.com/",
        "https://www.googleapis.com/auth/gmail.readonly",
        "https://www.googleapis.com/auth/gmail.metadata",
        "https://www.googleapis.com/auth/gmail.modify",
        "openid",
        "email",
        "profile",
        "https://www.googleapis.com/auth/userinfo.email",
    }
)
DEFAULT_SCOPE = "https://www.googleapis.com/auth/gmail.readonly"
_CODE_TTL_S = 600.0


@dataclass(frozen=True, slots=True)
class Credentials:
    address: str
    client_id: str
    client_secret: str
    refresh_token: str


@dataclass(frozen=True, slots=True)
class _Code:
    address: str
    redirect_uri: str
    challenge: str
    scope: str
    expires: float


class OAuthServer:
    """Issues and checks tokens. Access tokens are random; refresh tokens are seed-derived."""

    def __init__(
        self,
        *,
        seed: int,
        addresses: list[str],
        token_lifetime_s: int = 3599,
        redirect_uris: tuple[str, ...] = (),
    ) -> None:
        self._key = hashlib.sha256(f"fincoach-gmail-emulator:{seed}".encode()).digest()
        self.client_id = f"{self._derive('client')[:24]}.apps.googleusercontent.com"
        self.client_secret = f"GOCSPX-{self._derive('secret')[:28]}"
        self.token_lifetime_s = token_lifetime_s
        self.redirect_uris = redirect_uris
        self._generation: dict[str, int] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> address
        self._access: dict[str, tuple[str, float]] = {}  # access token -> (address, expiry)
        self._codes: dict[str, _Code] = {}
        for address in addresses:
            self.add_user(address)

    def _derive(self, purpose: str) -> str:
        digest = hmac.new(self._key, purpose.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=").replace("-", "x")

    def add_user(self, address: str) -> None:
        key = address.lower()
        generation = self._generation.get(key, 0)
        self._generation[key] = generation
        self._refresh[self.refresh_token_for(key)] = key

    def refresh_token_for(self, address: str) -> str:
        key = address.lower()
        return f"1//{self._derive(f'refresh:{key}:{self._generation[key]}')}"

    def credentials(self, address: str) -> Credentials:
        return Credentials(
            address, self.client_id, self.client_secret, self.refresh_token_for(address)
        )

    def revoke(self, address: str) -> bool:
        """Revoke the user's refresh and access tokens (as a user removing the app's access)."""
        key = address.lower()
        if key not in self._generation:
            return False
        self._refresh.pop(self.refresh_token_for(key), None)
        self._generation[key] += 1
        self._access = {t: v for t, v in self._access.items() if v[0] != key}
        return True

    def user_for_any_token(self, token: str) -> str | None:
        """The address a live refresh or access token belongs to, or None."""
        address = self._refresh.get(token)
        if address is not None:
            return address
        return self.user_for_access_token(token)

    def user_for_access_token(self, token: str) -> str | None:
        entry = self._access.get(token)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def _issue_access(self, address: str) -> str:
        now = time.monotonic()
        if len(self._access) > 4 * len(self._generation) + 1000:
            # Drop expired tokens so a client refreshing in a loop cannot grow memory forever.
            self._access = {t: v for t, v in self._access.items() if v[1] >= now}
        token = f"ya29.{secrets.token_urlsafe(32)}"
        self._access[token] = (address, now + self.token_lifetime_s)
        return token

    def _token_body(self, address: str, scope: str, *, with_refresh: bool) -> dict[str, object]:
        body: dict[str, object] = {
            "access_token": self._issue_access(address),
            "expires_in": self.token_lifetime_s,
            "scope": scope,
            "token_type": "Bearer",
        }
        if with_refresh:
            body["refresh_token"] = self.refresh_token_for(address)
        return body

    def _redirect_allowed(self, uri: str) -> bool:
        if uri in self.redirect_uris:
            return True
        parts = urlsplit(uri)
        # Like Google's "installed app" clients: any loopback redirect is accepted.
        return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")

    # --- endpoints -----------------------------------------------------------------------------

    async def token_endpoint(self, request: Request) -> Response:
        """POST /token: refresh_token and authorization_code (with PKCE) grants."""
        # Parsed here, not with request.form(): Starlette needs python-multipart for that.
        pairs = parse_qsl((await request.body()).decode("utf-8", "replace"))
        form: dict[str, object] = dict(pairs)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            decoded = base64.b64decode(auth[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or not hmac.compare_digest(
            str(client_secret or ""), self.client_secret
        ):
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        grant = form.get("grant_type")
        if grant == "refresh_token":
            address = self._refresh.get(str(form.get("refresh_token", "")))
            if address is None:
                return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            return JSONResponse(self._token_body(address, DEFAULT_SCOPE, with_refresh=False))
        if grant == "authorization_code":
            return self._exchange_code(form)
        return _oauth_error(400, "unsupported_grant_type", "Invalid grant_type.")

    async def revoke_endpoint(self, request: Request) -> Response:
        """POST /revoke: as https://oauth2.googleapis.com/revoke.

        The token (refresh or access) comes in the form body or the query string. Revoking
        either ends the whole grant: the refresh token and every access token of the user, as
        Google does. An unknown, expired or already revoked token is a 400 `invalid_token`.
        """
        pairs = parse_qsl((await request.body()).decode("utf-8", "replace"))
        token = dict(pairs).get("token") or request.query_params.get("token", "")
        address = self.user_for_any_token(token) if token else None
        if address is None:
            return _oauth_error(400, "invalid_token", "Token expired or revoked")
        self.revoke(address)
        return JSONResponse({})

    def _exchange_code(self, form: dict[str, object]) -> Response:
        code = self._codes.pop(str(form.get("code", "")), None)
        if code is None or code.expires < time.monotonic():
            return _oauth_error(400, "invalid_grant", "Malformed auth code.")
        if form.get("redirect_uri") != code.redirect_uri:
            return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
        verifier = str(form.get("code_verifier", ""))
        if not verifier or not hmac.compare_digest(s256(verifier), code.challenge):
            return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
        if code.address not in self._generation:
            return _oauth_error(400, "invalid_grant", "Account not found.")
        return JSONResponse(self._token_body(code.address, code.scope, with_refresh=True))

    async def authorize_endpoint(self, request: Request) -> Response:
        """GET /o/oauth2/auth: approves at once for the user named by `login_hint` (testing)."""
        params = request.query_params
        if params.get("client_id") != self.client_id:
            return PlainTextResponse("Error 401: invalid_client", status_code=401)
        redirect_uri = params.get("redirect_uri", "")
        if not self._redirect_allowed(redirect_uri):
            return PlainTextResponse("Error 400: redirect_uri_mismatch", status_code=400)
        state = params.get("state")

        def back(**values: str) -> Response:
            if state is not None:
                values["state"] = state
            separator = "&" if "?" in redirect_uri else "?"
            return RedirectResponse(f"{redirect_uri}{separator}{urlencode(values)}", 302)

        scopes = params.get("scope", "").split()
        if params.get("response_type") != "code":
            return back(error="unsupported_response_type")
        if not scopes or not all(s in GMAIL_SCOPES for s in scopes):
            return back(error="invalid_scope")
        challenge = params.get("code_challenge", "")
        if params.get("code_challenge_method") != "S256" or not 43 <= len(challenge) <= 128:
            return back(error="invalid_request")
        address = params.get("login_hint", "").lower()
        if address not in self._generation:
            return back(error="access_denied")
        code = f"4/0{secrets.token_urlsafe(32)}"
        scope = " ".join(scopes)
        self._codes[code] = _Code(
            address, redirect_uri, challenge, scope, time.monotonic() + _CODE_TTL_S
        )
        return back(code=code, scope=scope)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
