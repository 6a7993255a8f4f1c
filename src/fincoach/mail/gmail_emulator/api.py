"""The Gmail API methods, behind one `call()` that both plain HTTP and batch parts go through.

Order of checks as Gmail applies them: route, authentication, user, injected fault, quota, method.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import parse_qs, unquote

from fincoach.mail.gmail_emulator import errors
from fincoach.mail.gmail_emulator.errors import GmailApiError
from fincoach.mail.gmail_emulator.formats import (
    FORMATS,
    b64url,
    find_part,
    message_resource,
    parse_attachment_id,
)
from fincoach.mail.gmail_emulator.query import Candidate, QueryError, compile_query
from fincoach.mail.gmail_emulator.quota import METHOD_UNITS
from fincoach.mail.gmail_emulator.state import Emulator
from fincoach.mail.gmail_emulator.store import Mailbox

Params = Mapping[str, list[str]]
Handler = Callable[[Emulator, Mailbox, Params, tuple[str, ...]], dict[str, Any]]
_JSON_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def _one(params: Params, name: str, default: str | None = None) -> str | None:
    values = params.get(name)
    return values[0] if values else default


def _int(params: Params, name: str, default: int, *, low: int, high: int) -> int:
    value = _one(params, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise errors.bad_request(f"Invalid value for {name}") from None
    return max(low, min(high, number))


def get_profile(
    emu: Emulator, box: Mailbox, params: Params, args: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "emailAddress": box.address,
        "messagesTotal": len(box),
        "threadsTotal": len(box),
        "historyId": str(box.history_id),
    }


def list_messages(
    emu: Emulator, box: Mailbox, params: Params, args: tuple[str, ...]
) -> dict[str, Any]:
    limit = _int(params, "maxResults", 100, low=1, high=MAX_PAGE)
    try:
        query = compile_query(_one(params, "q"))
    except QueryError as exc:
        raise errors.bad_request(f"Invalid query: {exc}") from None
    labels = params.get("labelIds", [])
    low = box.first_at_or_after(query.after_ms) if query and query.after_ms is not None else 0
    high = (
        box.first_at_or_after(query.before_ms)
        if query and query.before_ms is not None
        else len(box)
    )
    full_high = high
    token = _one(params, "pageToken")
    if token:
        if not token.isdigit():
            raise errors.bad_request("Invalid pageToken")
        high = min(high, int(token))
    found: list[dict[str, str]] = []
    position = high
    filtered = bool(labels) or (query is not None and query.needs_record)
    while position > low and len(found) < limit:
        position -= 1
        if filtered or query is not None:
            candidate = Candidate(box.date_ms(position), partial(box.record, position))
            if query is not None and not query.matches(candidate):
                continue
            if labels and not all(label in candidate.record.labels for label in labels):
                continue
        message_id = box.message_id(position)
        found.append({"id": message_id, "threadId": message_id})
    response: dict[str, Any] = {}
    if found:
        response["messages"] = found
    if position > low:
        response["nextPageToken"] = str(position)
    # Gmail's estimate is rough too: exact for date-only queries, a lower bound otherwise.
    estimate = (
        max(full_high - low, 0) if not filtered else len(found) + (1 if position > low else 0)
    )
    response["resultSizeEstimate"] = estimate
    return response


def get_message(
    emu: Emulator, box: Mailbox, params: Params, args: tuple[str, ...]
) -> dict[str, Any]:
    fmt = _one(params, "format", "full") or "full"
    if fmt not in FORMATS:
        raise errors.bad_request(f"Invalid value for format: {fmt}")
    position = box.find(args[0])
    if position is None:
        raise errors.not_found()
    emu.counters.messages_served += 1
    return message_resource(
        box.record(position),
        history_id=box.message_history_id(position),
        fmt=fmt,
        metadata_headers=params.get("metadataHeaders"),
    )


def get_attachment(
    emu: Emulator, box: Mailbox, params: Params, args: tuple[str, ...]
) -> dict[str, Any]:
    message_id, attachment = args
    parsed = parse_attachment_id(attachment)
    position = box.find(message_id)
    if parsed is None or parsed[0] != message_id or position is None:
        raise errors.not_found()
    data = find_part(box.record(position).raw, parsed[1])
    if data is None:
        raise errors.not_found()
    return {"size": len(data), "data": b64url(data)}


def list_history(
    emu: Emulator, box: Mailbox, params: Params, args: tuple[str, ...]
) -> dict[str, Any]:
    start_text = _one(params, "startHistoryId")
    if not start_text or not start_text.isdigit():
        raise errors.bad_request("Invalid startHistoryId")
    limit = _int(params, "maxResults", 100, low=1, high=MAX_PAGE)
    start = int(start_text)
    token = _one(params, "pageToken")
    if token:
        if not token.isdigit():
            raise errors.bad_request("Invalid pageToken")
        start = max(start, int(token))
    records = box.history_since(int(start_text))
    if records is None:
        raise errors.not_found()
    types = params.get("historyTypes")
    label = _one(params, "labelId")
    records = [r for r in records if r.id > start and (label is None or label in r.labels)]
    page = records[:limit]
    history = []
    if types is None or "messageAdded" in types:
        for record in page:
            ref = {"id": record.message_id, "threadId": record.message_id}
            history.append(
                {
                    "id": str(record.id),
                    "messages": [ref],
                    "messagesAdded": [{"message": {**ref, "labelIds": list(record.labels)}}],
                }
            )
    response: dict[str, Any] = {}
    if history:
        response["history"] = history
    if len(records) > limit:
        response["nextPageToken"] = str(page[-1].id)
    response["historyId"] = str(box.history_id)
    return response


_USER = r"/gmail/v1/users/([^/]+)"
ROUTES: list[tuple[re.Pattern[str], str, Handler]] = [
    (re.compile(_USER + r"/profile$"), "users.getProfile", get_profile),
    (re.compile(_USER + r"/messages$"), "users.messages.list", list_messages),
    (re.compile(_USER + r"/messages/([^/]+)$"), "users.messages.get", get_message),
    (
        re.compile(_USER + r"/messages/([^/]+)/attachments/([^/]+)$"),
        "users.messages.attachments.get",
        get_attachment,
    ),
    (re.compile(_USER + r"/history$"), "users.history.list", list_history),
]


def _route(path: str) -> tuple[str, Handler, re.Match[str]]:
    for pattern, name, handler in ROUTES:
        match = pattern.match(path)
        if match:
            return name, handler, match
    raise errors.not_found("Not Found")


def _error(exc: GmailApiError) -> ApiResponse:
    return ApiResponse(exc.code, {**_JSON_HEADERS, **exc.headers}, exc.body())


def call(
    emu: Emulator, method: str, path: str, query: str, authorization: str | None
) -> ApiResponse:
    """Answer one API call (a plain request or one part of a batch)."""
    emu.counters.api_calls += 1
    try:
        return _call(emu, method, path, query, authorization)
    except GmailApiError as exc:
        return _error(exc)
    except (RecursionError, MemoryError, ValueError, LookupError):
        # A message the emulator cannot render (a 3,000-level multipart exhausts the MIME
        # reader's recursion): Gmail answers such a part 500 backendError and serves the
        # other parts of the batch, and so does the emulator.
        emu.counters.injected_5xx += 1
        return _error(errors.backend_error(500))


def _call(
    emu: Emulator, method: str, path: str, query: str, authorization: str | None
) -> ApiResponse:
    name, handler, match = _route(path)
    if method != "GET":
        raise errors.GmailApiError(405, "Method not allowed", reason="methodNotAllowed")
    token = authorization[7:] if authorization and authorization[:7].lower() == "bearer " else ""
    owner = emu.oauth.user_for_access_token(token) if token else None
    if owner is None:
        raise errors.unauthenticated()
    user_id = unquote(match.group(1))
    if user_id != "me" and user_id.lower() != owner:
        raise errors.delegation_denied(user_id)
    box = emu.store.get(owner)
    if box is None:
        raise errors.not_found()
    emu.counters.calls_by_method[name] += 1
    fault = emu.faults.call_fault()
    if fault == 503:
        emu.counters.injected_5xx += 1
        raise errors.backend_error(503)
    if fault == 429:
        emu.counters.injected_429 += 1
        raise errors.rate_limited(status=429, retry_after=1)
    if name == "users.messages.get" and emu.faults.fails_message(unquote(match.group(2))):
        emu.counters.injected_5xx += 1
        raise errors.backend_error(500)
    units = METHOD_UNITS[name]
    wait = emu.quota.charge(owner, units)
    if wait:
        emu.counters.rate_limited_by_user[owner] += 1
        raise errors.rate_limited(status=emu.quota.settings.status, retry_after=wait)
    emu.counters.units_by_user[owner] += units
    params = parse_qs(query, keep_blank_values=True)
    body = handler(emu, box, params, tuple(unquote(g) for g in match.groups()[1:]))
    return ApiResponse(200, dict(_JSON_HEADERS), json.dumps(body).encode())
