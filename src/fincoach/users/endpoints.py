"""HTTP endpoints for users and their mailbox connections (the OAuth flow builds on these)."""

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, status

from fincoach.auth.openapi import PROTECTED
from fincoach.auth.service import all_users
from fincoach.deps import (
    AdminPrincipal,
    CurrentPrincipal,
    OwnedUserId,
    SessionDep,
    SettingsDep,
)
from fincoach.kit.errors import BadRequest, FincoachError
from fincoach.mail.local import LocalMailSource
from fincoach.models import MailProvider
from fincoach.users import removal, service
from fincoach.users.schemas import (
    LocalMailboxIn,
    MailboxOut,
    MailboxRemovedOut,
    UserDeletedOut,
    UserIn,
    UserOut,
)

router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=PROTECTED)
mailboxes_router = APIRouter(prefix="/api/v1/mailboxes", tags=["users"], responses=PROTECTED)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, _: AdminPrincipal, session: SessionDep) -> UserOut:
    """Admins only: create a user, or return the one with this email (idempotent)."""
    user = service.get_or_create_user(session, email=body.email)
    if body.display_name is not None:
        user.display_name = body.display_name
    session.flush()
    return UserOut.model_validate(user)


@router.get("")
def list_users(
    _: AdminPrincipal,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[UserOut]:
    """Admins only: every user, oldest first."""
    return [UserOut.model_validate(u) for u in all_users(session, limit=limit, offset=offset)]


@router.get("/{user_id}")
def get_user(user_id: OwnedUserId, session: SessionDep) -> UserOut:
    """One user."""
    return UserOut.model_validate(service.get_user(session, user_id))


@router.delete("/{user_id}")
def delete_user(user_id: OwnedUserId, session: SessionDep, settings: SettingsDep) -> UserDeletedOut:
    """Delete the user and all their data (Google grants ended first), in one transaction."""
    user = service.get_user(session, user_id)
    return UserDeletedOut.of(removal.delete_user(session, settings, user=user))


@router.get("/{user_id}/mailboxes")
def list_mailboxes(user_id: OwnedUserId, session: SessionDep) -> list[MailboxOut]:
    """The user's mailbox connections and their sync state."""
    service.get_user(session, user_id)
    return [MailboxOut.of(mailbox) for mailbox in service.mailboxes_of(session, user_id)]


@router.post("/{user_id}/mailboxes/local", status_code=status.HTTP_201_CREATED)
def connect_local_mailbox(
    user_id: uuid.UUID,
    body: LocalMailboxIn,
    _: AdminPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> MailboxOut:
    """Admins only: connect a Maildir, mbox or .eml folder on the server (not in production).

    Admins only because the path is on the server: a user could otherwise read any file the
    service can read into their ledger.
    """
    if settings.environment == "production":
        # A path on the server is not something a remote client may point us at.
        raise FincoachError("local mailboxes cannot be connected in production", 403)
    user = service.get_user(session, user_id)
    try:
        location = Path(body.path).resolve()
        LocalMailSource(location)  # refuses a path that does not exist, with a 400
    except (ValueError, OSError):
        # A NUL byte, a name too long for the filesystem...: found by fuzzing, once a 500.
        raise BadRequest("the path is not acceptable") from None
    mailbox = service.get_or_create_mailbox(
        session,
        user=user,
        provider=MailProvider.LOCAL,
        address=body.address or user.email,
        location=str(location),
    )
    return MailboxOut.of(mailbox)


@mailboxes_router.delete("/{mailbox_id}")
def remove_mailbox(
    mailbox_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    keep_transactions: Annotated[
        bool,
        Query(
            description="true: keep its transactions (the mailbox stays as `disconnected`); "
            "false: delete them with the mailbox."
        ),
    ],
) -> MailboxRemovedOut:
    """Disconnect a mailbox: end Google's grant, delete its credentials, stop its sync."""
    mailbox = removal.owned_mailbox(session, mailbox_id=mailbox_id, principal=principal)
    return MailboxRemovedOut.of(
        removal.remove_mailbox(
            session, settings, mailbox=mailbox, keep_transactions=keep_transactions
        )
    )
