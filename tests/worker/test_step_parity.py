"""The Celery task and the in-process runner run one step function: a fault ends the same way.

Each case syncs two copies of one mailbox, one through `sync.process_batch` deliveries (a
Celery retry delivered again, as a worker would) and one through `runner.run_job`, with the
same fault in the provider, and compares the jobs and mailboxes they leave.
"""

import dataclasses
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import redis
from celery.exceptions import Retry
from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.mail.base import AuthorizationRevoked, FetchedMessage, QuotaWait, SourceUnavailable
from fincoach.mail.local import LocalMailSource
from fincoach.models import EmailSyncJob, JobKind, JobStatus, Mailbox, MailboxStatus
from fincoach.sync import service, tasks
from fincoach.sync.runner import run_job
from tests.worker.test_tasks import new_user_with_mail, run_as_worker

pytestmark = pytest.mark.postgres


class _FaultySource(LocalMailSource):
    """Local mail whose provider fails the first fetch, or serves one bad message a batch."""

    def __init__(self, path: str, fault: str, shots: dict[str, int]) -> None:
        super().__init__(path)
        self.fault = fault
        self.shots = shots  # shared by every source one sync opens: the fault fires once

    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        if self.fault != "malformed" and self.shots["left"] > 0:
            self.shots["left"] -= 1
            if self.fault == "unavailable":
                raise SourceUnavailable("the mail provider stayed unavailable")
            if self.fault == "quota":
                raise QuotaWait(3)
            raise AuthorizationRevoked("access was revoked by the user")
        fetched = super().fetch(message_ids)
        if self.fault == "malformed" and fetched:
            # Whitespace only: the parser's MalformedEmail, for this message alone.
            fetched[0] = dataclasses.replace(fetched[0], raw=b"  \r\n")
        return fetched


def _new_job(sessions: sessionmaker[Session], mailbox_id: uuid.UUID) -> uuid.UUID:
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        session.commit()
        return job.id


def _through_the_task(job_id: uuid.UUID) -> None:
    offset: int | None = None
    for _ in range(20):
        try:
            out = run_as_worker(tasks.process_batch, str(job_id), offset)
        except Retry as retry:
            offset = retry.sig.args[1]  # Celery delivers the step it names again
            continue
        if "next_offset" not in out:
            return
        offset = out["next_offset"]
    raise AssertionError("the job did not end")


def _state(sessions: sessionmaker[Session], job_id: uuid.UUID) -> dict[str, Any]:
    with sessions() as session:
        job = session.get_one(EmailSyncJob, job_id)
        mailbox = session.get_one(Mailbox, job.mailbox_id)
        return {
            "status": job.status,
            "counts": (
                job.total_emails,
                job.processed_emails,
                job.parsed_transactions,
                job.new_transactions,
                job.failed_emails,
            ),
            "error_message": job.error_message,
            "errors": [(e["message_id"], e["error"], e["reason"]) for e in job.error_log],
            "mailbox": mailbox.status,
        }


@pytest.mark.parametrize(
    ("fault", "status", "failed", "mailbox"),
    [
        ("unavailable", JobStatus.COMPLETED, 0, MailboxStatus.ACTIVE),
        ("quota", JobStatus.COMPLETED, 0, MailboxStatus.ACTIVE),
        ("revoked", JobStatus.FAILED, 0, MailboxStatus.REAUTH_REQUIRED),
        ("malformed", JobStatus.COMPLETED, 2, MailboxStatus.ACTIVE),  # one a batch,
    ],
)
def test_a_fault_leaves_the_same_job_through_the_task_and_the_runner(
    sessions: sessionmaker[Session],
    task_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broker: redis.Redis,
    fault: str,
    status: JobStatus,
    failed: int,
    mailbox: MailboxStatus,
) -> None:
    _, [by_task], _ = new_user_with_mail(sessions, tmp_path / "task", seed=421, count=30)
    _, [by_runner], _ = new_user_with_mail(sessions, tmp_path / "runner", seed=421, count=30)

    task_shots = {"left": 1}
    monkeypatch.setattr(
        tasks, "open_source", lambda box, _s: _FaultySource(box.location, fault, task_shots)
    )
    task_job = _new_job(sessions, by_task)
    _through_the_task(task_job)

    runner_job = _new_job(sessions, by_runner)
    slept: list[float] = []
    source = _FaultySource(str(tmp_path / "runner" / "box0"), fault, {"left": 1})
    run_job(sessions, job_id=runner_job, source=source, settings=task_settings, sleep=slept.append)

    by_the_task, by_the_runner = _state(sessions, task_job), _state(sessions, runner_job)
    assert by_the_task == by_the_runner
    assert by_the_task["status"] is status
    assert by_the_task["counts"][4] == failed
    assert by_the_task["mailbox"] is mailbox
    if fault in ("unavailable", "quota"):
        assert slept  # the runner waited, as the task was sent again later
