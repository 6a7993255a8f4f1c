"""The ASGI app: Gmail's URL layout on one Starlette app (no FastAPI validation on the hot path)."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from fincoach.mail.gmail_emulator.admin import admin_routes
from fincoach.mail.gmail_emulator.api import call
from fincoach.mail.gmail_emulator.batch import answer_batch
from fincoach.mail.gmail_emulator.errors import GmailApiError
from fincoach.mail.gmail_emulator.state import Emulator


class DroppedResponse(Response):
    """Announces a body and sends half of it: the server then cuts the connection mid-response.

    ASGI has no verb for "close the socket", so the injected drop is a short body under a larger
    Content-Length, which uvicorn answers by closing the transport — what a client sees when a
    connection dies on the way.
    """

    def __init__(self) -> None:
        super().__init__(b"{", status_code=200, media_type="application/json")
        self.headers["content-length"] = "4096"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        try:
            await send({"type": "http.response.body", "body": self.body, "more_body": False})
        except RuntimeError:
            return  # uvicorn refuses the short body and closes the connection, as intended


async def _before(emu: Emulator) -> Response | None:
    """Per-HTTP-request faults: latency, then possibly a dropped connection."""
    emu.counters.http_requests += 1
    latency = emu.faults.settings.latency_ms
    if latency:
        await asyncio.sleep(latency / 1000)
    if emu.faults.drop():
        emu.counters.dropped_connections += 1
        return DroppedResponse()
    return None


def create_app(emu: Emulator) -> Starlette:
    """An app serving `emu`; the same object is reachable as `app.state.emulator`."""

    async def gmail(request: Request) -> Response:
        early = await _before(emu)
        if early is not None:
            return early
        answer = call(
            emu,
            request.method,
            request.url.path,
            request.url.query,
            request.headers.get("authorization"),
        )
        return Response(answer.body, status_code=answer.status, headers=answer.headers)

    async def batch(request: Request) -> Response:
        early = await _before(emu)
        if early is not None:
            return early
        body = await request.body()
        try:
            content_type, payload = answer_batch(
                emu,
                request.headers.get("content-type", ""),
                body,
                request.headers.get("authorization"),
            )
        except GmailApiError as exc:
            return Response(exc.body(), status_code=exc.code, media_type="application/json")
        return Response(payload, media_type=content_type)

    async def revoke(request: Request) -> Response:
        answer = await emu.oauth.revoke_endpoint(request)
        if answer.status_code == 200:
            emu.counters.revocations += 1
        return answer

    verbs = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/gmail/v1/{rest:path}", gmail, methods=verbs),
        # googleapiclient posts to rootUrl + batchPath ("batch"); Gmail's documented one is
        # /batch/gmail/v1. Both are served.
        Route("/batch/gmail/v1", batch, methods=["POST"]),
        Route("/batch", batch, methods=["POST"]),
        Route("/token", emu.oauth.token_endpoint, methods=["POST"]),
        Route("/revoke", revoke, methods=["POST"]),
        Route("/o/oauth2/auth", emu.oauth.authorize_endpoint, methods=["GET"]),
        Route("/o/oauth2/v2/auth", emu.oauth.authorize_endpoint, methods=["GET"]),
        Mount("/admin", routes=admin_routes(emu)),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = emu
    return app
