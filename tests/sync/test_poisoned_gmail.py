"""Issue 10's poisoned mailbox over Gmail (the official client against the emulator, real HTTP):
one message per hostile kind, a message Gmail answers 5xx every time, and a 3,000-level
multipart among 100 ordinary messages. The job completes, every ordinary transaction is stored,
each hostile message is failed with its reason (or stored cleaned), and the next incremental
sync completes too."""

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.db import make_engine, make_session_factory
from fincoach.kit.errors import MalformedEmail
from fincoach.mail.gmail import GmailMailSource
from fincoach.mail.gmail_limiter import UserRateLimiter
from fincoach.mail.gmail_retry import Backoff
from fincoach.models import EmailSyncJob, JobKind, JobStatus, Mailbox, MailProvider, Transaction
from fincoach.parsing import parse
from fincoach.sync import service
from fincoach.sync.runner import run_job
from tests.factories import create_mailbox, create_user
from tests.fuzz.poison import CLEANED, POISON, REFUSED, card_alert
from tests.oauth.emulator_server import RunningEmulator, running_emulator

ORDINARY = 100
# Fast retries: the bound under test is the number of attempts, not the waiting between them.
FAST = Backoff(attempts=3, first=0.01, cap=0.05, jitter=0.0)


def deep_multipart(levels: int) -> bytes:
    """A multipart nested `levels` deep: the emulator's MIME reader runs out of recursion."""
    body = b"--b0\r\nContent-Type: text/plain\r\n\r\nRs.100.00 debited\r\n--b0--\r\n"
    for level in range(1, levels):
        body = (
            f"--b{level}\r\nContent-Type: multipart/mixed; boundary=b{level - 1}\r\n\r\n".encode()
            + body
            + f"\r\n--b{level}--\r\n".encode()
        )
    head = (
        "From: alerts@hdfcbank.net\r\nSubject: Statement\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: multipart/mixed; boundary=b{levels - 1}\r\n\r\n"
    )
    return head.encode() + body


@pytest.fixture
def sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


def _add(emu: RunningEmulator, raw: bytes) -> str:
    answer: dict[str, Any] = emu.admin(
        "POST",
        f"/users/{emu.address}/messages",
        content=raw,
        headers={"content-type": "message/rfc822"},
    )
    [message_id] = answer["added"]
    return str(message_id)


def _sync(
    emu: RunningEmulator, sessions: sessionmaker[Session], mailbox: Mailbox, kind: JobKind
) -> EmailSyncJob:
    settings = emu.settings(email_batch_size=40, gmail_batch_size=25)
    with sessions() as session:
        job = service.start_job(session, mailbox=mailbox, kind=kind, months=6)
        session.commit()
    source = GmailMailSource.connect(
        settings,
        refresh_token=emu.refresh_token,
        user_key=emu.address,
        limiter=UserRateLimiter(1_000_000),
        backoff=FAST,
    )
    return run_job(sessions, job_id=job.id, source=source, settings=settings)


def _ledger(sessions: sessionmaker[Session], mailbox: Mailbox) -> dict[tuple[str, int], Any]:
    with sessions() as session:
        rows = session.execute(
            select(Transaction.message_id, Transaction.position, Transaction.merchant).where(
                Transaction.mailbox_id == mailbox.id
            )
        ).all()
    return {(m, p): merchant for m, p, merchant in rows}


def _expected(emu: RunningEmulator, skip: set[str]) -> set[tuple[str, int]]:
    box = emu.emulator.store.get(emu.address)
    assert box is not None
    rows: set[tuple[str, int]] = set()
    for position in range(len(box)):
        record = box.record(position)
        if record.message_id in skip:
            continue
        with contextlib.suppress(MalformedEmail):
            rows |= {(record.message_id, t.position) for t in parse(record.raw)}
    return rows


def test_a_poisoned_gmail_mailbox_completes_and_fails_only_the_poison(
    sessions: sessionmaker[Session],
) -> None:
    with running_emulator(address="poisoned@fincoach.example", count=ORDINARY) as emu:
        hostile = {name: _add(emu, raw) for name, raw in POISON.items() if "date" not in name}
        unservable = _add(emu, card_alert(amount="250.00", merchant="UNSERVED"))
        deep = _add(emu, deep_multipart(3000))
        emu.admin("PUT", "/faults", json={"failing_messages": [unservable]})
        with sessions() as session:
            user = create_user(session)
            mailbox = create_mailbox(session, user=user, provider=MailProvider.GMAIL)
            session.commit()

        job = _sync(emu, sessions, mailbox, JobKind.INITIAL)

        assert job.status is JobStatus.COMPLETED, job.error_message
        assert job.total_emails == job.processed_emails == ORDINARY + len(hostile) + 2
        failed = {entry["message_id"]: entry for entry in job.error_log}
        expected_errors = {hostile[name]: error for name, error in REFUSED.items()}
        expected_errors |= {unservable: "FetchError", deep: "FetchError"}
        assert {mid: entry["error"] for mid, entry in failed.items()} == expected_errors
        assert job.failed_emails == len(expected_errors)
        for mid in (unservable, deep):
            assert failed[mid]["reason"] == (
                f"the mail provider failed it on {service.MAX_FETCH_ATTEMPTS} tries"
            )
        assert emu.counters()["injected_5xx"] >= 2 * service.MAX_FETCH_ATTEMPTS

        ledger = _ledger(sessions, mailbox)
        ordinary = _expected(emu, skip=set(hostile.values()) | {unservable, deep})
        assert ordinary and ordinary <= set(ledger)
        for name, merchant in CLEANED.items():
            assert ledger[(hostile[name], 0)] == merchant
        assert set(ledger) == ordinary | {(hostile[n], 0) for n in CLEANED}

        # New mail, one more poisoned: the incremental sync completes and stores the rest.
        emu.admin("POST", f"/users/{emu.address}/messages", json={"count": 5})
        later_poison = _add(emu, card_alert(amount="99999999999999999999.00"))
        second = _sync(emu, sessions, mailbox, JobKind.INCREMENTAL)
        assert second.status is JobStatus.COMPLETED, second.error_message
        assert second.total_emails == 6
        assert [entry["message_id"] for entry in second.error_log] == [later_poison]
        everything = _expected(emu, skip=set(hostile.values()) | {unservable, deep, later_poison})
        assert everything <= set(_ledger(sessions, mailbox))
