"""Gmail as a MailSource, on the official client (google-api-python-client + google-auth).

Full sync lists `messages.list` over the window (`q` with epoch seconds, newest first as Gmail
returns them) and fetches raw bytes with batched `messages.get`; incremental sync reads
`history.list` from the stored historyId. Every call is metered by the user's rate limiter and
retried with back-off (gmail_retry); `invalid_grant` becomes AuthorizationRevoked.
"""

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from fincoach.config import Settings
from fincoach.kit.errors import FincoachError
from fincoach.mail.base import (
    CursorExpired,
    FetchedMessage,
    MessagesUnavailable,
    QuotaWait,
    SourceUnavailable,
    TimeWindow,
)
from fincoach.mail.gmail_batch import BatchFetcher, PartsUnavailable
from fincoach.mail.gmail_client import build_gmail, make_credentials, new_batch, revoked_from
from fincoach.mail.gmail_limiter import (
    UNITS_GET,
    UNITS_HISTORY,
    UNITS_LIST,
    UNITS_PROFILE,
    UserRateLimiter,
    limiter_for,
)
from fincoach.mail.gmail_retry import (
    TRANSPORT_ERRORS,
    Backoff,
    call_with_retry,
    is_retryable,
    short_reason,
    status_of,
)

PAGE_SIZE = 500  # messages.list / history.list maximum
# fetch() sleeps for quota at most this long; past it, it raises QuotaWait for a later retry.
# Short on purpose: a worker sleeping on one user's quota holds up every other user's work.
DEFAULT_MAX_QUOTA_WAIT_S = 1.0
# A prefilter for settings.gmail_prefilter_query: Gmail's social, forums and promotions tabs.
# On the demo mailbox it drops 20-23 % of the messages and no transaction email (proved in
# tests/mail/test_gmail_source_prefilter.py); every transaction email there is in Updates.
# The Primary tab stays in: real banks' alerts often land there. Promotions is the one risk on
# real mailboxes (Gmail now and then files a merchant's receipt there), so this is opt-in.
RECOMMENDED_PREFILTER = "-category:promotions -category:social -category:forums"
# messages.list leaves spam and trash out by default; history is made to agree with it.
_EXCLUDED_LABELS = frozenset({"SPAM", "TRASH"})


class GmailUnavailable(FincoachError):
    """Gmail answered with an error that retrying did not cure; the reason holds no content."""

    status_code = 502

    def __init__(self, message: str, *, gmail_status: int | None = None) -> None:
        super().__init__(message)
        self.gmail_status = gmail_status


class GmailBusy(GmailUnavailable, SourceUnavailable):
    """429, 5xx, a rate-limit 403 or a lost connection that outlived the retries: try later."""


def window_query(window: TimeWindow, prefilter: str = "") -> str:
    """`after:`/`before:` in epoch seconds (dates would be read as midnight Pacific time).

    `after:` is rounded down and `before:` up, so a window never loses a message at its edge;
    the ledger's idempotent insert absorbs the overlap of at most a second.
    """
    terms = []
    if window.since is not None:
        terms.append(f"after:{math.floor(window.since.timestamp())}")
    if window.until is not None:
        terms.append(f"before:{math.ceil(window.until.timestamp())}")
    if prefilter.strip():
        terms.append(prefilter.strip())
    return " ".join(terms)


