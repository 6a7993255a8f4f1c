"""The way out over HTTP: removing a mailbox, deleting a user; Google's grant ended at the
Gmail emulator's revocation endpoint over real HTTP."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.app import create_app
from fincoach.auth import api_keys
from fincoach.config import Settings
from fincoach.models import (
    ApiKey,
    EmailSyncJob,
    JobKind,
    JobStatus,
    Mailbox,
    MailboxStatus,
    MerchantCategory,
    Transaction,
    User,
)
from fincoach.sync import service as sync_service
from fincoach.sync import tasks
from fincoach.transactions.repository import LedgerRow, insert_transactions
from tests.api.conftest import admin_headers, bearer, new_user, user_headers
from tests.factories import create_gmail_mailbox, create_mailbox, create_user, parsed_transaction
from tests.oauth.emulator_server import RunningEmulator, running_emulator

pytestmark = pytest.mark.postgres


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(address="dana@fincoach.example", count=10) as running:
        yield running


@pytest.fixture
def settings(api_settings: Settings, emu: RunningEmulator) -> Settings:
    return api_settings.model_copy(
        update={
            "gmail_api_endpoint": emu.base,
            "google_token_uri": f"{emu.base}/token",
            "google_revoke_uri": f"{emu.base}/revoke",
            "google_client_id": emu.emulator.oauth.client_id,
            "google_client_secret": SecretStr(emu.emulator.oauth.client_secret),
        }
    )


@pytest.fixture
def api(settings: Settings, broker: redis.Redis) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@dataclass
class Owner:
    user_id: uuid.UUID
    gmail: uuid.UUID  # a Gmail mailbox holding the emulator's refresh token
    local: uuid.UUID  # a second mailbox, which no removal of the first may touch
    job: uuid.UUID  # a pending sync job of the Gmail mailbox


def _sessions(api: TestClient) -> sessionmaker[Session]:
    return api.app.state.sessions  # type: ignore[attr-defined, no-any-return]


def _seed(api: TestClient, emu: RunningEmulator, settings: Settings) -> Owner:
    with _sessions(api)() as session:
        user = create_user(session)
        gmail = create_gmail_mailbox(
            session,
            user=user,
            address=emu.address,
            refresh_token=emu.refresh_token,
            settings=settings,
        )
        local = create_mailbox(session, user=user)
        for mailbox, count in ((gmail, 3), (local, 2)):
            rows = [LedgerRow(f"m-{n}", parsed_transaction()) for n in range(count)]
            insert_transactions(session, user_id=user.id, mailbox_id=mailbox.id, rows=rows)
        job = sync_service.start_job(session, mailbox=gmail, kind=JobKind.INITIAL, months=1)
        session.commit()
        return Owner(user.id, gmail.id, local.id, job.id)


def _transactions(api: TestClient, mailbox_id: uuid.UUID) -> int:
    with _sessions(api)() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Transaction)
                .where(Transaction.mailbox_id == mailbox_id)
            )
            or 0
        )


def test_removing_a_mailbox_with_its_transactions_revokes_the_grant_at_google(
    api: TestClient, emu: RunningEmulator, settings: Settings
) -> None:
    owner = _seed(api, emu, settings)
    token = emu.refresh_token
    assert emu.token_works(token)

    answer = api.delete(
        f"/api/v1/mailboxes/{owner.gmail}?keep_transactions=false",
        headers=user_headers(api, owner.user_id),
    )

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "mailbox_id": str(owner.gmail),
        "user_id": str(owner.user_id),
        "mailbox": "deleted",
        "token_revocation": "revoked",
        "transactions_deleted": 3,
        "transactions_kept": 0,
        "sync_jobs_cancelled": 1,
    }
    # Google (the emulator) saw the revocation, and the token no longer works.
    assert emu.counters()["revocations"] == 1
    assert not emu.token_works(token)
    with _sessions(api)() as session:
        assert session.get(Mailbox, owner.gmail) is None
        assert session.get(EmailSyncJob, owner.job) is None
    assert _transactions(api, owner.gmail) == 0
    assert _transactions(api, owner.local) == 2  # the other mailbox is untouched
    listed = api.get(
        f"/api/v1/users/{owner.user_id}/mailboxes", headers=user_headers(api, owner.user_id)
    ).json()
    assert [m["id"] for m in listed] == [str(owner.local)]


def test_removing_a_mailbox_but_keeping_its_transactions_disconnects_it(
    api: TestClient, emu: RunningEmulator, settings: Settings
) -> None:
    owner = _seed(api, emu, settings)
    headers = user_headers(api, owner.user_id)

    answer = api.delete(f"/api/v1/mailboxes/{owner.gmail}?keep_transactions=true", headers=headers)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["mailbox"], body["token_revocation"]) == ("disconnected", "revoked")
    assert (body["transactions_kept"], body["transactions_deleted"]) == (3, 0)
    assert body["sync_jobs_cancelled"] == 1
    assert not emu.token_works(emu.refresh_token)
    with _sessions(api)() as session:
        mailbox = session.get_one(Mailbox, owner.gmail)
        assert mailbox.status is MailboxStatus.DISCONNECTED
        assert mailbox.credentials_encrypted is None
        job = session.get_one(EmailSyncJob, owner.job)
        assert job.status is JobStatus.FAILED
        assert job.error_message is not None and "removed" in job.error_message
    assert _transactions(api, owner.gmail) == 3
    ledger = api.get(f"/api/v1/transactions/{owner.user_id}", headers=headers).json()
    assert len(ledger["items"]) == 5
    # Nothing syncs it any more: a new sync starts only the other mailbox.
    started = api.post(f"/api/v1/email-sync/start/{owner.user_id}?months=1", headers=headers)
    assert started.status_code == 202, started.text
    with _sessions(api)() as session:
        active = session.scalars(
            select(EmailSyncJob.mailbox_id).where(
                EmailSyncJob.user_id == owner.user_id,
                EmailSyncJob.status == JobStatus.PENDING,
            )
        ).all()
    assert active == [owner.local]

    # Removed again without keeping: now the mailbox and its transactions go; no grant is left.
    again = api.delete(f"/api/v1/mailboxes/{owner.gmail}?keep_transactions=false", headers=headers)
    assert again.status_code == 200, again.text
    assert (again.json()["mailbox"], again.json()["token_revocation"]) == (
        "deleted",
        "not_needed",
    )
    assert again.json()["transactions_deleted"] == 3
    assert _transactions(api, owner.gmail) == 0
    assert emu.counters()["revocations"] == 1


def test_a_grant_google_already_ended_or_cannot_end_never_blocks_the_removal(
    api: TestClient, emu: RunningEmulator, settings: Settings
) -> None:
    owner = _seed(api, emu, settings)
    # The user already removed FinCoach in their Google account: Google answers invalid_token.
    emu.admin("POST", f"/users/{emu.address}/revoke")
    answer = api.delete(
        f"/api/v1/mailboxes/{owner.gmail}?keep_transactions=false",
        headers=user_headers(api, owner.user_id),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_revocation"] == "already_invalid"

    # Google unreachable: the stored token is deleted all the same, and the answer says so.
    emu.emulator.oauth.add_user(emu.address)  # a fresh grant for a second mailbox
    second = _seed(api, emu, settings)
    unreachable = settings.model_copy(update={"google_revoke_uri": "http://127.0.0.1:9/revoke"})
    with TestClient(create_app(unreachable)) as offline:
        answer = offline.delete(
            f"/api/v1/mailboxes/{second.gmail}?keep_transactions=true",
            headers=user_headers(offline, second.user_id),
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_revocation"] == "failed"
    with _sessions(api)() as session:
        assert session.get_one(Mailbox, second.gmail).credentials_encrypted is None


def test_only_the_owner_or_an_admin_may_remove_a_mailbox(
    api: TestClient, emu: RunningEmulator, settings: Settings
) -> None:
    owner = _seed(api, emu, settings)
    with _sessions(api)() as session:
        stranger = create_user(session)
        session.commit()
        stranger_id = stranger.id
    url = f"/api/v1/mailboxes/{owner.gmail}?keep_transactions=false"

    # Another user learns nothing, not even that the mailbox exists, and changes nothing.
    refused = api.delete(url, headers=user_headers(api, stranger_id))
    assert refused.status_code == 404, refused.text
    assert refused.json()["detail"] == "mailbox not found"
    assert emu.token_works(emu.refresh_token)
    assert emu.counters()["revocations"] == 0
    assert _transactions(api, owner.gmail) == 3

    # The choice is the user's to make: no default.
    unchosen = api.delete(
        f"/api/v1/mailboxes/{owner.gmail}", headers=user_headers(api, owner.user_id)
    )
    assert unchosen.status_code == 422
    assert "keep_transactions" in unchosen.json()["detail"]

    unknown = api.delete(
        f"/api/v1/mailboxes/{uuid.uuid4()}?keep_transactions=true", headers=admin_headers(api)
    )
    assert unknown.status_code == 404

    by_admin = api.delete(url, headers=admin_headers(api))
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.json()["token_revocation"] == "revoked"


def test_deleting_a_user_removes_everything_of_theirs_and_nothing_else(
    api: TestClient, emu: RunningEmulator, settings: Settings
) -> None:
    owner = _seed(api, emu, settings)
    with _sessions(api)() as session:
        session.add(
            MerchantCategory(user_id=owner.user_id, merchant_normalized="uber", category="travel")
        )
        key = api_keys.create_api_key(session, user_id=owner.user_id, name="phone").key
        bystander = create_user(session)
        box = create_mailbox(session, user=bystander)
        insert_transactions(
            session,
            user_id=bystander.id,
            mailbox_id=box.id,
            rows=[LedgerRow("m-0", parsed_transaction())],
        )
        session.commit()
        bystander_id = bystander.id
    token = emu.refresh_token
    assert api.get("/api/v1/auth/me", headers=bearer(key)).status_code == 200

    answer = api.delete(f"/api/v1/users/{owner.user_id}", headers=bearer(key))

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "user_id": str(owner.user_id),
        "mailboxes": 2,
        "transactions": 5,
        "sync_jobs": 1,
        "merchant_categories": 1,
        "api_keys": 1,
        "token_revocations": {str(owner.gmail): "revoked", str(owner.local): "not_needed"},
    }
    assert emu.counters()["revocations"] == 1
    assert not emu.token_works(token)
    with _sessions(api)() as session:
        for model in (Mailbox, Transaction, EmailSyncJob, MerchantCategory, ApiKey):
            left = session.scalar(
                select(func.count()).select_from(model).where(model.user_id == owner.user_id)
            )
            assert left == 0, model.__name__
        assert session.get(User, owner.user_id) is None
        assert session.get(User, bystander_id) is not None
        assert (
            session.scalar(
                select(func.count())
                .select_from(Transaction)
                .where(Transaction.user_id == bystander_id)
            )
            == 1
        )
    # Their credentials stop working at once.
    assert api.get("/api/v1/auth/me", headers=bearer(key)).status_code == 401
    gone = api.get(f"/api/v1/users/{owner.user_id}", headers=user_headers(api, owner.user_id))
    assert gone.status_code == 401
    assert api.delete(f"/api/v1/users/{owner.user_id}", headers=admin_headers(api)).status_code == (
        404
    )


def test_connecting_a_disconnected_mailbox_again_adds_nothing_twice(
    client: TestClient, sessions: sessionmaker[Session], mail_dir: Path
) -> None:
    user_id = new_user(client, mail_dir)
    tasks.fetch_user_emails_initial(user_id)
    [mailbox] = client.get(f"/api/v1/users/{user_id}/mailboxes").json()
    stored = _transactions(client, uuid.UUID(mailbox["id"]))
    assert stored > 0

    removed = client.delete(f"/api/v1/mailboxes/{mailbox['id']}?keep_transactions=true")
    assert removed.json()["transactions_kept"] == stored
    again = client.post(f"/api/v1/users/{user_id}/mailboxes/local", json={"path": str(mail_dir)})
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["status"]) == (mailbox["id"], "active")

    tasks.fetch_user_emails_initial(user_id)
    assert _transactions(client, uuid.UUID(mailbox["id"])) == stored
