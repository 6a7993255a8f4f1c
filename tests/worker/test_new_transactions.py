"""A job counts what it parsed and, apart, what it added: a re-sync parses N and adds 0."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from fincoach.models import JobStatus
from fincoach.sync import tasks
from fincoach.sync.schemas import JobOut
from tests.worker.ledger import expected_ledger
from tests.worker.test_tasks import jobs_of, new_user_with_mail

pytestmark = pytest.mark.postgres


def test_a_re_sync_of_the_same_mailbox_shows_parsed_n_new_0(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    user_id, _, messages = new_user_with_mail(sessions, tmp_path, seed=411, count=40)
    stored = len(expected_ledger(messages))
    assert stored > 0

    tasks.fetch_user_emails_initial(str(user_id))
    tasks.fetch_user_emails_initial(str(user_id))  # the same months again: nothing new

    first, again = (JobOut.of(job) for job in jobs_of(sessions, user_id))
    assert first.status == again.status == JobStatus.COMPLETED.value
    assert (first.parsed_transactions, first.new_transactions) == (stored, stored)
    assert (again.parsed_transactions, again.new_transactions) == (stored, 0)
    assert JobOut.model_json_schema()["properties"]["new_transactions"]["type"] == "integer"
