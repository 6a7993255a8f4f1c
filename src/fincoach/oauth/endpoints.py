"""HTTP endpoints of the Gmail connect flow; the app includes `router`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Cookie, Query, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from fincoach.auth.openapi import PROTECTED, error_responses
from fincoach.deps import OwnedUserId, SessionDep, SettingsDep
from fincoach.models import MailboxStatus
from fincoach.oauth import service
from fincoach.oauth.binding import COOKIE_NAME, cookie_attributes

router = APIRouter(prefix="/api/v1/oauth/google", tags=["oauth"])


class AuthorizationStart(BaseModel):
    authorization_url: str


class ConnectedMailbox(BaseModel):
    mailbox_id: uuid.UUID
    user_id: uuid.UUID
    address: str  # the Gmail address Google's profile names: what was actually connected
    status: MailboxStatus


@router.get(
    "/start/{user_id}",
    response_model=AuthorizationStart,
    responses={
        307: {"description": "`redirect=true`: to Google's consent page."},
        **PROTECTED,
        **error_responses(503),
    },
)
def start(
    user_id: OwnedUserId,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    redirect: Annotated[bool, Query(description="Answer 307 to Google instead of JSON.")] = False,
    login_hint: Annotated[str | None, Query(max_length=320)] = None,
) -> AuthorizationStart | RedirectResponse:
    """Start connecting a Gmail account: Google's consent URL for read-only access.

    The answer sets an HttpOnly cookie that binds the connect to this browser: call it from the
    browser that will consent (e.g. a same-origin `fetch`), or the callback refuses with 400.
    """
    consent = service.start_authorization(session, settings, user_id=user_id, login_hint=login_hint)
    cookie = cookie_attributes(settings)
    if redirect:
        to_google = RedirectResponse(consent.url)
        to_google.set_cookie(COOKIE_NAME, consent.browser_nonce, **cookie)
        return to_google
    response.set_cookie(COOKIE_NAME, consent.browser_nonce, **cookie)
    return AuthorizationStart(authorization_url=consent.url)


# Public: Google's redirect carries no bearer token; the sealed `state` says who started the
# connect, and the binding cookie proves this browser is the one that did.
@router.get(
    "/callback", response_model=ConnectedMailbox, responses=error_responses(400, 404, 422, 502)
)
def callback(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    binding: Annotated[str | None, Cookie(alias=COOKIE_NAME, max_length=200)] = None,
) -> ConnectedMailbox:
    """Google redirects here: exchange the code and store the Gmail mailbox's token encrypted.

    Answers the connected mailbox with the Gmail address Google's profile gave. 400 when the
    state is missing, forged or expired, or this browser did not start the connect.
    """
    mailbox = service.complete_authorization(
        session, settings, code=code, state=state, browser_nonce=binding, error=error
    )
    # Used: a second callback with the same cookie has nothing left to bind to.
    attributes = cookie_attributes(settings)
    response.delete_cookie(
        COOKIE_NAME,
        path=attributes["path"],
        secure=attributes["secure"],
        httponly=True,
        samesite="lax",
    )
    return ConnectedMailbox(
        mailbox_id=mailbox.id,
        user_id=mailbox.user_id,
        address=mailbox.address,
        status=mailbox.status,
    )
