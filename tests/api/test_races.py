"""Concurrent writes of one thing: every answer is a 2xx (an idempotent upsert), never a 500.

The API runs in uvicorn on a real socket (a thread of this process) against the real
PostgreSQL test database; 16 clients send at once, released together by a barrier, so their
transactions overlap in PostgreSQL the way two browsers' would.
"""

import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import redis
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.app import create_app
from fincoach.auth.tokens import issue_token
from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.models import MerchantCategory, Role, User
from tests.api.conftest import bearer

pytestmark = pytest.mark.postgres

CLIENTS = 16
ROUNDS = 10


@pytest.fixture
def api_url(api_settings: Settings, broker: redis.Redis) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1, lifespan included."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(api_settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture
def db(api_settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(api_settings.database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def admin_token(db: sessionmaker[Session], api_settings: Settings) -> str:
    with db() as session:
        admin = User(email=f"admin-{uuid.uuid4().hex[:10]}@example.com", role=Role.ADMIN)
        session.add(admin)
        session.commit()
        return issue_token(api_settings, user_id=admin.id, role=Role.ADMIN)


def at_once(send: Callable[[httpx.Client], httpx.Response], url: str, token: str) -> list[Any]:
    """`send` from CLIENTS clients released together; their (status, JSON body) answers."""
    barrier = threading.Barrier(CLIENTS)

    def one(_: int) -> tuple[int, Any]:
        with httpx.Client(base_url=url, headers=bearer(token), timeout=60) as client:
            barrier.wait()
            answer = send(client)
            is_json = answer.headers.get("content-type") == "application/json"
            return answer.status_code, answer.json() if is_json else answer.text

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, range(CLIENTS)))


def test_concurrent_puts_of_one_new_merchant_category_all_succeed_once(
    api_url: str, admin_token: str, db: sessionmaker[Session]
) -> None:
    with httpx.Client(base_url=api_url, headers=bearer(admin_token), timeout=60) as client:
        created = client.post("/api/v1/users", json={"email": f"{uuid.uuid4().hex}@example.com"})
        assert created.status_code == 201, created.text
        user_id = created.json()["id"]

    statuses: Counter[int] = Counter()
    for n in range(ROUNDS):
        body = {"merchant": f"Corner Shop {n}", "category": "groceries"}
        answers = at_once(
            lambda c, b=body: c.put(f"/api/v1/users/{user_id}/merchant-categories", json=b),  # type: ignore[misc]
            api_url,
            admin_token,
        )
        statuses.update(status for status, _ in answers)
        assert all(status == 200 for status, _ in answers), answers
        assert {a["merchant_normalized"] for _, a in answers} == {f"corner shop {n}"}

    assert statuses == {200: CLIENTS * ROUNDS}
    with db() as session:
        rows = session.scalar(
            select(func.count())
            .select_from(MerchantCategory)
            .where(MerchantCategory.user_id == uuid.UUID(user_id))
        )
    assert rows == ROUNDS  # one override per merchant, however many PUTs raced


def test_concurrent_creates_of_one_email_return_one_user(
    api_url: str, admin_token: str, db: sessionmaker[Session]
) -> None:
    for _ in range(ROUNDS):
        email = f"race-{uuid.uuid4().hex[:10]}@example.com"
        answers = at_once(
            lambda c, e=email: c.post("/api/v1/users", json={"email": e}),  # type: ignore[misc]
            api_url,
            admin_token,
        )
        assert {status for status, _ in answers} == {201}, answers
        assert len({body["id"] for _, body in answers}) == 1
        with db() as session:
            assert session.scalar(select(func.count()).where(User.email == email)) == 1
