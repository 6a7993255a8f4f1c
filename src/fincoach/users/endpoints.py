"""HTTP endpoints for users and their mailbox connections (the OAuth flow builds on these)."""

import uuid
from pathlib import Path

from fastapi import APIRouter, status

from fincoach.deps import SessionDep, SettingsDep
from fincoach.kit.errors import FincoachError
from fincoach.mail.local import LocalMailSource
from fincoach.models import MailProvider
from fincoach.users import service
from fincoach.users.schemas import LocalMailboxIn, MailboxOut, UserIn, UserOut

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, session: SessionDep) -> UserOut:
    """Create a user, or return the one with this email (idempotent)."""
    user = service.get_or_create_user(session, email=body.email)
    if body.display_name is not None:
        user.display_name = body.display_name
    session.flush()
    return UserOut.model_validate(user)


@router.get("/{user_id}")
def get_user(user_id: uuid.UUID, session: SessionDep) -> UserOut:
    """One user."""
    return UserOut.model_validate(service.get_user(session, user_id))


@router.get("/{user_id}/mailboxes")
def list_mailboxes(user_id: uuid.UUID, session: SessionDep) -> list[MailboxOut]:
    """The user's mailbox connections and their sync state."""
    service.get_user(session, user_id)
    return [MailboxOut.of(mailbox) for mailbox in service.mailboxes_of(session, user_id)]


@router.post("/{user_id}/mailboxes/local", status_code=status.HTTP_201_CREATED)
def connect_local_mailbox(
    user_id: uuid.UUID, body: LocalMailboxIn, session: SessionDep, settings: SettingsDep
) -> MailboxOut:
    """Connect a Maildir, mbox or .eml folder on the server (development and tests only)."""
    if settings.environment == "production":
        # A path on the server is not something a remote client may point us at.
        raise FincoachError("local mailboxes cannot be connected in production", 403)
    user = service.get_user(session, user_id)
    location = Path(body.path).resolve()
    LocalMailSource(location)  # refuses a path that does not exist, with a 400
    mailbox = service.get_or_create_mailbox(
        session,
        user=user,
        provider=MailProvider.LOCAL,
        address=body.address or user.email,
        location=str(location),
    )
    return MailboxOut.of(mailbox)
