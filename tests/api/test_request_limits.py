"""Request bodies are limited (MAX_REQUEST_BODY_BYTES): 413 before a declared-too-large body is
read, and as soon as a streamed (chunked) one passes the limit.

The finding: an anonymous `POST /api/v1/users` with a 200 MB body grew the API by 600 MB before
it answered 401. Here the app is called as the server calls it (ASGI `receive`), and served by
a real uvicorn; a wrapper around the whole app counts the body bytes the app ever pulled.
"""

import asyncio
import http.client
import json
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fincoach.app import create_app
from fincoach.config import Settings
from tests.api.serving import served

pytestmark = pytest.mark.postgres

MiB = 1024 * 1024
HOSTILE_BYTES = 200 * MiB
PIECE = 64 * 1024  # what a server hands the app at a time, at most


@dataclass
class BodyCounter:
    """An ASGI wrapper outside everything the app installs: counts the body bytes pulled."""

    app: ASGIApp
    pulled: int = 0
    pulls: list[int] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.pulled += len(message.get("body", b""))
            return message

        await self.app(scope, counted if scope["type"] == "http" else receive, send)


def _hostile_stream(total: int) -> Receive:
    """A client streaming `total` bytes of junk, produced only as fast as it is pulled."""
    sent = 0

    async def receive() -> Message:
        nonlocal sent
        piece = min(PIECE, total - sent)
        sent += piece
        return {"type": "http.request", "body": b"x" * piece, "more_body": sent < total}

    return receive


def _call(app: ASGIApp, headers: list[tuple[bytes, bytes]], receive: Receive) -> dict[str, object]:
    """One anonymous POST /api/v1/users through the ASGI interface; the answer's status and JSON."""
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/users",
        "raw_path": b"/api/v1/users",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    messages: list[Message] = []

    async def send(message: Message) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return {"status": start["status"], "json": json.loads(body)}


def test_a_200_mb_streamed_body_is_refused_once_past_the_limit(running_app: FastAPI) -> None:
    counter = BodyCounter(running_app)
    answer = _call(counter, [(b"transfer-encoding", b"chunked")], _hostile_stream(HOSTILE_BYTES))
    assert answer["status"] == 413, answer
    assert "1048576 bytes" in answer["json"]["detail"]  # type: ignore[index]
    # The app stopped pulling at the limit: at most one piece past 1 MiB, not 200 MB.
    assert counter.pulled <= MiB + PIECE, counter.pulled


def test_a_declared_200_mb_body_is_refused_before_a_byte_is_read(running_app: FastAPI) -> None:
    counter = BodyCounter(running_app)
    length = str(HOSTILE_BYTES).encode()
    answer = _call(counter, [(b"content-length", length)], _hostile_stream(HOSTILE_BYTES))
    assert answer["status"] == 413, answer
    assert "larger than" in answer["json"]["detail"]  # type: ignore[index]
    assert counter.pulled == 0


def test_a_body_within_the_limit_is_served(running_app: FastAPI) -> None:
    body = json.dumps({"email": "someone@example.com", "display_name": "x" * 150}).encode()
    pieces = iter([body])

    async def receive() -> Message:
        return {"type": "http.request", "body": next(pieces, b""), "more_body": False}

    answer = _call(running_app, [(b"content-length", str(len(body)).encode())], receive)
    assert answer["status"] == 401  # read, parsed, and then refused for want of a token


def _post_headers(port: int, headers: dict[str, str]) -> http.client.HTTPConnection:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.putrequest("POST", "/api/v1/users")
    for name, value in {"Content-Type": "application/json", **headers}.items():
        connection.putheader(name, value)
    connection.endheaders()
    return connection


def test_uvicorn_answers_413_to_a_declared_200_mb_body_without_reading_it(
    api_settings: Settings, broker: object
) -> None:
    counter = BodyCounter(create_app(api_settings))
    with served(counter) as port:
        # Only the headers are sent: the answer comes without the server waiting for the body.
        connection = _post_headers(port, {"Content-Length": str(HOSTILE_BYTES)})
        answer = connection.getresponse()
        assert answer.status == 413
        assert "larger than" in json.loads(answer.read())["detail"]
        connection.close()
    assert counter.pulled == 0


def test_uvicorn_answers_413_once_a_chunked_body_passes_the_limit(
    api_settings: Settings, broker: object
) -> None:
    limit = 4096
    app = create_app(api_settings.model_copy(update={"max_request_body_bytes": limit}))
    with served(app) as port:
        connection = _post_headers(port, {"Transfer-Encoding": "chunked"})
        chunk = b"x" * 1000
        connection.send(b"".join(b"3e8\r\n" + chunk + b"\r\n" for _ in range(6)) + b"0\r\n\r\n")
        answer = connection.getresponse()
        assert answer.status == 413
        assert f"{limit} bytes" in json.loads(answer.read())["detail"]
        connection.close()


def test_the_limit_is_a_setting_with_a_1_mib_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).max_request_body_bytes == MiB  # type: ignore[call-arg]
    monkeypatch.setenv("MAX_REQUEST_BODY_BYTES", "2048")
    assert Settings(_env_file=None).max_request_body_bytes == 2048  # type: ignore[call-arg]
