"""Gmail emulator fixtures: a real server on a free port, reached with the official client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from fincoach.demo import DemoMailbox
from fincoach.mail.gmail_emulator import (
    DemoFactory,
    Emulator,
    EmulatorConfig,
    create_app,
    serve_in_thread,
)

USERS = ("ana@fincoach.example", "ben@fincoach.example", "cai@fincoach.example")
EMAILS = 400
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 7, 1, tzinfo=UTC)


@dataclass
class Running:
    emulator: Emulator
    base: str
    admin: httpx.Client

    def creds(self, user: int = 0) -> dict[str, str]:
        return self.emulator.credential_lines()[user]

    def service(self, user: int = 0) -> Any:
        line = self.creds(user)
        credentials = Credentials(
            token=None,
            refresh_token=line["refresh_token"],
            client_id=line["client_id"],
            client_secret=line["client_secret"],
            token_uri=f"{self.base}/token",
        )
        return build(
            "gmail",
            "v1",
            credentials=credentials,
            client_options={"api_endpoint": self.base},
            static_discovery=True,
            cache_discovery=False,
        )

    def mailbox(self, user: int = 0) -> DemoMailbox:
        return DemoMailbox(seed=7, address=USERS[user], count=EMAILS, start=START, end=END)


@contextmanager
def running(config: EmulatorConfig | None = None) -> Iterator[Running]:
    sources = {
        address: DemoMailbox(seed=7, address=address, count=EMAILS, start=START, end=END)
        for address in USERS
    }
    emulator = Emulator(
        sources,  # type: ignore[arg-type]
        config or EmulatorConfig(seed=7),
        new_mail=DemoFactory(7).new_mail,
    )
    with (
        serve_in_thread(create_app(emulator)) as base,
        httpx.Client(base_url=f"{base}/admin") as admin,
    ):
        yield Running(emulator, base, admin)


@pytest.fixture(scope="module")
def shared() -> Iterator[Running]:
    """One emulator for the read-only tests of a module."""
    with running() as r:
        yield r


@pytest.fixture
def fresh() -> Callable[..., AbstractContextManager[Running]]:
    """A private emulator for a test that changes the world (mail, tokens, quota, faults)."""
    return running
