"""The Gmail API emulator on a real socket (uvicorn in a thread), and settings pointing at it.

Used by the Gmail source tests and the OAuth tests: the official client talks real HTTP to it.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from fincoach.config import Settings
from fincoach.demo import DemoMailbox
from fincoach.mail.gmail_emulator.app import create_app
from fincoach.mail.gmail_emulator.faults import FaultSettings
from fincoach.mail.gmail_emulator.quota import QuotaSettings
from fincoach.mail.gmail_emulator.sources import DemoFactory
from fincoach.mail.gmail_emulator.state import Emulator, EmulatorConfig

SEED = 11


@dataclass
class RunningEmulator:
    base: str
    emulator: Emulator
    address: str
    mailbox: DemoMailbox

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "gmail_api_endpoint": self.base,
            "google_token_uri": f"{self.base}/token",
            "google_revoke_uri": f"{self.base}/revoke",
            "google_auth_uri": f"{self.base}/o/oauth2/v2/auth",
            "google_client_id": self.emulator.oauth.client_id,
            "google_client_secret": self.emulator.oauth.client_secret,
            "google_redirect_uri": "http://127.0.0.1:8000/api/v1/oauth/google/callback",
            # These tests compare listings with the whole mailbox; the prefilter has its own.
            "gmail_prefilter_query": "",
        }
        values.update(overrides)
        return Settings(**values)

    @property
    def refresh_token(self) -> str:
        return self.emulator.oauth.refresh_token_for(self.address)

    def token_works(self, refresh_token: str) -> bool:
        """Whether the emulator still grants an access token for `refresh_token`."""
        answer = httpx.post(
            f"{self.base}/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self.emulator.oauth.client_id,
                "client_secret": self.emulator.oauth.client_secret,
            },
            timeout=30,
        )
        return answer.status_code == 200

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, f"{self.base}/admin{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", "/counters")
        return result


@contextmanager
def running_emulator(
    *,
    address: str = "alice@fincoach.example",
    count: int = 300,
    seed: int = SEED,
    quota: QuotaSettings | None = None,
    faults: FaultSettings | None = None,
) -> Iterator[RunningEmulator]:
    factory = DemoFactory(seed=seed)
    mailbox = DemoMailbox(seed=seed, address=address, count=count)
    config = EmulatorConfig(
        seed=seed, quota=quota or QuotaSettings(), faults=faults or FaultSettings()
    )
    emulator = Emulator({address: mailbox}, config, new_mail=factory.new_mail)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(emulator), log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the emulator did not start")
        time.sleep(0.02)
    try:
        yield RunningEmulator(f"http://127.0.0.1:{port}", emulator, address, mailbox)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
