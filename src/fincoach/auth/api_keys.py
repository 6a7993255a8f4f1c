"""API keys: `fck_<prefix>_<secret>`; the row keeps the prefix and sha256(secret), never the key.

The prefix finds the row with an index lookup; the secret's hash is then compared in constant
time, so response timing tells nothing about how much of a guessed key was right.
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.kit.errors import NotFound
from fincoach.models import ApiKey

KEY_MARKER = "fck"
PREFIX_BYTES = 8
SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class NewApiKey:
    row: ApiKey
    key: str  # shown to its owner once; only its hash is stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_api_key(credential: str) -> bool:
    return credential.startswith(KEY_MARKER + "_")


def create_api_key(
    session: Session, *, user_id: uuid.UUID, name: str, ttl: timedelta | None = None
) -> NewApiKey:
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = ApiKey(
        user_id=user_id,
        prefix=prefix,
        secret_hash=_hash(secret),
        name=name,
        expires_at=datetime.now(UTC) + ttl if ttl is not None else None,
    )
    session.add(row)
    session.flush()
    return NewApiKey(row, f"{KEY_MARKER}_{prefix}_{secret}")


def find_api_key(session: Session, key: str) -> ApiKey | None:
    """The live key row this key opens, or None (unknown, wrong secret, revoked, expired)."""
    marker, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if marker != KEY_MARKER or not prefix or not secret or len(prefix) > 32:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    # Hash even when the prefix is unknown, so both paths cost the same.
    expected = row.secret_hash if row is not None else _hash("")
    if not hmac.compare_digest(_hash(secret), expected) or row is None:
        return None
    if row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= datetime.now(UTC):
        return None
    return row


def keys_of(session: Session, user_id: uuid.UUID) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at.desc())
        )
    )


def revoke_api_key(session: Session, *, user_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None or row.user_id != user_id:
        # Someone else's key is "not found" for this user: its existence is not theirs to learn.
        raise NotFound("api key not found")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.flush()
    return row
