"""A source's quota meter is kept in the job's checkpoint, written with the batch it paid for."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from fincoach.demo import DemoMailbox, write_eml_dir
from fincoach.mail.base import FetchedMessage, QuotaWait
from fincoach.mail.local import LocalMailSource
from fincoach.models import JobKind
from fincoach.sync import service
from tests.factories import create_mailbox, create_user


class MeteredLocal(LocalMailSource):
    """A local mailbox that charges one unit a message, like a provider with a quota."""

    def __init__(self, path: str, tokens: float = 100.0) -> None:
        super().__init__(path)
        self.tokens = tokens
        self.restored: list[dict[str, Any]] = []

    def quota_state(self) -> dict[str, float]:
        return {"tokens": self.tokens, "at": 0.0}

    def restore_quota(self, state: Mapping[str, Any]) -> None:
        self.restored.append(dict(state))
        self.tokens = float(state["tokens"])

    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        if len(message_ids) > self.tokens:
            raise QuotaWait(len(message_ids) - self.tokens)
        self.tokens -= len(message_ids)
        return super().fetch(message_ids)


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("metered") / "inbox"
    write_eml_dir(DemoMailbox(seed=23, count=30), folder)
    return folder


def test_the_meter_goes_into_the_checkpoint_and_the_next_batch_starts_from_it(
    session: Session, mail_dir: Path
) -> None:
    mailbox = create_mailbox(session, user=create_user(session), location=str(mail_dir))
    job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
    service.prepare(
        session, job=job, mailbox=mailbox, source=MeteredLocal(str(mail_dir), 25), fetch_days=3650
    )
    assert job.checkpoint is not None and job.checkpoint["quota"]["tokens"] == 25

    # Each batch runs in a "new process": a source whose own meter is full.
    first = MeteredLocal(str(mail_dir))
    service.process_next_batch(session, job=job, source=first, batch_size=10, error_log_limit=10)
    assert first.restored == [{"tokens": 25, "at": 0.0}]
    assert job.checkpoint["quota"]["tokens"] == 15

    second = MeteredLocal(str(mail_dir))
    service.process_next_batch(session, job=job, source=second, batch_size=10, error_log_limit=10)
    assert job.checkpoint["quota"]["tokens"] == 5

    third = MeteredLocal(str(mail_dir))
    with pytest.raises(QuotaWait) as wait:  # a full meter would have let this batch through
        service.process_next_batch(
            session, job=job, source=third, batch_size=10, error_log_limit=10
        )
    assert wait.value.retry_after == 5
    assert job.checkpoint["done"] == 20


def test_a_source_without_a_meter_leaves_the_checkpoint_without_one(
    session: Session, mail_dir: Path
) -> None:
    mailbox = create_mailbox(session, user=create_user(session), location=str(mail_dir))
    job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
    source = LocalMailSource(str(mail_dir))
    service.prepare(session, job=job, mailbox=mailbox, source=source, fetch_days=3650)
    service.process_next_batch(session, job=job, source=source, batch_size=10, error_log_limit=10)
    assert job.checkpoint is not None and "quota" not in job.checkpoint
