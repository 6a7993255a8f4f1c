"""Issue 11 item 7's acceptance: after a parser change, `fincoach reparse` re-fetches only the
messages an older parser judged, and the ledger equals a fresh sync's.

A Gmail mailbox (the official client against the project's emulator over real HTTP) is synced
by the current parser version. The parser then "improves" (the version is bumped and what the sync's
parser returns is changed: some transactions vanish, some change a field, some candidate
messages now give one), `fincoach reparse --inline` runs, and the emulator's counters show one
messages.get per recorded message and no listing. A second user connected to the same mailbox,
synced fresh by the new parser, has the same ledger and the same candidates.
"""

import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from fincoach import worker
from fincoach.cli import app
from fincoach.cli import service as _service_commands  # noqa: F401  (registers the commands)
from fincoach.config import Settings
from fincoach.demo import DemoMailbox
from fincoach.kit.crypto import TokenCipher
from fincoach.mail.factory import open_source
from fincoach.mail.gmail_emulator import Emulator, EmulatorConfig, create_app, serve_in_thread
from fincoach.models import (
    EmailSyncJob,
    JobKind,
    JobStatus,
    Mailbox,
    MailProvider,
    ParseCandidate,
    Transaction,
)
from fincoach.parsing import ParseResult
from fincoach.parsing import version as parser_version
from fincoach.parsing.types import Direction, Instrument, ParsedTransaction
from fincoach.sync import service
from fincoach.sync.runner import run_job
from fincoach.transactions.categories import set_merchant_category
from fincoach.transactions.reextraction import stale_message_ids
from tests.factories import create_user

EMAILS = 150
_LEDGER_COLUMNS = (
    "message_id",
    "position",
    "amount",
    "currency",
    "direction",
    "merchant",
    "merchant_normalized",
    "account_hint",
    "instrument",
    "occurred_at",
    "reference",
    "balance_after",
    "category",
    "rule",
    "parser_version",
)


@dataclass
class World:
    base: str
    emulator: Emulator
    address: str
    settings: Settings
    sessions: sessionmaker[Session]

    def admin(self, method: str, path: str) -> dict[str, Any]:
        response = httpx.request(method, f"{self.base}/admin{path}", timeout=30)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def world(pg_url: str) -> Iterator[World]:
    address = f"reparse-{uuid.uuid4().hex[:6]}@fincoach.example"
    now = datetime.now(UTC)
    box = DemoMailbox(
        seed=31, address=address, count=EMAILS, start=now - timedelta(days=90), end=now
    )
    emulator = Emulator({address: box}, EmulatorConfig(seed=31))
    with serve_in_thread(create_app(emulator)) as base:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            database_url=pg_url,
            gmail_api_endpoint=base,
            google_token_uri=f"{base}/token",
            google_client_id=emulator.oauth.client_id,
            google_client_secret=emulator.oauth.client_secret,
            email_batch_size=40,
            gmail_batch_size=25,
        )
        runtime = worker.use_settings(settings)
        yield World(base, emulator, address, settings, runtime.sessions)


def _connect(world: World) -> Mailbox:
    token = world.emulator.oauth.refresh_token_for(world.address)
    with world.sessions() as session:
        user = create_user(session)
        mailbox = Mailbox(
            user_id=user.id,
            provider=MailProvider.GMAIL,
            address=world.address,
            credentials_encrypted=TokenCipher(world.settings.token_encryption_keys).encrypt(token),
        )
        session.add(mailbox)
        session.commit()
        return mailbox


def _initial_sync(world: World, mailbox: Mailbox) -> None:
    with world.sessions() as session:
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        session.commit()
        source = open_source(session.get_one(Mailbox, mailbox.id), world.settings)
    done = run_job(world.sessions, job_id=job.id, source=source, settings=world.settings)
    assert done.status is JobStatus.COMPLETED, done.error_message


def _ledger(world: World, mailbox: Mailbox) -> set[tuple[Any, ...]]:
    columns = [getattr(Transaction, name) for name in _LEDGER_COLUMNS]
    with world.sessions() as session:
        rows = session.execute(select(*columns).where(Transaction.mailbox_id == mailbox.id))
        return {tuple(row) for row in rows}


def _candidates(world: World, mailbox: Mailbox) -> set[tuple[str, int]]:
    with world.sessions() as session:
        rows = session.execute(
            select(ParseCandidate.message_id, ParseCandidate.parser_version).where(
                ParseCandidate.mailbox_id == mailbox.id
            )
        )
        return {(m, v) for m, v in rows}


