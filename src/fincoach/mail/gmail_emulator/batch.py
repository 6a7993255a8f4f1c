"""The batch endpoint: `multipart/mixed` of `application/http` requests, as BatchHttpRequest sends.

Parsed by splitting on the boundary rather than with `email`: a batch of 50 gets is on the hot path
and the format is rigid. Each part is answered through the same `api.call` as a plain request, so
quota is charged per part and a fault can hit one part while the others succeed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from http import HTTPStatus

from fincoach.mail.gmail_emulator import errors
from fincoach.mail.gmail_emulator.api import ApiResponse, call
from fincoach.mail.gmail_emulator.state import Emulator

MAX_PARTS = 100
_BOUNDARY = re.compile(rb'boundary="?([^";]+)"?', re.IGNORECASE)
_BLANK = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True, slots=True)
class BatchPart:
    content_id: str | None
    method: str
    path: str
    query: str
    authorization: str | None


def _headers(block: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in block.splitlines():
        name, sep, value = line.partition(b":")
        if sep:
            found[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return found


def parse_batch(content_type: str, body: bytes) -> list[BatchPart]:
    match = _BOUNDARY.search(content_type.encode("latin-1"))
    if not match:
        raise errors.bad_request("Batch request without a multipart boundary")
    delimiter = b"--" + match.group(1)
    chunks = body.split(delimiter)[1:]  # the first chunk is the preamble
    parts: list[BatchPart] = []
    for chunk in chunks:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        sections = _BLANK.split(chunk.lstrip(b"\r\n"), maxsplit=2)
        if len(sections) < 2:
            raise errors.bad_request("Malformed batch part")
        outer = _headers(sections[0])
        request_block = sections[1]
        request_line, _, header_block = request_block.partition(b"\n")
        pieces = request_line.strip().split(b" ")
        if len(pieces) < 2:
            raise errors.bad_request("Malformed request line in batch part")
        inner = _headers(header_block)
        target = pieces[1].decode("latin-1")
        path, _, query = target.partition("?")
        parts.append(
            BatchPart(
                outer.get("content-id"),
                pieces[0].decode("latin-1").upper(),
                path,
                query,
                inner.get("authorization"),
            )
        )
    if not parts:
        raise errors.bad_request("Empty batch request")
    if len(parts) > MAX_PARTS:
        raise errors.bad_request(f"A batch request cannot contain more than {MAX_PARTS} calls")
    return parts


def _response_id(content_id: str | None) -> str:
    # Google answers <X> with <response-X>; googleapiclient reads the id back from that.
    if not content_id:
        return ""
    inner = (
        content_id[1:-1] if content_id.startswith("<") and content_id.endswith(">") else content_id
    )
    return f"Content-ID: <response-{inner}>\r\n"


def _render(part: BatchPart, response: ApiResponse) -> bytes:
    reason = HTTPStatus(response.status).phrase
    head = [f"HTTP/1.1 {response.status} {reason}"]
    head += [f"{name}: {value}" for name, value in response.headers.items()]
    head.append(f"Content-Length: {len(response.body)}")
    outer = f"Content-Type: application/http\r\n{_response_id(part.content_id)}\r\n"
    return (outer + "\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body


def answer_batch(
    emu: Emulator, content_type: str, body: bytes, authorization: str | None
) -> tuple[str, bytes]:
    """The batch's own content type and body; raises GmailApiError for a malformed batch."""
    parts = parse_batch(content_type, body)
    emu.counters.batches += 1
    emu.counters.batch_parts += len(parts)
    if emu.faults.fails_batch([part.path for part in parts]):
        emu.counters.injected_5xx += 1
        raise errors.backend_error(500)
    boundary = f"batch_{secrets.token_hex(12)}"
    chunks = []
    for part in parts:
        response = call(
            emu, part.method, part.path, part.query, part.authorization or authorization
        )
        chunks.append(f"--{boundary}\r\n".encode() + _render(part, response) + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(chunks)
