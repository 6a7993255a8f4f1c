"""Re-encrypt every stored mailbox credential under the newest TOKEN_ENCRYPTION_KEYS key.

After it ran, the old keys can be dropped from TOKEN_ENCRYPTION_KEYS. Idempotent: running it
twice only re-encrypts under the same newest key again.
"""

import uuid
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fincoach.kit.crypto import TokenCipher
from fincoach.models import Mailbox

CHUNK = 500


@dataclass(slots=True)
class RotationResult:
    rotated: int = 0
    # Credentials no configured key opens: a key was dropped before they were rotated.
    unreadable: list[uuid.UUID] = field(default_factory=list)


def rotate_credentials(session: Session, cipher: TokenCipher) -> RotationResult:
    """Walk the mailboxes in id order, a chunk at a time, re-encrypting each credential."""
    result = RotationResult()
    last: uuid.UUID | None = None
    while True:
        query = (
            select(Mailbox.id, Mailbox.credentials_encrypted)
            .where(Mailbox.credentials_encrypted.is_not(None))
            .order_by(Mailbox.id)
            .limit(CHUNK)
        )
        if last is not None:
            query = query.where(Mailbox.id > last)
        rows = session.execute(query).all()
        if not rows:
            return result
        for mailbox_id, blob in rows:
            if blob is None:  # pragma: no cover - excluded by the query
                continue
            try:
                fresh = cipher.rotate(blob)
            except InvalidToken:
                result.unreadable.append(mailbox_id)
                continue
            # Compare-and-set: a credential replaced meanwhile (a reconnect) is left alone.
            changed = session.execute(
                update(Mailbox)
                .where(Mailbox.id == mailbox_id, Mailbox.credentials_encrypted == blob)
                .values(credentials_encrypted=fresh)
                .execution_options(synchronize_session=False)
            )
            result.rotated += changed.rowcount  # type: ignore[attr-defined]
        session.flush()
        last = rows[-1][0]
