"""HTTP endpoints of authentication: who am I, API keys of the current user, tokens by admins."""

import uuid
from datetime import timedelta

from fastapi import APIRouter, status

from fincoach.auth import api_keys, service
from fincoach.auth.openapi import PROTECTED
from fincoach.auth.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut, Me, TokenIn, TokenOut
from fincoach.deps import AdminPrincipal, CurrentPrincipal, SessionDep, SettingsDep
from fincoach.models import Role
from fincoach.users.service import get_user

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=PROTECTED)


@router.get("/me")
def me(principal: CurrentPrincipal, session: SessionDep) -> Me:
    """Who the bearer credential belongs to, and the role it acts with."""
    user = get_user(session, principal.user_id)
    return Me(user_id=user.id, email=user.email, role=principal.role.value, via=principal.via)


@router.post("/api-keys", status_code=status.HTTP_201_CREATED)
def create_api_key(
    body: ApiKeyIn, principal: CurrentPrincipal, session: SessionDep
) -> ApiKeyCreated:
    """A new API key for the current user; the key is in this answer and nowhere else."""
    ttl = timedelta(days=body.ttl_days) if body.ttl_days is not None else None
    created = api_keys.create_api_key(session, user_id=principal.user_id, name=body.name, ttl=ttl)
    return ApiKeyCreated(**ApiKeyOut.of(created.row).model_dump(), key=created.key)


@router.get("/api-keys")
def list_api_keys(principal: CurrentPrincipal, session: SessionDep) -> list[ApiKeyOut]:
    """The current user's API keys (never the keys themselves)."""
    return [ApiKeyOut.of(row) for row in api_keys.keys_of(session, principal.user_id)]


@router.delete("/api-keys/{key_id}")
def revoke_api_key(
    key_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> ApiKeyOut:
    """Revoke one of the current user's API keys; it stops working at once."""
    row = api_keys.revoke_api_key(session, user_id=principal.user_id, key_id=key_id)
    return ApiKeyOut.of(row)


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def issue_token(
    body: TokenIn, _: AdminPrincipal, session: SessionDep, settings: SettingsDep
) -> TokenOut:
    """Admins only: a signed access token for a user (how a user made by an admin gets in)."""
    ttl = timedelta(minutes=body.ttl_minutes) if body.ttl_minutes is not None else None
    token, expires_at = service.token_for_user(
        session, settings, user_id=body.user_id, role=Role(body.role), ttl=ttl
    )
    return TokenOut(access_token=token, expires_at=expires_at)
