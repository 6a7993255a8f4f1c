"""What the auth endpoints take and answer."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fincoach.models import ApiKey


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    ttl_days: int | None = Field(default=None, ge=1, le=3650, description="None: no expiry.")


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> "ApiKeyOut":
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself: shown once, only its hash is stored.")


class TokenIn(BaseModel):
    user_id: uuid.UUID
    role: Literal["user", "admin"] = "user"
    ttl_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 365)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the scheme name, RFC 6749)
    expires_at: datetime


class Me(BaseModel):
    user_id: uuid.UUID
    email: str
    role: Literal["user", "admin"]
    via: Literal["token", "api_key"]
