"""The emulator as the official Gmail client sees it: profile, list, get, batch, history, OAuth."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from fincoach.mail.gmail_emulator.schema_check import SchemaValidator, load_discovery
from fincoach.mail.gmail_emulator.store import epoch_ms
from tests.mail.conftest import EMAILS, USERS, Running

VALIDATOR = SchemaValidator(load_discovery())


def conforms(schema: str, value: Any) -> None:
    assert VALIDATOR.validate(schema, value) == []


def list_all(service: Any, **kwargs: Any) -> list[str]:
    ids: list[str] = []
    request = service.users().messages().list(userId="me", **kwargs)
    while request is not None:
        page = request.execute()
        conforms("ListMessagesResponse", page)
        ids += [m["id"] for m in page.get("messages", [])]
        request = service.users().messages().list_next(request, page)
    return ids


def test_profile(shared: Running) -> None:
    profile = shared.service(1).users().getProfile(userId="me").execute()
    conforms("Profile", profile)
    assert profile["emailAddress"] == USERS[1]
    assert profile["messagesTotal"] == EMAILS
    assert int(profile["historyId"]) > 0


def test_list_is_newest_first_and_pages(shared: Running) -> None:
    service = shared.service()
    first = service.users().messages().list(userId="me", maxResults=7).execute()
    assert len(first["messages"]) == 7
    assert "nextPageToken" in first
    assert first["resultSizeEstimate"] == EMAILS
    ids = list_all(service, maxResults=150)
    box = shared.mailbox()
    assert ids == [box.message_id(i) for i in reversed(range(EMAILS))]
    assert ids[:7] == [m["id"] for m in first["messages"]]


def test_list_caps_page_at_500_and_defaults_to_100(shared: Running) -> None:
    service = shared.service()
    assert len(service.users().messages().list(userId="me").execute()["messages"]) == 100
    big = service.users().messages().list(userId="me", maxResults=1000).execute()
    assert len(big["messages"]) == EMAILS  # all 400 fit under the 500 cap
    assert "nextPageToken" not in big


def _oracle(running: Running, keep: Any) -> list[str]:
    box = running.mailbox()
    return [box.message_id(i) for i in reversed(range(EMAILS)) if keep(box.message(i))]


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("after:1772000000", lambda m: epoch_ms(m.internal_date) >= 1772000000_000),
        ("before:1772000000", lambda m: epoch_ms(m.internal_date) < 1772000000_000),
        (
            "after:2026/03/01 before:2026/04/01",
            # Dates are midnight in America/Los_Angeles (UTC-8 in winter, UTC-7 after DST).
            lambda m: 1772352000_000 <= epoch_ms(m.internal_date) < 1775026800_000,
        ),
        ("-category:promotions", lambda m: "CATEGORY_PROMOTIONS" not in m.labels),
        ("category:updates", lambda m: "CATEGORY_UPDATES" in m.labels),
        (
            "category:social OR category:forums",
            lambda m: {"CATEGORY_SOCIAL", "CATEGORY_FORUMS"} & set(m.labels),
        ),
        ("from:amazon", lambda m: "amazon" in m.sender.lower()),
        ("subject:order", lambda m: "order" in m.subject.lower()),
        (
            "(from:amazon OR subject:debited) -category:promotions after:1772000000",
            lambda m: (
                ("amazon" in m.sender.lower() or "debited" in m.subject.lower())
                and "CATEGORY_PROMOTIONS" not in m.labels
                and epoch_ms(m.internal_date) >= 1772000000_000
            ),
        ),
        (
            "-(category:updates OR category:promotions)",
            lambda m: not {"CATEGORY_UPDATES", "CATEGORY_PROMOTIONS"} & set(m.labels),
        ),
    ],
)
def test_list_query_operators(shared: Running, query: str, keep: Any) -> None:
    expected = _oracle(shared, keep)
    assert expected, "the oracle must select something for the test to mean anything"
    assert list_all(shared.service(), q=query, maxResults=500) == expected


def test_newer_than_and_label_ids(shared: Running) -> None:
    service = shared.service()
    # The fixture's mail ends on 2026-07-01, long before "now" in 2026-11: nothing is 1 day new.
    assert list_all(service, q="newer_than:1d") == []
    assert len(list_all(service, q="older_than:1d")) == EMAILS
    expected = _oracle(shared, lambda m: "UNREAD" in m.labels)
    assert list_all(service, labelIds=["UNREAD"], maxResults=500) == expected


def test_bad_query_is_400(shared: Running) -> None:
    with pytest.raises(HttpError) as caught:
        shared.service().users().messages().list(userId="me", q="after:yesterday").execute()
    assert caught.value.resp.status == 400


def test_get_in_every_format(shared: Running) -> None:
    service = shared.service()
    box = shared.mailbox()
    record = box.message(5)
    get = service.users().messages().get
    raw = get(userId="me", id=record.message_id, format="raw").execute()
    conforms("Message", raw)
    assert base64.urlsafe_b64decode(raw["raw"]) == record.raw
    assert raw["internalDate"] == str(epoch_ms(record.internal_date))
    assert raw["sizeEstimate"] == len(record.raw)
    assert raw["labelIds"] == list(record.labels)
    assert "payload" not in raw

    full = get(userId="me", id=record.message_id, format="full").execute()
    conforms("Message", full)
    assert full["payload"]["partId"] == ""
    headers = {h["name"].lower(): h["value"] for h in full["payload"]["headers"]}
    assert headers["subject"] == record.subject

    meta = get(
        userId="me", id=record.message_id, format="metadata", metadataHeaders=["From", "Subject"]
    ).execute()
    conforms("Message", meta)
    assert sorted(h["name"] for h in meta["payload"]["headers"]) == ["From", "Subject"]

    minimal = get(userId="me", id=record.message_id, format="minimal").execute()
    conforms("Message", minimal)
    assert "payload" not in minimal and "raw" not in minimal
    assert minimal["id"] == record.message_id


def test_full_payload_decodes_every_leaf(shared: Running) -> None:
    service = shared.service()
    box = shared.mailbox()
    multipart = next(
        box.message(i) for i in range(EMAILS) if b"multipart/" in box.message(i).raw[:2000]
    )
    full = service.users().messages().get(userId="me", id=multipart.message_id).execute()
    conforms("Message", full)
    assert full["payload"]["mimeType"].startswith("multipart/")
    leaves = full["payload"]["parts"]
    assert [p["partId"] for p in leaves] == [str(i) for i in range(len(leaves))]
    for part in leaves:
        if "data" in part["body"]:
            assert len(base64.urlsafe_b64decode(part["body"]["data"])) == part["body"]["size"]


def test_get_unknown_is_404_and_other_user_is_403(shared: Running) -> None:
    service = shared.service()
    with pytest.raises(HttpError) as caught:
        service.users().messages().get(userId="me", id="00000000deadbeef").execute()
    assert caught.value.resp.status == 404
    with pytest.raises(HttpError) as caught:
        service.users().getProfile(userId=USERS[1]).execute()
    assert caught.value.resp.status == 403
    assert service.users().getProfile(userId=USERS[0]).execute()["emailAddress"] == USERS[0]


def test_batch_of_50_gets(shared: Running) -> None:
    service = shared.service(2)
    box = shared.mailbox(2)
    wanted = [box.message_id(i) for i in range(100, 150)]
    results: dict[str, Any] = {}

    def collect(request_id: str, response: Any, exception: Exception | None) -> None:
        assert exception is None
        results[request_id] = response

    # BatchHttpRequest built from the discovery document posts to rootUrl + batchPath, i.e.
    # https://gmail.googleapis.com/batch, whatever api_endpoint says: name the URI explicitly.
    batch = BatchHttpRequest(callback=collect, batch_uri=f"{shared.base}/batch/gmail/v1")
    for message_id in wanted:
        batch.add(
            service.users().messages().get(userId="me", id=message_id, format="raw"),
            request_id=message_id,
        )
    batch.execute()
    assert sorted(results) == sorted(wanted)
    for message_id, message in results.items():
        conforms("Message", message)
        raw = base64.urlsafe_b64decode(message["raw"])
        assert raw == box.message(wanted.index(message_id) + 100).raw


def test_history_after_adding_mail(fresh: Any) -> None:
    with fresh() as r:
        service = r.service()
        start = service.users().getProfile(userId="me").execute()["historyId"]
        empty = service.users().history().list(userId="me", startHistoryId=start).execute()
        conforms("ListHistoryResponse", empty)
        assert "history" not in empty and empty["historyId"] == start
        added = r.admin.post(f"/users/{USERS[0]}/messages", json={"count": 3}).json()["added"]
        raw = b"From: Bank <alerts@bank.example>\r\nSubject: Debit\r\n\r\nRs 5 debited\r\n"
        response = r.admin.post(
            f"/users/{USERS[0]}/messages",
            content=raw,
            headers={"content-type": "message/rfc822"},
        )
        added += response.json()["added"]
        history = (
            service.users()
            .history()
            .list(userId="me", startHistoryId=start, historyTypes="messageAdded", maxResults=2)
            .execute()
        )
        conforms("ListHistoryResponse", history)
        assert "nextPageToken" in history
        seen = [h["messagesAdded"][0]["message"]["id"] for h in history["history"]]
        rest = (
            service.users()
            .history()
            .list(userId="me", startHistoryId=start, pageToken=history["nextPageToken"])
            .execute()
        )
        seen += [h["messagesAdded"][0]["message"]["id"] for h in rest["history"]]
        assert seen == added
        # The new mail is the newest in the list, and fetchable.
        assert list_all(service, maxResults=4)[:4] == list(reversed(added))
        got = service.users().messages().get(userId="me", id=added[-1], format="raw").execute()
        assert base64.urlsafe_b64decode(got["raw"]) == raw


def test_expired_history_is_404(fresh: Any) -> None:
    with fresh() as r:
        service = r.service()
        start = service.users().getProfile(userId="me").execute()["historyId"]
        r.admin.post(f"/users/{USERS[0]}/messages", json={"count": 1})
        assert r.admin.post(f"/users/{USERS[0]}/history/expire").status_code == 200
        with pytest.raises(HttpError) as caught:
            service.users().history().list(userId="me", startHistoryId=start).execute()
        assert caught.value.resp.status == 404
        assert b'"notFound"' in caught.value.content
        now = service.users().getProfile(userId="me").execute()["historyId"]
        assert (
            "history"
            not in service.users().history().list(userId="me", startHistoryId=now).execute()
        )


def test_revoked_token_is_invalid_grant(fresh: Any) -> None:
    with fresh() as r:
        service = r.service(1)
        service.users().getProfile(userId="me").execute()  # works before
        assert r.admin.post(f"/users/{USERS[1]}/revoke").status_code == 200
        # The access token is revoked too: the client gets 401, refreshes, and the refresh fails.
        with pytest.raises(RefreshError) as caught:
            service.users().getProfile(userId="me").execute()
        assert "invalid_grant" in str(caught.value)
        with pytest.raises(RefreshError):
            r.service(1).users().getProfile(userId="me").execute()
        assert r.service(0).users().getProfile(userId="me").execute()["emailAddress"] == USERS[0]


def test_revoke_endpoint_ends_the_grant_as_google_does(fresh: Any) -> None:
    with fresh() as r:
        service = r.service(1)
        service.users().getProfile(userId="me").execute()  # works before
        refresh = r.creds(1)["refresh_token"]
        # Google's revocation endpoint: form-encoded token, 200 with an empty JSON body.
        answer = httpx.post(f"{r.base}/revoke", data={"token": refresh})
        assert (answer.status_code, answer.json()) == (200, {})
        assert r.admin.get("/counters").json()["revocations"] == 1
        with pytest.raises(RefreshError) as caught:
            service.users().getProfile(userId="me").execute()
        assert "invalid_grant" in str(caught.value)
        # A revoked (or unknown) token is Google's 400 invalid_token, and counts nothing.
        again = httpx.post(f"{r.base}/revoke", data={"token": refresh})
        assert again.status_code == 400
        assert again.json()["error"] == "invalid_token"
        assert httpx.post(f"{r.base}/revoke").status_code == 400
        assert r.admin.get("/counters").json()["revocations"] == 1
        # The other users keep their access.
        assert r.service(0).users().getProfile(userId="me").execute()["emailAddress"] == USERS[0]


def test_revoking_an_access_token_ends_its_refresh_token_too(fresh: Any) -> None:
    with fresh() as r:
        line = r.creds(2)
        granted = httpx.post(
            f"{r.base}/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": line["refresh_token"],
                "client_id": line["client_id"],
                "client_secret": line["client_secret"],
            },
        ).json()
        # The token may also come in the query string, as in Google's own example.
        answer = httpx.post(f"{r.base}/revoke", params={"token": granted["access_token"]})
        assert answer.status_code == 200
        with pytest.raises(RefreshError):
            r.service(2).users().getProfile(userId="me").execute()


def test_bad_bearer_token_is_401_as_gmail_says(shared: Running) -> None:
    answer = httpx.get(
        f"{shared.base}/gmail/v1/users/me/profile", headers={"Authorization": "Bearer nope"}
    )
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["errors"][0]["reason"] == "authError"


def test_schema_validator_catches_what_gmail_would_not_send() -> None:
    good = {"id": "a", "internalDate": "123", "payload": {"body": {"size": 3, "data": "YWJj"}}}
    assert VALIDATOR.validate("Message", good) == []
    assert VALIDATOR.validate("Message", {**good, "internalDate": 123})  # int64 is a string
    assert VALIDATOR.validate("Message", {**good, "colour": "red"})  # not in the schema
    assert VALIDATOR.validate("Profile", {"messagesTotal": "3"})  # int32 is a number
    assert VALIDATOR.validate("Message", {"payload": {"body": {"data": "a+b/"}}})  # not base64url
    assert VALIDATOR.validate("ListHistoryResponse", {"history": [{"id": "x"}]})  # uint64


def test_query_dates_are_pacific_midnight_and_or_binds_tighter() -> None:
    from fincoach.mail.gmail_emulator.query import QueryError, compile_query, parse_date

    assert parse_date("2026/01/15") == 1768464000_000  # 08:00 UTC, PST
    assert parse_date("2026/07/15") == 1784098800_000  # 07:00 UTC, PDT
    assert parse_date("1768464000") == 1768464000_000
    query = compile_query("after:2026/01/15 before:2026/07/15")
    assert query is not None and not query.needs_record
    assert (query.after_ms, query.before_ms) == (1768464000_000, 1784098800_000)
    for bad in ("(from:a", "from:a)", "OR", "category:nonsense", "older_than:3w"):
        with pytest.raises(QueryError):
            compile_query(bad)