def _improved(original: Any) -> Any:
    """The parser after a change, decided by the message bytes alone (so runs agree)."""

    def parse_detailed(raw: bytes, *, received_at: datetime | None = None) -> ParseResult:
        result: ParseResult = original(raw, received_at=received_at)
        bucket = zlib.crc32(raw) % 6
        if result.transactions and bucket == 0:  # no longer a transaction
            return replace(result, transactions=(), is_transaction=False, rule=None)
        if result.transactions and bucket == 1:  # a field read differently
            changed = tuple(replace(t, reference=f"V2-{t.position}") for t in result.transactions)
            return replace(result, transactions=changed)
        if not result.transactions and result.had_amount and bucket in (2, 3, 4):
            found = ParsedTransaction(
                position=0,
                amount=Decimal("1.50"),
                currency="EUR",
                direction=Direction.DEBIT,
                merchant="NEWLY FOUND",
                merchant_normalized="newly found",
                account=None,
                instrument=Instrument.OTHER,
                occurred_at=received_at or datetime(2026, 1, 1, tzinfo=UTC),
                reference=None,
                balance=None,
                category="shopping",
                rule="generic",
                confidence=0.5,
            )
            return replace(result, transactions=(found,), is_transaction=True, rule="generic")
        return result

    return parse_detailed


def test_reparse_fetches_only_the_judged_messages_and_matches_a_fresh_sync(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = parser_version.PARSER_VERSION
    new = old + 1
    first = _connect(world)
    _initial_sync(world, first)
    before = _ledger(world, first)
    candidates = _candidates(world, first)
    assert before and {row[-1] for row in before} == {old}
    assert candidates and {v for _, v in candidates} == {old}
    judged = {row[0] for row in before} | {m for m, _ in candidates}
    assert len(judged) < EMAILS  # ordinary mail without an amount is not recorded
    # The user's own category for one merchant: re-extraction must keep it.
    merchant = next(row[5] for row in sorted(before, key=str) if row[5])
    with world.sessions() as session:
        mailbox_row = session.get_one(Mailbox, first.id)
        cursor_before = mailbox_row.sync_cursor
        override = set_merchant_category(
            session, user_id=first.user_id, merchant=merchant, category="health"
        )
        session.commit()

    monkeypatch.setattr(parser_version, "PARSER_VERSION", new)
    monkeypatch.setattr(service, "parse_detailed", _improved(service.parse_detailed))
    with world.sessions() as session:
        assert set(stale_message_ids(session, mailbox_id=first.id, version=new)) == judged

    world.admin("DELETE", "/counters")
    result = CliRunner().invoke(app, ["reparse", str(first.user_id), "--inline"])
    assert result.exit_code == 0, result.output
    calls = world.admin("GET", "/counters")["calls_by_method"]
    assert calls.get("users.messages.get") == len(judged)
    assert set(calls) == {"users.messages.get"}  # no listing, no history, no profile

    with world.sessions() as session:
        job = session.scalars(
            select(EmailSyncJob).where(
                EmailSyncJob.mailbox_id == first.id, EmailSyncJob.kind == JobKind.REPARSE
            )
        ).one()
        assert job.status is JobStatus.COMPLETED
        assert (job.total_emails, job.processed_emails) == (len(judged), len(judged))
        assert job.progress_percentage == 100.0
        assert session.get_one(Mailbox, first.id).sync_cursor == cursor_before

    after = _ledger(world, first)
    # What the change did is visible: rows removed, changed and added.
    assert {r[:2] for r in before} - {r[:2] for r in after}
    assert any(str(r[10]).startswith("V2-") for r in after)
    assert any(r[5] == "NEWLY FOUND" for r in after)
    assert {row[-1] for row in after} == {new}
    overridden = [r for r in after if r[6] == override.merchant_normalized]
    assert overridden and {r[12] for r in overridden} == {"health"}

    # A fresh sync of the same mailbox by the new parser, with the same override.
    second = _connect(world)
    with world.sessions() as session:
        set_merchant_category(session, user_id=second.user_id, merchant=merchant, category="health")
        session.commit()
    _initial_sync(world, second)
    assert after == _ledger(world, second)
    assert _candidates(world, first) == _candidates(world, second)

    # Nothing is left for this version: a second reparse fetches nothing and changes nothing.
    world.admin("DELETE", "/counters")
    result = CliRunner().invoke(app, ["reparse", str(first.user_id), "--inline"])
    assert result.exit_code == 0, result.output
    assert world.admin("GET", "/counters")["calls_by_method"] == {}
    assert _ledger(world, first) == after
