"""The protocol every mail provider implements, so nothing above `mail/` names a provider."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fincoach.kit.errors import FincoachError


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Half-open window [since, until) of a message's received time; None is unbounded."""

    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class FetchedMessage:
    """One fetch result: the raw RFC 5322 bytes, or why this one message could not be had.

    `received_at` is when the provider received the message (aware UTC): Gmail's
    `internalDate`, a local file's delivery time; None when the provider does not say. The
    parser bounds the dates it reads by it.
    """

    message_id: str
    raw: bytes | None
    error: str | None = None
    received_at: datetime | None = None


class CursorExpired(FincoachError):
    """The stored sync cursor is too old for the provider: a windowed full sync is needed."""

    status_code = 409


class AuthorizationRevoked(FincoachError):
    """The user revoked access (OAuth `invalid_grant`): stop syncing, ask to re-authorise."""

    status_code = 401


class SourceUnavailable(FincoachError):
    """The provider stayed down, throttled or cut connections through every in-call retry.

    Not the job's fault and not the message's: the step is rolled back and retried later with
    back-off, rather than failing the job or recording its messages as failed (which would lose
    their transactions for good).
    """

    status_code = 503


class MessagesUnavailable(SourceUnavailable):
    """The provider serves the mailbox but kept failing these messages through every retry.

    Still retried later (a provider's hiccup must not lose a message), but counted per message:
    the sync records a message that fails this way on several deliveries as failed and moves on,
    so one message the provider cannot serve never holds its mailbox for good.
    """

    def __init__(self, message_ids: Sequence[str]) -> None:
        super().__init__(f"the mail provider kept failing {len(message_ids)} message(s)")
        self.message_ids = list(message_ids)


class QuotaWait(FincoachError):
    """The provider's quota for this user needs `retry_after` seconds: come back later.

    Raised instead of sleeping past a small bound, so a worker never blocks other users' work on
    one user's quota; a Celery task retries with `countdown=retry_after`.
    """

    status_code = 429

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"mail quota for this user is used up; retry in {retry_after:.1f} s")
        self.retry_after = retry_after


class MailSource(Protocol):
    def list_message_ids(self, window: TimeWindow) -> Iterator[str]:
        """Ids of the messages received inside the window, oldest first where the provider can."""
        ...

    def list_changes(self, cursor: str) -> Iterator[str]:
        """Ids of the messages added since `cursor`; raises CursorExpired when it is too old."""
        ...

    def current_cursor(self) -> str | None:
        """The provider's cursor for 'now' (Gmail historyId, IMAP UIDVALIDITY:UID)."""
        ...

    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        """Raw bytes for each id, in order; a failure of one message never raises for all."""
        ...
