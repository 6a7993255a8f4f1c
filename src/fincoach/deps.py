"""Request dependencies, defined once as Annotated aliases."""

import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from fincoach.auth.principal import Principal, authenticate, require_admin, require_owner
from fincoach.config import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the boundary commits on success and rolls back on error.

    Function scope: the commit (and the task sends that wait for it) happens before the
    response is sent, so a client that reads right after a 2xx sees what it wrote.
    """
    with request.app.state.sessions() as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise
        session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]

# Declares the bearer scheme in the OpenAPI document; the checking is ours (auto_error=False),
# so that every failure is a 401 with a reason and a WWW-Authenticate header.
_bearer = HTTPBearer(
    auto_error=False,
    description="A JWT from `fincoach admin token` or `POST /api/v1/auth/tokens`, or an API key.",
)


def get_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return authenticate(session, settings, request.headers.get("authorization"))


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_admin(principal: CurrentPrincipal) -> Principal:
    require_admin(principal)
    return principal


AdminPrincipal = Annotated[Principal, Depends(get_admin)]


def owned_user_id(user_id: uuid.UUID, principal: CurrentPrincipal) -> uuid.UUID:
    """The path's user_id, once the caller is that user or an admin (403 otherwise)."""
    require_owner(principal, user_id)
    return user_id


# Use in place of `user_id: uuid.UUID` on every route with a user in its path.
OwnedUserId = Annotated[uuid.UUID, Depends(owned_user_id)]
