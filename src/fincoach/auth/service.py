"""Issuing tokens and managing roles: what the CLI and the admin endpoints call."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.auth.tokens import issue_token
from fincoach.config import Settings
from fincoach.kit.errors import BadRequest
from fincoach.models import Role, User
from fincoach.users.service import get_or_create_user, get_user


def token_for_user(
    session: Session,
    settings: Settings,
    *,
    user_id: uuid.UUID,
    role: Role = Role.USER,
    ttl: timedelta | None = None,
) -> tuple[str, datetime]:
    """A signed token for an existing user, and when it expires."""
    user = get_user(session, user_id)
    if role is Role.ADMIN and user.role is not Role.ADMIN:
        raise BadRequest("this user is not an admin: an admin token cannot be issued for them")
    lifetime = ttl if ttl is not None else timedelta(minutes=settings.access_token_ttl_minutes)
    token = issue_token(settings, user_id=user.id, role=role, ttl=lifetime)
    return token, datetime.now(UTC) + lifetime


def ensure_user(session: Session, *, email: str, role: Role | None = None) -> User:
    """The user with this email (created if new), with `role` when one is given."""
    user = get_or_create_user(session, email=email)
    if role is not None and user.role is not role:
        user.role = role
        session.flush()
    return user


def all_users(session: Session, *, limit: int, offset: int) -> list[User]:
    """Every user, oldest first (admins only; belongs in users/service.py when that is open)."""
    return list(
        session.scalars(select(User).order_by(User.created_at, User.id).limit(limit).offset(offset))
    )