class GmailMailSource:
    """One user's Gmail. Not thread-safe (httplib2): one instance per job."""

    def __init__(
        self,
        service: Any,
        *,
        new_batch: Callable[[], Any],
        limiter: UserRateLimiter,
        batch_size: int = 50,
        prefilter: str = "",
        backoff: Backoff | None = None,
        max_quota_wait: float = DEFAULT_MAX_QUOTA_WAIT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.limiter = limiter
        self.prefilter = prefilter
        self.backoff = backoff or Backoff()
        self.max_quota_wait = max_quota_wait
        self._sleep = sleep
        self._fetcher = BatchFetcher(
            service, new_batch, limiter, batch_size, self.backoff, sleep=sleep
        )

    @classmethod
    def connect(
        cls,
        settings: Settings,
        *,
        refresh_token: str,
        user_key: str,
        limiter: UserRateLimiter | None = None,
        **options: Any,
    ) -> "GmailMailSource":
        """A source from settings and the user's decrypted refresh token; no network yet.

        `limiter` defaults to the process-wide one of `user_key` (see gmail_limiter).
        """
        service = build_gmail(settings, make_credentials(settings, refresh_token))
        return cls(
            service,
            new_batch=lambda: new_batch(settings),
            limiter=limiter or limiter_for(user_key, settings.gmail_user_quota_per_minute),
            batch_size=settings.gmail_batch_size,
            prefilter=settings.gmail_prefilter_query,
            **options,
        )

    # -- protocol --------------------------------------------------------------------------
    def list_message_ids(self, window: TimeWindow) -> Iterator[str]:
        messages = self.service.users().messages()
        query = window_query(window, self.prefilter)
        token: str | None = None
        while True:
            request = messages.list(
                userId="me", q=query or None, maxResults=PAGE_SIZE, pageToken=token
            )
            page = self._execute(request, UNITS_LIST)
            for ref in page.get("messages", []):
                yield str(ref["id"])
            token = page.get("nextPageToken")
            if not token:
                return

    def list_changes(self, cursor: str) -> Iterator[str]:
        history = self.service.users().history()
        seen: set[str] = set()
        token: str | None = None
        while True:
            request = history.list(
                userId="me",
                startHistoryId=cursor,
                historyTypes="messageAdded",
                maxResults=PAGE_SIZE,
                pageToken=token,
            )
            try:
                page = self._execute(request, UNITS_HISTORY)
            except GmailUnavailable as exc:
                if exc.gmail_status == 404:
                    raise CursorExpired(
                        "gmail history id is too old; a full sync is needed"
                    ) from None
                raise
            for record in page.get("history", []):
                for added in record.get("messagesAdded", []):
                    message = added.get("message", {})
                    mid = message.get("id")
                    labels = set(message.get("labelIds", []))
                    if mid and mid not in seen and not labels & _EXCLUDED_LABELS:
                        seen.add(mid)
                        yield str(mid)
            token = page.get("nextPageToken")
            if not token:
                return

    def current_cursor(self) -> str | None:
        profile = self.profile()
        history_id = profile.get("historyId")
        return str(history_id) if history_id is not None else None

    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        distinct = len(set(message_ids))
        # Checked up front so a batch is never half fetched when the quota bound is hit.
        wait = self.limiter.wait_time(UNITS_GET * distinct)
        if wait > self.max_quota_wait:
            raise QuotaWait(wait)
        try:
            found = self._fetcher.fetch(message_ids)
        except PartsUnavailable as exc:
            found = self._isolate(exc)
        return [found[mid] for mid in message_ids]

    def _isolate(self, unavailable: PartsUnavailable) -> dict[str, FetchedMessage]:
        """Tell an outage from messages Gmail cannot serve; returns the fetch when it recovers.

        Raises SourceUnavailable (GmailBusy) when Gmail itself is down, MessagesUnavailable with
        the ids it keeps failing while it serves the rest.
        """
        found = dict(unavailable.found)
        failing = list(unavailable.isolated)
        if unavailable.unresolved:
            # They failed with their whole request: is Gmail down (profile() raises GmailBusy),
            # or does one message fail its batch? Sent alone, the others come back.
            self.profile()
            answers, still = self._fetcher.fetch_each(unavailable.unresolved)
            found.update(answers)
            failing += still
        if failing:
            raise MessagesUnavailable(failing)
        return found

    # -- quota that travels with the job (see gmail_limiter) ----------------------------------
    def quota_state(self) -> dict[str, float]:
        return self.limiter.snapshot()

    def restore_quota(self, state: Mapping[str, Any]) -> None:
        self.limiter.restore(state)

    # -- helpers ---------------------------------------------------------------------------
    def profile(self) -> dict[str, Any]:
        """users.getProfile: emailAddress, historyId, messagesTotal."""
        request = self.service.users().getProfile(userId="me")
        result: dict[str, Any] = self._execute(request, UNITS_PROFILE)
        return result

    def _execute(self, request: Any, units: int) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            self.limiter.acquire(units, max_wait=self.max_quota_wait)
            try:
                result: dict[str, Any] = request.execute(num_retries=0)
            except TRANSPORT_ERRORS:
                self.limiter.refund(units)  # as in gmail_batch: the call most likely never arrived
                raise
            return result

        try:
            return call_with_retry(attempt, backoff=self.backoff, sleep=self._sleep)
        except RefreshError as exc:
            revoked = revoked_from(exc)
            if revoked is not None:
                raise revoked from None
            raise GmailBusy("gmail token refresh failed") from None
        except HttpError as exc:
            error = GmailBusy if is_retryable(exc) else GmailUnavailable
            raise error(short_reason(exc), gmail_status=status_of(exc)) from None
        except TRANSPORT_ERRORS as exc:
            raise GmailBusy(short_reason(exc)) from None
