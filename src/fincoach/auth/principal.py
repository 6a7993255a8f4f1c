"""Who is calling: a bearer credential (JWT or API key) turned into a Principal, and the checks
every endpoint uses (admin only, owner or admin)."""

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from fincoach.auth.api_keys import find_api_key, looks_like_api_key
from fincoach.auth.errors import Forbidden, Unauthenticated
from fincoach.auth.tokens import decode_token
from fincoach.config import Settings
from fincoach.models import Role, User

# Longer headers are refused before any parsing: no credential of ours is this long.
MAX_CREDENTIAL_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: uuid.UUID
    role: Role
    via: Literal["token", "api_key"]

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def bearer_credential(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated(
            "authentication required: send Authorization: Bearer <token>", missing=True
        )
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthenticated("use the Bearer scheme: Authorization: Bearer <token>")
    if len(credential) > MAX_CREDENTIAL_LENGTH:
        raise Unauthenticated("the bearer credential is too long")
    return credential


def authenticate(session: Session, settings: Settings, authorization: str | None) -> Principal:
    credential = bearer_credential(authorization)
    if looks_like_api_key(credential):
        key = find_api_key(session, credential)
        if key is None:
            raise Unauthenticated("the API key is unknown, revoked or expired")
        user = session.get(User, key.user_id)
        if user is None:  # pragma: no cover - the key row is deleted with its user
            raise Unauthenticated("the API key's user no longer exists")
        return Principal(user.id, user.role, "api_key")
    claims = decode_token(settings, credential)
    user = session.get(User, claims.user_id)
    if user is None:
        raise Unauthenticated("the token's user no longer exists")
    # A token never grants more than the user holds now: demoting a user demotes their tokens.
    role = Role.ADMIN if claims.role is Role.ADMIN and user.role is Role.ADMIN else Role.USER
    return Principal(user.id, role, "token")


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("this operation needs the admin role")


def require_owner(principal: Principal, user_id: uuid.UUID) -> None:
    """A user reaches only their own data; an admin reaches anyone's."""
    if not principal.is_admin and principal.user_id != user_id:
        raise Forbidden("this user_id is not yours: you can reach only your own data")
