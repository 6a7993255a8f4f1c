"""Issue 3's acceptance: the whole sync through the official Gmail client and our emulator.

Several users, each with a Gmail mailbox whose refresh token is stored encrypted; jobs run the
production path (mail.factory.open_source -> GmailMailSource -> sync service), over real HTTP.
The expected ledger is the generator's truth for every message the emulator holds.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.demo import DemoMailbox
from fincoach.kit.crypto import TokenCipher
from fincoach.mail.factory import open_source
from fincoach.mail.gmail_emulator import (
    DemoFactory,
    Emulator,
    EmulatorConfig,
    create_app,
    serve_in_thread,
)
from fincoach.mail.gmail_limiter import limiter_for
from fincoach.models import JobKind, JobStatus, Mailbox, MailboxStatus, MailProvider, Transaction
from fincoach.parsing import parse
from fincoach.sync import service
from fincoach.sync.runner import run_job
from tests.factories import create_user

SEED = 23
EMAILS = 150
Row = tuple[str, int, Decimal, str | None, str]


@dataclass
class World:
    base: str
    emulator: Emulator
    addresses: list[str]
    sessions: sessionmaker[Session]

    def settings(self) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            gmail_api_endpoint=self.base,
            google_token_uri=f"{self.base}/token",
            google_client_id=self.emulator.oauth.client_id,
            google_client_secret=self.emulator.oauth.client_secret,
            email_batch_size=40,
            gmail_batch_size=25,
        )

    def admin(self, method: str, path: str, **kwargs: object) -> dict[str, object]:
        response = httpx.request(method, f"{self.base}/admin{path}", timeout=30, **kwargs)  # type: ignore[arg-type]
        response.raise_for_status()
        result: dict[str, object] = response.json()
        return result


@pytest.fixture(scope="module")
def world(pg_url: str) -> Iterator[World]:
    now = datetime.now(UTC)
    addresses = [f"gmail-user-{i}-{uuid.uuid4().hex[:6]}@fincoach.example" for i in range(5)]
    boxes = {
        a: DemoMailbox(
            seed=SEED + i, address=a, count=EMAILS, start=now - timedelta(days=170), end=now
        )
        for i, a in enumerate(addresses)
    }
    emulator = Emulator(boxes, EmulatorConfig(seed=SEED), new_mail=DemoFactory(seed=SEED).new_mail)
    engine = make_engine(pg_url)
    with serve_in_thread(create_app(emulator)) as base:
        yield World(base, emulator, addresses, make_session_factory(engine))
    engine.dispose()


def _connect(world: World, address: str) -> Mailbox:
    settings = world.settings()
    token = world.emulator.oauth.refresh_token_for(address)
    with world.sessions() as session:
        user = create_user(session)
        mailbox = Mailbox(
            user_id=user.id,
            provider=MailProvider.GMAIL,
            address=address,
            credentials_encrypted=TokenCipher(settings.token_encryption_keys).encrypt(token),
        )
        session.add(mailbox)
        session.commit()
        return mailbox


def _sync(world: World, mailbox: Mailbox, kind: JobKind) -> tuple[JobStatus, str | None]:
    settings = world.settings()
    with world.sessions() as session:
        job = service.start_job(session, mailbox=mailbox, kind=kind, months=6)
        session.commit()
        stored = session.get_one(Mailbox, mailbox.id)
        source = open_source(stored, settings)
    done = run_job(world.sessions, job_id=job.id, source=source, settings=settings)
    return done.status, done.error_message


def _ledger(world: World, mailbox: Mailbox) -> set[Row]:
    with world.sessions() as session:
        rows = session.execute(
            select(
                Transaction.message_id,
                Transaction.position,
                Transaction.amount,
                Transaction.currency,
                Transaction.direction,
            ).where(Transaction.user_id == mailbox.user_id)
        ).all()
    return {(m, p, a, c, d) for m, p, a, c, d in rows}


def _truth(world: World, address: str) -> set[Row]:
    """What the emulator holds for `address`, as the generator labelled it."""
    box = world.emulator.store.get(address)
    assert box is not None
    rows: set[Row] = set()
    for position in range(len(box)):
        record = box.record(position)
        truth = getattr(record, "truth", None)
        if truth is None:  # mail added while running: label it with the pipeline itself
            truth = parse(record.raw)
        for t in truth:
            direction = getattr(t.direction, "value", t.direction)
            rows.add((record.message_id, t.position, t.amount, t.currency, direction))
    return rows


def _matches(ledger: set[Row], truth: set[Row]) -> None:
    """The exact ledger, allowing the extractor's documented error rate (>= 0.99 P and R)."""
    correct = len(ledger & truth)
    assert correct / len(truth) >= 0.99, f"recall {correct}/{len(truth)}"
    assert correct / len(ledger) >= 0.99, f"precision {correct}/{len(ledger)}"
    # Nothing twice: one row per (message, position).
    assert len({(m, p) for m, p, *_ in ledger}) == len(ledger)


