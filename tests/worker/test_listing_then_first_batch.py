"""The listing delivery goes on with the first batch; a quota wait there retries that batch."""

from collections.abc import Sequence
from pathlib import Path

import pytest
import redis
from celery.exceptions import Retry
from sqlalchemy.orm import Session, sessionmaker

from fincoach.mail.base import FetchedMessage, QuotaWait
from fincoach.mail.local import LocalMailSource
from fincoach.models import JobStatus
from fincoach.sync import tasks
from tests.worker.test_tasks import jobs_of, new_user_with_mail, queued, run_as_worker


class _ListsThenOutOfQuota(LocalMailSource):
    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        raise QuotaWait(7)


def test_a_quota_wait_after_the_listing_retries_the_first_batch_not_the_listing(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broker: redis.Redis,
) -> None:
    user_id, _, _ = new_user_with_mail(sessions, tmp_path, seed=211, count=30)
    run_as_worker(tasks.fetch_user_emails_initial, str(user_id), 6)
    [job] = jobs_of(sessions, user_id)
    broker.delete("celery")
    monkeypatch.setattr(
        tasks, "open_source", lambda mailbox, _s: _ListsThenOutOfQuota(mailbox.location)
    )

    with pytest.raises(Retry) as retry:
        run_as_worker(tasks.process_batch, str(job.id), None)

    assert retry.value.when == 7
    [listed] = jobs_of(sessions, user_id)
    assert listed.status is JobStatus.PROCESSING and listed.total_emails == 30
    assert listed.processed_emails == 0
    # The retry names offset 0: a retry of the listing itself would be a stale no-op.
    [message] = queued(broker)
    assert message["argsrepr"] == f"('{job.id}', 0)" and message["eta"] is not None

    monkeypatch.undo()
    run_as_worker(tasks.process_batch, str(job.id), 0)
    [after] = jobs_of(sessions, user_id)
    assert after.processed_emails == 20
