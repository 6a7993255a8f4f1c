"""Issue 10's poisoned mailbox over a local source: one message per hostile kind among 100
ordinary ones. The job completes, every ordinary transaction is stored, each hostile message is
failed with its reason or stored cleaned, and the next incremental sync completes too."""

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.demo import DemoMailbox, write_eml_dir
from fincoach.kit.errors import MalformedEmail
from fincoach.mail.local import LocalMailSource
from fincoach.models import EmailSyncJob, JobKind, JobStatus, Mailbox, Transaction
from fincoach.parsing import parse
from fincoach.sync import service
from fincoach.sync.runner import run_job
from tests.factories import create_mailbox, create_user
from tests.fuzz.poison import CLEANED, EXTREME_DATES, POISON, REFUSED, card_alert

ORDINARY = 100


@pytest.fixture(params=["postgres", "sqlite"])
def sessions(request: pytest.FixtureRequest) -> Iterator[sessionmaker[Session]]:
    url = request.getfixturevalue("pg_url" if request.param == "postgres" else "sqlite_url")
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def _expected(folder: Path, names: list[str]) -> set[tuple[str, int]]:
    """(message id, position) of every transaction the parser finds in the named files."""
    rows: set[tuple[str, int]] = set()
    for name in names:
        with contextlib.suppress(MalformedEmail):
            rows |= {(name, t.position) for t in parse((folder / f"{name}.eml").read_bytes())}
    return rows


def _sync(sessions: sessionmaker[Session], mailbox: Mailbox, kind: JobKind) -> EmailSyncJob:
    with sessions() as session:
        job = service.start_job(session, mailbox=mailbox, kind=kind, months=6)
        session.commit()
    settings = Settings(_env_file=None, email_batch_size=25)  # type: ignore[call-arg]
    assert mailbox.location is not None
    return run_job(
        sessions, job_id=job.id, source=LocalMailSource(mailbox.location), settings=settings
    )


def _ledger(sessions: sessionmaker[Session], mailbox: Mailbox) -> dict[tuple[str, int], tuple]:
    with sessions() as session:
        rows = session.execute(
            select(
                Transaction.message_id,
                Transaction.position,
                Transaction.merchant,
                Transaction.occurred_at,
            ).where(Transaction.mailbox_id == mailbox.id)
        ).all()
    return {(m, p): (merchant, when) for m, p, merchant, when in rows}


def test_a_poisoned_mailbox_completes_and_fails_only_the_poison(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    write_eml_dir(DemoMailbox(seed=31, count=ORDINARY), folder)
    ordinary = sorted(p.stem for p in folder.glob("*.eml"))
    for name, raw in POISON.items():
        (folder / f"{name}.eml").write_bytes(raw)
    with sessions() as session:
        user = create_user(session)
        mailbox = create_mailbox(session, user=user, location=str(folder))
        session.commit()

    job = _sync(sessions, mailbox, JobKind.INITIAL)

    assert job.status is JobStatus.COMPLETED, job.error_message
    assert job.processed_emails == job.total_emails == ORDINARY + len(POISON)
    failed = {entry["message_id"]: entry for entry in job.error_log}
    assert {mid: entry["error"] for mid, entry in failed.items()} == REFUSED
    assert job.failed_emails == len(REFUSED)
    for entry in failed.values():
        assert entry["reason"].startswith("amount beyond") or entry["reason"].startswith(
            "balance beyond"
        )
    assert "1000000000" not in json.dumps(job.error_log)  # the reason never quotes the figure

    ledger = _ledger(sessions, mailbox)
    expected = _expected(folder, ordinary)
    assert expected and expected <= set(ledger)  # every ordinary transaction is stored
    for name, merchant in CLEANED.items():
        assert ledger[(name, 0)][0] == merchant
    for name, when in EXTREME_DATES.items():
        assert ledger[(name, 0)][1] == when
    assert set(ledger) == expected | {(n, 0) for n in (*CLEANED, *EXTREME_DATES)}
    assert job.parsed_transactions == len(ledger)

    # Mail keeps arriving, poison included: the next incremental sync completes and stores it.
    later = format_datetime(datetime.now(UTC) + timedelta(minutes=5))
    fresh = {
        "later-ordinary": card_alert(amount="742.00", merchant="SWIGGY", date=later),
        "later-poison": card_alert(amount="99999999999999999999.00", date=later),
    }
    for name, raw in fresh.items():
        (folder / f"{name}.eml").write_bytes(raw)
    second = _sync(sessions, mailbox, JobKind.INCREMENTAL)
    assert second.status is JobStatus.COMPLETED, second.error_message
    assert second.total_emails == 2
    assert [entry["message_id"] for entry in second.error_log] == ["later-poison"]
    assert ("later-ordinary", 0) in _ledger(sessions, mailbox)
