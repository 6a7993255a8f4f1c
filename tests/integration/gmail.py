"""The Gmail emulator as a separate process, seen from outside: its admin API and what it serves.

The expected ledger is built from the messages the emulator serves, read through the official
client with the credentials the emulator printed — not from a copy of its generator, so the
test cannot agree with the emulator by sharing a bug with it.
"""

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2  # type: ignore[import-untyped]
import httpx
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from fincoach.devstack.emulator import EmulatorInfo
from fincoach.parsing import parse
from tests.worker.ledger import LedgerKey

SCOPE = "https://www.googleapis.com/auth/gmail.readonly"
BATCH = 25  # calls per batch request, as the product sends them


@dataclass(frozen=True)
class ServedMessage:
    message_id: str
    internal_date: datetime
    raw: bytes


@dataclass(frozen=True)
class GmailEmulator(EmulatorInfo):
    """A running `fincoach gmail-emulator` (what it printed, devstack), read from outside."""

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, f"{self.base_url}/admin{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def add_mail(self, address: str, count: int) -> list[str]:
        added: list[str] = self.admin("POST", f"/users/{address}/messages", json={"count": count})[
            "added"
        ]
        return added

    def _http(self, address: str) -> Any:
        """An authorised connection of `address`; the client and its batches share it."""
        creds = Credentials(  # type: ignore[no-untyped-call]
            token=None,
            refresh_token=self.credentials[address]["refresh_token"],
            token_uri=f"{self.base_url}/token",
            client_id=self.client_id,
            client_secret=self.client_secret,
            scopes=[SCOPE],
        )
        return google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=30))

    def _service(self, http: Any) -> Any:
        return build(
            "gmail",
            "v1",
            http=http,
            client_options={"api_endpoint": self.base_url},
            static_discovery=True,
            cache_discovery=False,
        )

    def message_ids(self, address: str, query: str = "") -> list[str]:
        """The message ids `messages.list` answers for the user and `query` (all by default)."""
        messages = self._service(self._http(address)).users().messages()
        ids: list[str] = []
        token: str | None = None
        while True:
            page = messages.list(
                userId="me", q=query or None, maxResults=500, pageToken=token
            ).execute()
            ids.extend(ref["id"] for ref in page.get("messages", []))
            token = page.get("nextPageToken")
            if not token:
                return ids

    def fetch_raw(self, address: str, ids: list[str]) -> list[ServedMessage]:
        """`messages.get(format=raw)` for each id, in batches like the product's."""
        http = self._http(address)
        messages = self._service(http).users().messages()
        found: dict[str, ServedMessage] = {}

        def keep(request_id: str, response: dict[str, Any], error: Exception | None) -> None:
            if error is not None:
                raise error
            found[response["id"]] = ServedMessage(
                message_id=response["id"],
                internal_date=datetime.fromtimestamp(int(response["internalDate"]) / 1000, UTC),
                raw=base64.urlsafe_b64decode(response["raw"]),
            )

        for start in range(0, len(ids), BATCH):
            batch = BatchHttpRequest(callback=keep, batch_uri=f"{self.base_url}/batch/gmail/v1")
            for message_id in ids[start : start + BATCH]:
                batch.add(messages.get(userId="me", id=message_id, format="raw"))
            batch.execute(http=http)
        assert set(found) == set(ids), "the emulator did not serve every listed message"
        return [found[i] for i in ids]


def expected_ledger(messages: Iterable[ServedMessage]) -> list[LedgerKey]:
    """What the pure pipeline extracts from the served bytes, keyed by the Gmail message id."""
    keys: list[LedgerKey] = []
    for message in messages:
        for t in parse(message.raw):
            keys.append(
                (
                    message.message_id,
                    t.position,
                    t.amount.quantize(Decimal("0.0001")),
                    t.currency,
                    t.direction.value,
                    t.occurred_at,
                )
            )
    return sorted(keys, key=repr)
