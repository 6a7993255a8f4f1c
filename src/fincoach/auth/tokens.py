"""JWT access tokens: HS256 signed with SECRET_KEY; `sub` is the user id, `role` user or admin.

PyJWT checks the signature, `exp` and the algorithm (only HS256 is accepted, so a token with
`alg: none` or an RS256 confusion attack is refused). Tokens signed with a key listed in
PREVIOUS_SECRET_KEYS stay valid until they expire, so SECRET_KEY can be rotated without logging
everybody out at once.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from fincoach.auth.errors import Unauthenticated
from fincoach.config import Settings
from fincoach.models import Role

ALGORITHM = "HS256"
ISSUER = "fincoach"
# A little slack for clocks of API replicas that disagree by a few seconds.
LEEWAY_S = 10


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: uuid.UUID
    role: Role
    expires_at: datetime


def issue_token(
    settings: Settings, *, user_id: uuid.UUID, role: Role, ttl: timedelta | None = None
) -> str:
    now = datetime.now(UTC)
    lifetime = ttl if ttl is not None else timedelta(minutes=settings.access_token_ttl_minutes)
    claims = {
        "sub": str(user_id),
        "role": role.value,
        "iss": ISSUER,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> TokenClaims:
    """The token's claims, or Unauthenticated with a reason that never quotes the token."""
    keys = [settings.secret_key, *settings.previous_secret_keys]
    for key in keys:
        try:
            claims = jwt.decode(
                token,
                key.get_secret_value(),
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                leeway=LEEWAY_S,
                options={"require": ["sub", "role", "exp", "iat", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired; get a new one") from None
        except jwt.InvalidSignatureError:
            continue  # maybe signed by a previous key
        except jwt.InvalidTokenError:
            raise Unauthenticated("the token is malformed or its claims are invalid") from None
        return _claims(claims)
    raise Unauthenticated("the token's signature is invalid")


def _claims(claims: dict[str, object]) -> TokenClaims:
    try:
        return TokenClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            role=Role(str(claims["role"])),
            expires_at=datetime.fromtimestamp(float(str(claims["exp"])), UTC),
        )
    except (ValueError, KeyError, OverflowError, OSError):
        # OverflowError/OSError: a signed `exp` beyond the calendar (1e20), found by fuzzing.
        raise Unauthenticated("the token is malformed or its claims are invalid") from None
