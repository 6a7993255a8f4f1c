"""A message the provider keeps failing is failed after a bounded number of deliveries of its
batch, through the Celery task path, and the job completes (issue 10)."""

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from fincoach.mail.base import FetchedMessage, MessagesUnavailable
from fincoach.mail.local import LocalMailSource
from fincoach.models import EmailSyncJob, JobStatus
from fincoach.sync import service, tasks
from tests.worker.ledger import expected_ledger, local_id, stored_ledger
from tests.worker.test_tasks import jobs_of, new_user_with_mail

pytestmark = pytest.mark.postgres


class _Unservable(LocalMailSource):
    """Serves every message but one, as a provider answering 5xx for one message does."""

    unservable = ""
    attempts = 0

    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        if self.unservable in message_ids:
            _Unservable.attempts += 1
            raise MessagesUnavailable([self.unservable])
        return super().fetch(message_ids)


def test_a_message_the_provider_keeps_failing_is_failed_and_the_job_completes(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, _, messages = new_user_with_mail(sessions, tmp_path, seed=313, count=45)
    bad = local_id(messages[25])  # in the second batch of 20
    _Unservable.unservable, _Unservable.attempts = bad, 0
    monkeypatch.setattr(tasks, "open_source", lambda mailbox, _s: _Unservable(mailbox.location))

    tasks.fetch_user_emails_initial(str(user_id))

    [job] = jobs_of(sessions, user_id)
    assert job.status is JobStatus.COMPLETED, job.error_message
    assert _Unservable.attempts == service.MAX_FETCH_ATTEMPTS
    assert job.processed_emails == job.total_emails == 45
    assert [(e["message_id"], e["error"]) for e in job.error_log] == [(bad, "FetchError")]
    assert job.failed_emails == 1
    with sessions() as session:
        assert stored_ledger(session, user_id) == expected_ledger(
            [m for m in messages if local_id(m) != bad]
        )
        done = session.get_one(EmailSyncJob, job.id)
        assert done.checkpoint is not None
        assert done.checkpoint["unavailable"] == {bad: service.MAX_FETCH_ATTEMPTS}
