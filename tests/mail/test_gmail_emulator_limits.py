"""Quota, injected faults, the OAuth connect flow and the other mail source, over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.client
import json
import mailbox
import secrets
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httplib2
import httpx
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from fincoach.mail.gmail_emulator import (
    EmulatorConfig,
    FaultSettings,
    QuotaSettings,
    create_app,
    folder_sources,
)
from fincoach.mail.gmail_emulator.schema_check import SchemaValidator, load_discovery
from tests.mail.conftest import USERS, Running

GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"


def test_quota_exceeded_is_429_with_retry_after(fresh: Any) -> None:
    config = EmulatorConfig(seed=7, quota=QuotaSettings(units_per_minute=12))
    with fresh(config) as r:
        service = r.service()
        service.users().messages().list(userId="me").execute()  # 5 units
        service.users().messages().list(userId="me").execute()  # 10 units
        with pytest.raises(HttpError) as caught:
            service.users().messages().list(userId="me").execute()
        error = caught.value
        assert error.resp.status == 429
        assert int(error.resp["retry-after"]) >= 1
        body = json.loads(error.content)["error"]
        assert body["status"] == "RESOURCE_EXHAUSTED"
        assert body["errors"][0]["domain"] == "usageLimits"
        assert body["errors"][0]["reason"] == "rateLimitExceeded"
        # Another user's quota is untouched; the counters name the throttled user.
        assert r.service(1).users().getProfile(userId="me").execute()["emailAddress"] == USERS[1]
        counters = r.admin.get("/counters").json()
        assert counters["rate_limited_by_user"] == {USERS[0]: 1}
        assert counters["units_by_user"][USERS[0]] == 10


def test_quota_can_answer_403_and_charges_each_batch_part(fresh: Any) -> None:
    config = EmulatorConfig(seed=7, quota=QuotaSettings(units_per_minute=20, status=403))
    with fresh(config) as r:
        service = r.service()
        box = r.mailbox()
        statuses: list[int] = []

        def collect(request_id: str, response: Any, exception: HttpError | None) -> None:
            statuses.append(exception.resp.status if exception else 200)
            if exception:
                assert b"userRateLimitExceeded" in exception.content

        batch = BatchHttpRequest(callback=collect, batch_uri=f"{r.base}/batch/gmail/v1")
        for i in range(6):
            batch.add(service.users().messages().get(userId="me", id=box.message_id(i)))
        batch.execute()
        assert statuses == [200, 200, 200, 200, 403, 403]


def test_admin_quota_and_fault_settings_apply_live(fresh: Any) -> None:
    with fresh() as r:
        assert r.admin.put("/quota", json={"units_per_minute": 1}).json()["units_per_minute"] == 1
        with pytest.raises(HttpError) as caught:
            r.service().users().messages().list(userId="me").execute()
        assert caught.value.resp.status == 429
        r.admin.put("/quota", json={"enabled": False})
        r.service().users().messages().list(userId="me").execute()
        assert r.admin.put("/faults", json={"error_5xx_rate": 2}).status_code == 400
        assert r.admin.put("/faults", json={"latency_ms": 5}).json()["latency_ms"] == 5


def test_injected_5xx_and_429_hit_individual_batch_parts(fresh: Any) -> None:
    config = EmulatorConfig(seed=3, faults=FaultSettings(error_5xx_rate=0.3, rate_429_rate=0.2))
    with fresh(config) as r:
        service = r.service()
        box = r.mailbox()
        statuses: list[int] = []

        def collect(request_id: str, response: Any, exception: HttpError | None) -> None:
            statuses.append(exception.resp.status if exception else 200)

        batch = BatchHttpRequest(callback=collect, batch_uri=f"{r.base}/batch")
        for i in range(60):
            batch.add(service.users().messages().get(userId="me", id=box.message_id(i)))
        batch.execute()
        assert set(statuses) == {200, 429, 503}
        counters = r.admin.get("/counters").json()
        assert counters["injected_5xx"] == statuses.count(503)
        assert counters["injected_429"] == statuses.count(429)


def test_dropped_connections_are_observable(fresh: Any) -> None:
    config = EmulatorConfig(seed=7, faults=FaultSettings(drop_rate=1.0))
    with fresh(config) as r:
        # Authenticate before the drops begin (the token endpoint is not subject to faults).
        token = httpx.post(
            f"{r.base}/token",
            data={
                "grant_type": "refresh_token",
                **{k: r.creds()[k] for k in ("client_id", "client_secret", "refresh_token")},
            },
        ).json()["access_token"]
        client = httplib2.Http()
        # The response is cut after its headers: the body never arrives in full.
        with pytest.raises(http.client.HTTPException):
            client.request(
                f"{r.base}/gmail/v1/users/me/profile",
                headers={"Authorization": f"Bearer {token}"},
            )
        assert r.emulator.counters.dropped_connections >= 1
        r.admin.put("/faults", json={"drop_rate": 0})
        response, _ = client.request(
            f"{r.base}/gmail/v1/users/me/profile", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status == 200


def test_batch_over_100_parts_is_refused(shared: Running) -> None:
    token = httpx.post(
        f"{shared.base}/token",
        data={
            "grant_type": "refresh_token",
            **{k: shared.creds()[k] for k in ("client_id", "client_secret", "refresh_token")},
        },
    ).json()["access_token"]
    part = (
        "--b\r\nContent-Type: application/http\r\nContent-ID: <x + {i}>\r\n\r\n"
        "GET /gmail/v1/users/me/profile HTTP/1.1\r\nAuthorization: Bearer {t}\r\n\r\n"
    )
    body = "".join(part.format(i=i, t=token) for i in range(101)) + "--b--\r\n"
    answer = httpx.post(
        f"{shared.base}/batch/gmail/v1",
        content=body,
        headers={"content-type": 'multipart/mixed; boundary="b"'},
    )
    assert answer.status_code == 400


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def test_connect_flow_with_pkce(shared: Running) -> None:
    creds = shared.creds(2)
    verifier, challenge = _pkce()
    redirect = "http://127.0.0.1:9/callback"
    params = {
        "client_id": creds["client_id"],
        "redirect_uri": redirect,
        "response_type": "code",
        "scope": GMAIL_READONLY,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "login_hint": USERS[2],
        "access_type": "offline",
    }
    answer = httpx.get(f"{shared.base}/o/oauth2/auth", params=params)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["xyz"]
    code = query["code"][0]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect,
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
    }
    wrong = httpx.post(f"{shared.base}/token", data={**form, "code_verifier": "x" * 50})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # A failed exchange burns the code, as Google does; go round again.
    query = parse_qs(
        urlsplit(httpx.get(f"{shared.base}/o/oauth2/auth", params=params).headers["location"]).query
    )
    tokens = httpx.post(
        f"{shared.base}/token", data={**form, "code": query["code"][0], "code_verifier": verifier}
    ).json()
    assert tokens["refresh_token"] == creds["refresh_token"]
    assert tokens["token_type"] == "Bearer" and tokens["scope"] == GMAIL_READONLY
    profile = httpx.get(
        f"{shared.base}/gmail/v1/users/me/profile",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    ).json()
    assert profile["emailAddress"] == USERS[2]


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_id": "nope"}, 401, None),
        ({"redirect_uri": "https://evil.example/cb"}, 400, None),
        ({"scope": "https://www.googleapis.com/auth/drive"}, 302, "invalid_scope"),
        ({"code_challenge_method": "plain"}, 302, "invalid_request"),
        ({"login_hint": "stranger@fincoach.example"}, 302, "access_denied"),
    ],
)
def test_authorize_validates(
    shared: Running, change: dict[str, str], status: int, error: str | None
) -> None:
    params = {
        "client_id": shared.creds()["client_id"],
        "redirect_uri": "http://localhost:9/cb",
        "response_type": "code",
        "scope": GMAIL_READONLY,
        "code_challenge": _pkce()[1],
        "code_challenge_method": "S256",
        "login_hint": USERS[0],
        **change,
    }
    answer = httpx.get(f"{shared.base}/o/oauth2/auth", params=params)
    assert answer.status_code == status
    if error:
        assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == [error]


def test_admin_is_loopback_only(shared: Running) -> None:
    async def status_from(host: str) -> int:
        transport = httpx.ASGITransport(app=create_app(shared.emulator), client=(host, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
            return (await client.get("/admin/counters")).status_code

    assert asyncio.run(status_from("10.1.2.3")) == 403
    assert asyncio.run(status_from("127.0.0.1")) == 200


def _eml(index: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "HDFC Bank <alerts@hdfcbank.example>"
    msg["Subject"] = f"Debit alert {index}"
    msg["Date"] = f"Mon, {index + 1:02d} Jun 2026 10:00:00 +0530"
    msg["Message-ID"] = f"<m{index}@hdfc.example>"
    msg.set_content(f"Rs. {index}.00 debited")
    return msg.as_bytes()


def test_mailbox_dir_serves_maildir_mbox_and_eml(tmp_path: Path) -> None:
    maildir = mailbox.Maildir(tmp_path / "m@x.example")
    box = mailbox.mbox(tmp_path / "b@x.example.mbox")
    (tmp_path / "e@x.example").mkdir()
    for i in (2, 0, 1):
        maildir.add(_eml(i))
        box.add(_eml(i))
        (tmp_path / "e@x.example" / f"{i}.eml").write_bytes(_eml(i))
    box.flush()
    sources = folder_sources(tmp_path)
    assert sorted(sources) == ["b@x.example", "e@x.example", "m@x.example"]
    for source in sources.values():
        subjects = [source.message(i).subject for i in range(len(source))]
        assert subjects == ["Debit alert 0", "Debit alert 1", "Debit alert 2"]  # date order
        assert source.message(1).message_id == source.message(1).message_id


def test_cli_command_is_registered() -> None:
    from fincoach.cli import app
    from fincoach.cli.emulator import gmail_emulator

    assert any(
        c.name == "gmail-emulator" and c.callback is gmail_emulator for c in app.registered_commands
    )


def test_cli_prints_credentials_then_serves(tmp_path: Path) -> None:
    maildir = mailbox.Maildir(tmp_path / "cli@x.example")
    maildir.add(_eml(0))
    # Run through Typer as `fincoach gmail-emulator` does (the command alone: the other
    # commands registered by `fincoach.cli.main` are not needed here).
    script = "import typer; from fincoach.cli.emulator import gmail_emulator as g; typer.run(g)"
    process = subprocess.Popen(
        [sys.executable, "-c", script, "--port", "0", "--mailbox-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = json.loads(process.stdout.readline())
        assert line["address"] == "cli@x.example" and line["refresh_token"]
        base = json.loads(process.stdout.readline())["base_url"]
        token = httpx.post(
            f"{base}/token",
            data={
                "grant_type": "refresh_token",
                **{k: line[k] for k in ("client_id", "client_secret", "refresh_token")},
            },
            timeout=10,
        ).json()["access_token"]
        page = httpx.get(
            f"{base}/gmail/v1/users/me/messages", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert len(page["messages"]) == 1
        assert SchemaValidator(load_discovery()).validate("ListMessagesResponse", page) == []
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_refuses_a_mailbox_dir_with_no_address_named_entry(tmp_path: Path) -> None:
    mailbox.Maildir(tmp_path / "inbox").add(_eml(0))
    (tmp_path / "archive.mbox").write_bytes(b"")
    script = "import typer; from fincoach.cli.emulator import gmail_emulator as g; typer.run(g)"
    command = [sys.executable, "-c", script, "--port", "0", "--mailbox-dir", str(tmp_path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("the emulator started serving a folder with no mailbox it can serve")
    # Not an emulator serving zero users in silence: an error naming what it expected.
    assert done.returncode == 2, done.stderr
    assert "no mailbox to serve" in done.stderr
    assert "archive.mbox, inbox" in done.stderr
    assert "DIR/alice@example.com" in done.stderr


def test_cli_says_which_entries_it_skips_and_how_many_users_it_serves(tmp_path: Path) -> None:
    mailbox.Maildir(tmp_path / "cli@x.example").add(_eml(0))
    mailbox.Maildir(tmp_path / "bob").add(_eml(1))
    script = "import typer; from fincoach.cli.emulator import gmail_emulator as g; typer.run(g)"
    process = subprocess.Popen(
        [sys.executable, "-c", script, "--port", "0", "--mailbox-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert json.loads(process.stdout.readline())["address"] == "cli@x.example"
        assert "base_url" in json.loads(process.stdout.readline())
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "warning: not serving 1 entries" in stderr
    assert "(bob)" in stderr
    assert "serving 1 users" in stderr
