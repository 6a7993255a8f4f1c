"""The Gmail connect flow end to end: our router, the official OAuth library, the emulator."""

import time
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from fincoach.auth.tokens import issue_token
from fincoach.config import Settings
from fincoach.deps import get_session, get_settings
from fincoach.kit.crypto import TokenCipher
from fincoach.kit.errors import FincoachError
from fincoach.mail.base import AuthorizationRevoked
from fincoach.mail.factory import open_source
from fincoach.models import Mailbox, MailboxStatus, MailProvider, Role, User
from fincoach.oauth.binding import COOKIE_NAME, digest_of
from fincoach.oauth.endpoints import router
from fincoach.oauth.state import StatePayload, seal_state
from fincoach.users.service import mark_reauth_required
from tests.factories import create_user
from tests.oauth.emulator_server import RunningEmulator, running_emulator

CALLBACK = "/api/v1/oauth/google/callback"


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(address="carol@fincoach.example", count=40) as running:
        yield running


@pytest.fixture
def settings(emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # oauthlib insists on https unless told otherwise; the emulator speaks plain http.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return emu.settings()


@pytest.fixture
def client(session: Session, settings: Settings) -> TestClient:
    app = FastAPI()
    app.include_router(router)

    @app.exception_handler(FincoachError)
    async def domain_error(request: Request, exc: FincoachError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)

    def test_session() -> Iterator[Session]:
        yield session  # the fixture's outer transaction is rolled back after the test

    app.dependency_overrides[get_session] = test_session
    app.dependency_overrides[get_settings] = lambda: settings
    app.state.settings = settings
    return TestClient(app)


def as_user(client: TestClient, user: User, role: Role = Role.USER) -> dict[str, str]:
    """A real signed token for `user`: starting a connect needs one; the callback does not."""
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {issue_token(settings, user_id=user.id, role=role)}"}


def _consent(url: str) -> dict[str, str]:
    """What the user's browser does: open Google's page, follow it back to our callback."""
    answer = httpx.get(url, follow_redirects=False, timeout=30)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert location.path == CALLBACK
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def test_start_to_callback_stores_the_refresh_token_encrypted(
    client: TestClient, session: Session, emu: RunningEmulator, settings: Settings
) -> None:
    user = create_user(session, email=emu.address)
    started = client.get(f"/api/v1/oauth/google/start/{user.id}", headers=as_user(client, user))
    assert started.status_code == 200
    url = started.json()["authorization_url"]
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == ["https://www.googleapis.com/auth/gmail.readonly"]
    assert query["access_type"] == ["offline"]
    assert query["prompt"] == ["consent"]
    assert query["code_challenge_method"] == ["S256"]
    assert str(user.id) not in url  # the state is sealed, not readable

    back = _consent(url)
    connected = client.get(CALLBACK, params=back)
    assert connected.status_code == 200, connected.text
    body = connected.json()
    assert body["address"] == emu.address
    assert body["status"] == "active"
    # The binding is spent: the answer clears the cookie.
    assert COOKIE_NAME not in client.cookies

    mailbox = session.get_one(Mailbox, uuid.UUID(body["mailbox_id"]))
    assert mailbox.provider is MailProvider.GMAIL
    assert mailbox.user_id == user.id
    assert mailbox.credentials_encrypted is not None
    assert emu.refresh_token.encode() not in mailbox.credentials_encrypted
    cipher = TokenCipher(settings.token_encryption_keys)
    assert cipher.decrypt(mailbox.credentials_encrypted) == emu.refresh_token

    # The stored token is what the sync uses: the factory opens a working source from it.
    source = open_source(mailbox, settings)
    assert source.current_cursor() == str(1000 + emu.mailbox.count)


def test_redirect_mode_answers_with_a_redirect(
    client: TestClient, session: Session, emu: RunningEmulator
) -> None:
    user = create_user(session, email=emu.address)
    answer = client.get(
        f"/api/v1/oauth/google/start/{user.id}",
        headers=as_user(client, user),
        params={"redirect": "true"},
        follow_redirects=False,
    )
    assert answer.status_code == 307
    assert answer.headers["location"].startswith(f"{emu.base}/o/oauth2/v2/auth?")


@pytest.mark.parametrize("unset", ["google_client_id", "google_client_secret"])
def test_without_an_oauth_client_starting_says_what_to_configure(
    client: TestClient, session: Session, settings: Settings, unset: str
) -> None:
    # Not a Google URL with `client_id=` empty, which Google answers with a bare error page.
    empty = "" if unset == "google_client_id" else SecretStr("")
    unconfigured = settings.model_copy(update={unset: empty})
    app: FastAPI = client.app  # type: ignore[assignment]
    app.dependency_overrides[get_settings] = lambda: unconfigured
    user = create_user(session)
    answer = client.get(f"/api/v1/oauth/google/start/{user.id}", headers=as_user(client, user))
    assert answer.status_code == 503, answer.text
    detail = answer.json()["detail"]
    assert detail.startswith("Gmail connect is not configured: set GOOGLE_CLIENT_ID")
    assert COOKIE_NAME not in answer.cookies


def test_unknown_user_cannot_start(client: TestClient, session: Session) -> None:
    admin = create_user(session)
    admin.role = Role.ADMIN
    session.flush()
    answer = client.get(
        f"/api/v1/oauth/google/start/{uuid.uuid4()}", headers=as_user(client, admin, Role.ADMIN)
    )
    assert answer.status_code == 404


def test_starting_needs_a_token_and_reaches_only_your_own_user(
    client: TestClient, session: Session
) -> None:
    alice, bob = create_user(session), create_user(session)
    url = f"/api/v1/oauth/google/start/{alice.id}"
    assert client.get(url).status_code == 401
    refused = client.get(url, headers=as_user(client, bob))
    assert refused.status_code == 403
    assert "not yours" in refused.json()["detail"]
    assert client.get(url, headers=as_user(client, alice)).status_code == 200


def test_tampered_state_is_refused(
    client: TestClient, session: Session, emu: RunningEmulator
) -> None:
    user = create_user(session, email=emu.address)
    back = _consent(
        client.get(f"/api/v1/oauth/google/start/{user.id}", headers=as_user(client, user)).json()[
            "authorization_url"
        ]
    )
    state = back["state"]
    forged = state[:-6] + ("A" if state[-6] != "A" else "B") + state[-5:]
    answer = client.get(CALLBACK, params={**back, "state": forged})
    assert answer.status_code == 400
    assert "invalid or has expired" in answer.json()["detail"]


def test_expired_state_is_refused(
    client: TestClient, session: Session, settings: Settings, emu: RunningEmulator
) -> None:
    user = create_user(session, email=emu.address)
    old = seal_state(
        settings, StatePayload(user.id, "v" * 64, digest_of("n")), issued_at=int(time.time()) - 3600
    )
    answer = client.get(CALLBACK, params={"code": "4/0whatever", "state": old})
    assert answer.status_code == 400
    assert "expired" in answer.json()["detail"]


def test_missing_state_and_denied_consent_are_refused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    assert client.get(CALLBACK, params={"code": "x"}).status_code == 400
    user = create_user(session)
    url = client.get(f"/api/v1/oauth/google/start/{user.id}", headers=as_user(client, user))
    state = parse_qs(urlsplit(url.json()["authorization_url"]).query)["state"][0]
    # What Google sends back to the starting browser when the person says no.
    denied = client.get(CALLBACK, params={"error": "access_denied", "state": state})
    assert denied.status_code == 400
    assert "access_denied" in denied.json()["detail"]


def test_a_code_cannot_be_used_twice_nor_with_another_verifier(
    client: TestClient, session: Session, settings: Settings, emu: RunningEmulator
) -> None:
    user = create_user(session, email=emu.address)
    first = _consent(
        client.get(f"/api/v1/oauth/google/start/{user.id}", headers=as_user(client, user)).json()[
            "authorization_url"
        ]
    )
    # Another flow's state carries another verifier: PKCE makes the code useless with it.
    # (sealed for this very browser, so that only the verifier differs)
    this_browser = digest_of(client.cookies[COOKIE_NAME])
    other = seal_state(settings, StatePayload(user.id, "w" * 64, this_browser))
    mismatch = client.get(CALLBACK, params={"code": first["code"], "state": other})
    assert mismatch.status_code == 400
    assert "invalid_grant" in mismatch.json()["detail"]
    # The emulator, like Google, burns a code on first use, even a failed one.
    again = client.get(CALLBACK, params=first)
    assert again.status_code == 400


def test_mark_reauth_required_stops_the_mailbox(
    client: TestClient, session: Session, emu: RunningEmulator, settings: Settings
) -> None:
    user = create_user(session, email=emu.address)
    back = _consent(
        client.get(f"/api/v1/oauth/google/start/{user.id}", headers=as_user(client, user)).json()[
            "authorization_url"
        ]
    )
    mailbox_id = uuid.UUID(client.get(CALLBACK, params=back).json()["mailbox_id"])
    mailbox = session.get_one(Mailbox, mailbox_id)
    mark_reauth_required(session, mailbox=mailbox, reason="gmail access was revoked")
    assert mailbox.status is MailboxStatus.REAUTH_REQUIRED
    assert mailbox.status_reason == "gmail access was revoked"
    assert mailbox.credentials_encrypted is None
    with pytest.raises(AuthorizationRevoked):
        open_source(mailbox, settings)

    # Connecting again brings it back.
    back = _consent(
        client.get(f"/api/v1/oauth/google/start/{user.id}", headers=as_user(client, user)).json()[
            "authorization_url"
        ]
    )
    assert client.get(CALLBACK, params=back).json()["mailbox_id"] == str(mailbox_id)
    session.refresh(mailbox)
    again = session.get_one(Mailbox, mailbox_id)
    assert again.status is MailboxStatus.ACTIVE
    assert again.status_reason is None


# --- the browser binding (RFC 6749 §10.12, RFC 9700 §4.7) --------------------------------


def _gmail_mailboxes(session: Session, *users: User) -> list[Mailbox]:
    """The Gmail mailboxes of `users` (other tests' rows may share the database)."""
    owners = [user.id for user in users]
    query = session.query(Mailbox).filter(
        Mailbox.provider == MailProvider.GMAIL, Mailbox.user_id.in_(owners)
    )
    return list(query)


def test_a_consent_link_completed_in_another_browser_connects_nothing(
    client: TestClient, session: Session, emu: RunningEmulator
) -> None:
    """Alice's consent link, opened by Bob: Bob's Gmail must never land in Alice's ledger."""
    alice, bob = create_user(session, email=emu.address), create_user(session)
    alice_link = client.get(
        f"/api/v1/oauth/google/start/{alice.id}", headers=as_user(client, alice)
    ).json()["authorization_url"]

    bob_browser = TestClient(client.app)  # another browser: none of Alice's cookies
    no_cookie = bob_browser.get(CALLBACK, params=_consent(alice_link))
    assert no_cookie.status_code == 400, no_cookie.text
    assert "not started in this browser" in no_cookie.json()["detail"]

    # Bob has a connect of his own in progress: his cookie is not Alice's either.
    started = bob_browser.get(f"/api/v1/oauth/google/start/{bob.id}", headers=as_user(client, bob))
    assert started.status_code == 200
    other_cookie = bob_browser.get(CALLBACK, params=_consent(alice_link))
    assert other_cookie.status_code == 400, other_cookie.text
    assert "another browser" in other_cookie.json()["detail"]

    assert _gmail_mailboxes(session, alice, bob) == []
    # Alice, in her own browser, still connects with a fresh link.
    fresh = client.get(
        f"/api/v1/oauth/google/start/{alice.id}", headers=as_user(client, alice)
    ).json()["authorization_url"]
    connected = client.get(CALLBACK, params=_consent(fresh))
    assert connected.status_code == 200, connected.text
    assert connected.json()["user_id"] == str(alice.id)
    assert connected.json()["address"] == emu.address  # the Gmail profile's address, shown


def test_the_binding_cookie_is_http_only_lax_and_scoped_to_the_callback(
    client: TestClient, session: Session, emu: RunningEmulator
) -> None:
    user = create_user(session)
    for params in ({}, {"redirect": "true"}):
        answer = client.get(
            f"/api/v1/oauth/google/start/{user.id}",
            headers=as_user(client, user),
            params=params,
            follow_redirects=False,
        )
        cookie = answer.headers["set-cookie"]
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "samesite", "max-age", "path"} <= attributes, cookie
        assert "samesite=lax" in cookie.lower()
        assert f"path={CALLBACK}" in cookie.lower()
        assert "secure" not in attributes  # the emulator's redirect URI is plain http
        nonce = cookie.split(";")[0].split("=", 1)[1]
        location = answer.headers.get("location") or answer.json()["authorization_url"]
        assert nonce not in location  # only its hash travels, sealed inside the state


def test_the_binding_cookie_is_secure_when_the_public_url_is_https(
    session: Session, emu: RunningEmulator, client: TestClient
) -> None:
    public = emu.settings(google_redirect_uri=f"https://fincoach.example{CALLBACK}")
    client.app.dependency_overrides[get_settings] = lambda: public
    user = create_user(session)
    answer = client.get(f"/api/v1/oauth/google/start/{user.id}", headers=as_user(client, user))
    assert answer.status_code == 200
    assert "; secure" in answer.headers["set-cookie"].lower()
