"""Admin endpoints under /admin: change the world while a client syncs against it.

No Gmail auth; they answer loopback clients only (unless the emulator runs with admin_open).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fincoach.mail.gmail_emulator.sources import stored_from_raw
from fincoach.mail.gmail_emulator.store import Mailbox, StoredMessage

if TYPE_CHECKING:
    from fincoach.mail.gmail_emulator.state import Emulator

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})
MAX_ADD = 10_000
Endpoint = Callable[[Request], Awaitable[Response]]


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def add_messages(box: Mailbox, records: list[StoredMessage]) -> list[str]:
    """Add in order, each dated at least 1 ms after the newest, so index order stays date order."""
    added = []
    for record in records:
        last = box.last_date_ms()
        moment = record.internal_date
        if last is not None and moment.timestamp() * 1000 <= last:
            moment = datetime.fromtimestamp((last + 1) / 1000, UTC)
        stored = StoredMessage(
            record.message_id, moment, record.sender, record.subject, record.labels, record.raw
        )
        box.add(stored)
        added.append(stored.message_id)
    return added


def admin_routes(emu: Emulator) -> list[Route]:
    def guarded(handler: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            host = request.client.host if request.client else ""
            if not emu.config.admin_open and host not in _LOOPBACK:
                return _problem(403, "admin endpoints answer loopback clients only")
            return await handler(request)

        return endpoint

    def mailbox(request: Request) -> Mailbox | None:
        return emu.store.get(request.path_params["address"])

    async def users(request: Request) -> Response:
        return JSONResponse(
            [
                {"address": b.address, "messagesTotal": len(b), "historyId": str(b.history_id)}
                for b in emu.store
            ]
        )

    async def credentials(request: Request) -> Response:
        return JSONResponse(emu.credential_lines())

    async def add(request: Request) -> Response:
        """POST raw RFC 5322 bytes (message/rfc822), or JSON {"count": N} for generated mail."""
        box = mailbox(request)
        if box is None:
            return _problem(404, "unknown user")
        now = datetime.now(UTC)
        kind = request.headers.get("content-type", "")
        body = await request.body()
        if kind.startswith("message/rfc822"):
            labels = tuple(request.query_params.getlist("labelIds")) or ("INBOX", "UNREAD")
            records = [stored_from_raw(body, serial=box.history_id, received=now, labels=labels)]
        else:
            try:
                count = int(json.loads(body or b"{}").get("count", 1))
            except (ValueError, AttributeError):
                return _problem(400, 'expected JSON {"count": N}')
            if not 1 <= count <= MAX_ADD:
                return _problem(400, f"count must be within [1, {MAX_ADD}]")
            records = emu.new_mail(box.address, count, box.history_id, now)
        try:
            ids = add_messages(box, records)
        except ValueError:
            return _problem(409, "a message with that id is already in the mailbox")
        return JSONResponse({"added": ids, "historyId": str(box.history_id)})

    async def revoke(request: Request) -> Response:
        if not emu.oauth.revoke(request.path_params["address"]):
            return _problem(404, "unknown user")
        return JSONResponse({"revoked": True})

    async def expire_user(request: Request) -> Response:
        box = mailbox(request)
        if box is None:
            return _problem(404, "unknown user")
        box.expire_history()
        return JSONResponse({"historyFloor": str(box.history_floor)})

    async def expire_all(request: Request) -> Response:
        for box in emu.store:
            box.expire_history()
        return JSONResponse({"expired": len(emu.store)})

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                emu.faults.settings.update(await request.json())
            except (ValueError, TypeError) as exc:
                return _problem(400, str(exc))
        return JSONResponse(emu.faults.settings.as_dict())

    async def quota(request: Request) -> Response:
        settings = emu.quota.settings
        if request.method == "PUT":
            changes: dict[str, Any] = await request.json()
            if "status" in changes and int(changes["status"]) not in (403, 429):
                return _problem(400, "status must be 403 or 429")
            settings.units_per_minute = int(
                changes.get("units_per_minute", settings.units_per_minute)
            )
            settings.status = int(changes.get("status", settings.status))
            settings.enabled = bool(changes.get("enabled", settings.enabled))
            emu.quota.reset()
        return JSONResponse(
            {
                "units_per_minute": settings.units_per_minute,
                "status": settings.status,
                "enabled": settings.enabled,
            }
        )

    async def counters(request: Request) -> Response:
        if request.method == "DELETE":
            emu.counters.reset()
        return JSONResponse(emu.counters.as_dict())

    table: list[tuple[str, Endpoint, list[str]]] = [
        ("/users", users, ["GET"]),
        ("/credentials", credentials, ["GET"]),
        ("/users/{address}/messages", add, ["POST"]),
        ("/users/{address}/revoke", revoke, ["POST"]),
        ("/users/{address}/history/expire", expire_user, ["POST"]),
        ("/history/expire", expire_all, ["POST"]),
        ("/faults", faults, ["GET", "PUT"]),
        ("/quota", quota, ["GET", "PUT"]),
        ("/counters", counters, ["GET", "DELETE"]),
    ]
    return [Route(path, guarded(handler), methods=methods) for path, handler, methods in table]
