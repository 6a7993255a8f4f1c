"""HTTP endpoints of the Gmail connect flow; the app includes `router`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from fincoach.auth.openapi import PROTECTED, error_responses
from fincoach.deps import OwnedUserId, SessionDep, SettingsDep
from fincoach.models import MailboxStatus
from fincoach.oauth import service

router = APIRouter(prefix="/api/v1/oauth/google", tags=["oauth"])


class AuthorizationStart(BaseModel):
    authorization_url: str


class ConnectedMailbox(BaseModel):
    mailbox_id: uuid.UUID
    user_id: uuid.UUID
    address: str
    status: MailboxStatus


@router.get(
    "/start/{user_id}",
    response_model=AuthorizationStart,
    responses={307: {"description": "`redirect=true`: to Google's consent page."}, **PROTECTED},
)
def start(
    user_id: OwnedUserId,
    session: SessionDep,
    settings: SettingsDep,
    redirect: Annotated[bool, Query(description="Answer 307 to Google instead of JSON.")] = False,
    login_hint: Annotated[str | None, Query(max_length=320)] = None,
) -> AuthorizationStart | RedirectResponse:
    """Start connecting a Gmail account: Google's consent URL for read-only access."""
    url = service.authorization_url(session, settings, user_id=user_id, login_hint=login_hint)
    if redirect:
        return RedirectResponse(url)
    return AuthorizationStart(authorization_url=url)


# Public: Google's redirect carries no bearer token; the sealed `state` proves who started it.
@router.get(
    "/callback", response_model=ConnectedMailbox, responses=error_responses(400, 404, 422, 502)
)
def callback(
    session: SessionDep,
    settings: SettingsDep,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> ConnectedMailbox:
    """Google redirects here: exchange the code and store the Gmail mailbox's token encrypted."""
    mailbox = service.complete_authorization(session, settings, code=code, state=state, error=error)
    return ConnectedMailbox(
        mailbox_id=mailbox.id,
        user_id=mailbox.user_id,
        address=mailbox.address,
        status=mailbox.status,
    )
