"""Hostile mail inside a real sync: every failure is counted and logged on its job, the batch
goes on, and the good mail around it still lands in the ledger."""

import base64
import random
from pathlib import Path

from sqlalchemy import func, select

from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.demo import DemoMailbox, write_eml_dir
from fincoach.kit.errors import MalformedEmail
from fincoach.mail.local import LocalMailSource
from fincoach.models import JobKind, JobStatus, Transaction
from fincoach.parsing import parse
from fincoach.sync import service
from fincoach.sync.runner import run_job
from tests.factories import create_mailbox, create_user


def _hostile(rng: random.Random, index: int) -> bytes:
    kind = index % 6
    if kind == 0:
        return b""  # nothing at all
    if kind == 1:
        return rng.randbytes(rng.randrange(1, 3000))
    if kind == 2:
        depth = rng.randrange(20, 400)
        body = b"Content-Type: text/plain\r\n\r\nRs 100 debited from A/c XX1234\r\n"
        for _ in range(depth):
            body = b"Content-Type: message/rfc822\r\n\r\n" + body
        return body
    if kind == 3:
        n = rng.randrange(1_000, 20_000)
        return (
            b"Content-Type: text/html; charset=x-bogus\r\n\r\n"
            + b"<div>" * n
            + b"$5.00 paid"
            + b"</div>" * n
        )
    if kind == 4:
        return (
            b"Subject: " + b"A" * rng.randrange(10_000, 300_000) + b"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            + base64.b64encode(rng.randbytes(rng.randrange(1, 400_000)))
        )
    return b"   \r\n\r\n"  # blank


def test_hostile_mail_is_counted_logged_and_never_stops_the_job(
    pg_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    write_eml_dir(DemoMailbox(seed=5, count=120), folder)
    rng = random.Random(1234)
    hostile = {f"hostile{i:03d}": _hostile(rng, i) for i in range(60)}
    for name, raw in hostile.items():
        (folder / f"{name}.eml").write_bytes(raw)
    malformed = set()
    for name, raw in hostile.items():
        try:
            parse(raw)
        except MalformedEmail:
            malformed.add(name)
    assert malformed  # the mix does hold undecodable mail

    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        user = create_user(session)
        mailbox = create_mailbox(session, user=user, location=str(folder))
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        session.commit()
    settings = Settings(_env_file=None, email_batch_size=25)  # type: ignore[call-arg]
    done = run_job(sessions, job_id=job.id, source=LocalMailSource(folder), settings=settings)

    assert done.status is JobStatus.COMPLETED
    assert done.processed_emails == done.total_emails == 180
    assert done.failed_emails == len(malformed)
    assert {entry["message_id"] for entry in done.error_log} == malformed
    for entry in done.error_log:
        assert entry["error"] == "MalformedEmail"
        assert len(entry["reason"]) <= service.REASON_LIMIT
    with sessions() as session:
        stored = session.scalar(
            select(func.count()).select_from(Transaction).where(Transaction.user_id == user.id)
        )
    assert stored == done.parsed_transactions > 0
    engine.dispose()