def test_full_sync_of_several_users_then_incremental_then_expired_history(world: World) -> None:
    mailboxes = {a: _connect(world, a) for a in world.addresses[:3]}
    world.admin("DELETE", "/counters")
    for address, mailbox in mailboxes.items():
        assert _sync(world, mailbox, JobKind.INITIAL) == (JobStatus.COMPLETED, None)
        _matches(_ledger(world, mailbox), _truth(world, address))
    rate_limited = world.admin("GET", "/counters")["rate_limited_total"]
    print(f"\n429s during three full syncs without injected faults: {rate_limited}")
    assert rate_limited == 0

    # Incremental: exactly the mail added after the first sync.
    alice = world.addresses[0]
    before = _ledger(world, mailboxes[alice])
    added = world.admin("POST", f"/users/{alice}/messages", json={"count": 30})["added"]
    assert _sync(world, mailboxes[alice], JobKind.INCREMENTAL) == (JobStatus.COMPLETED, None)
    after = _ledger(world, mailboxes[alice])
    assert before <= after
    assert {m for m, *_ in after - before} <= set(added)  # type: ignore[arg-type]
    _matches(after, _truth(world, alice))

    # An expired historyId answers 404: a windowed full sync still yields the exact ledger.
    bob = world.addresses[1]
    world.admin("POST", f"/users/{bob}/messages", json={"count": 20})
    world.admin("POST", f"/users/{bob}/history/expire")
    assert _sync(world, mailboxes[bob], JobKind.INCREMENTAL) == (JobStatus.COMPLETED, None)
    _matches(_ledger(world, mailboxes[bob]), _truth(world, bob))


def test_ten_percent_429_and_5xx_leave_the_ledger_identical(world: World) -> None:
    address = world.addresses[3]
    clean, faulty = _connect(world, address), _connect(world, address)
    assert _sync(world, clean, JobKind.INITIAL)[0] is JobStatus.COMPLETED
    world.admin("PUT", "/faults", json={"error_5xx_rate": 0.05, "rate_429_rate": 0.05})
    try:
        assert _sync(world, faulty, JobKind.INITIAL)[0] is JobStatus.COMPLETED
        injected = world.admin("GET", "/counters")
    finally:
        world.admin("PUT", "/faults", json={"error_5xx_rate": 0.0, "rate_429_rate": 0.0})
    assert injected["injected_5xx"] and injected["injected_429"]
    # Two users connected to the same Gmail account: their ledgers must be the same rows.
    assert _ledger(world, faulty) == _ledger(world, clean)


def test_a_revoked_token_parks_that_user_and_the_others_complete(world: World) -> None:
    revoked_address, other_address = world.addresses[4], world.addresses[2]
    revoked, other = _connect(world, revoked_address), _connect(world, other_address)
    world.admin("POST", f"/users/{revoked_address}/revoke")
    limiter_for(revoked_address, 6000)  # the process-wide limiter is untouched by revocation
    status, reason = _sync(world, revoked, JobKind.INITIAL)
    assert status is JobStatus.FAILED
    assert reason is not None
    assert "reconnect" in reason or "revoked" in reason.lower()
    with world.sessions() as session:
        parked = session.get_one(Mailbox, revoked.id)
        assert parked.status is MailboxStatus.REAUTH_REQUIRED
        assert parked.credentials_encrypted is None
    assert _sync(world, other, JobKind.INITIAL)[0] is JobStatus.COMPLETED
    assert _ledger(world, revoked) == set()
