"""The Message resource in each `format` (raw, full, metadata, minimal), shaped as Gmail shapes it.

MIME is read with stdlib `email` in `compat32` mode, the fast reader: `raw` and `minimal` only
need the snippet, `metadata` only the header block.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from fincoach.mail.gmail_emulator.store import MailRecord, epoch_ms
from fincoach.parsing.multipart import leaf_parts

FORMATS = ("full", "metadata", "minimal", "raw")
SNIPPET_LENGTH = 200
_FOLD = re.compile(r"\r?\n[ \t]+")
_SPACE = re.compile(r"\s+")
_HEADER_PARSER = BytesHeaderParser(policy=compat32)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def header_value(value: str) -> str:
    """Unfolded and RFC 2047-decoded, as Gmail returns header values."""
    value = _FOLD.sub(" ", value)
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError):
        return value


def _headers(message: Message, wanted: set[str] | None = None) -> list[dict[str, str]]:
    return [
        {"name": name, "value": header_value(str(value))}
        for name, value in message.items()
        if wanted is None or name.lower() in wanted
    ]


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("latin-1")


def snippet(message: Message) -> str:
    """First words of the body (plain text preferred), whitespace collapsed, HTML-escaped."""
    return _snippet_of(part for part in message.walk() if not part.is_multipart())


def raw_snippet(raw: bytes) -> str:
    """`snippet` of a message given as bytes; splits well-formed MIME without the feed parser."""
    parts = leaf_parts(raw)
    if parts is None:
        return snippet(message_from_bytes(raw, policy=compat32))
    return _snippet_of(parts)


def _snippet_of(parts: Iterable[Message]) -> str:
    html_part: Message | None = None
    for part in parts:
        if part.get_filename():
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            text = _text_of(part)
            break
        if kind == "text/html" and html_part is None:
            html_part = part
    else:
        if html_part is None:
            return ""
        body = LexborHTMLParser(_text_of(html_part)).body
        text = body.text(separator=" ") if body is not None else ""
    return html.escape(_SPACE.sub(" ", text).strip()[:SNIPPET_LENGTH])


def attachment_id(message_id: str, part_id: str) -> str:
    return "ANGj" + b64url(f"{message_id}:{part_id}".encode()).rstrip("=")


def parse_attachment_id(value: str) -> tuple[str, str] | None:
    if not value.startswith("ANGj"):
        return None
    body = value[4:]
    try:
        decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    message_id, sep, part_id = decoded.partition(":")
    return (message_id, part_id) if sep else None


def _part(message: Message, part_id: str, message_id: str) -> dict[str, Any]:
    filename = message.get_filename() or ""
    shaped: dict[str, Any] = {
        "partId": part_id,
        "mimeType": message.get_content_type(),
        "filename": filename,
        "headers": _headers(message),
    }
    if message.is_multipart():
        shaped["body"] = {"size": 0}
        children = message.get_payload()
        assert isinstance(children, list)
        shaped["parts"] = [
            _part(child, f"{part_id}.{i}" if part_id else str(i), message_id)
            for i, child in enumerate(children)
        ]
        return shaped
    data = message.get_payload(decode=True)
    data = data if isinstance(data, bytes) else b""
    if filename:
        shaped["body"] = {"attachmentId": attachment_id(message_id, part_id), "size": len(data)}
    elif data:
        shaped["body"] = {"size": len(data), "data": b64url(data)}
    else:
        shaped["body"] = {"size": 0}
    return shaped


def find_part(raw: bytes, part_id: str) -> bytes | None:
    """Decoded body of the part `part_id` ("0.1" = second child of the first child)."""
    node: Message = message_from_bytes(raw, policy=compat32)
    for step in part_id.split(".") if part_id else []:
        children = node.get_payload()
        if not node.is_multipart() or not isinstance(children, list):
            return None
        if not step.isdigit() or int(step) >= len(children):
            return None
        child = children[int(step)]
        if not isinstance(child, Message):
            return None
        node = child
    data = node.get_payload(decode=True)
    return data if isinstance(data, bytes) else None


def message_resource(
    record: MailRecord,
    *,
    history_id: int,
    fmt: str = "full",
    metadata_headers: list[str] | None = None,
) -> dict[str, Any]:
    """The `Message` JSON for one message in the requested format."""
    raw = record.raw
    message_id = record.message_id
    resource: dict[str, Any] = {
        "id": message_id,
        "threadId": message_id,  # one message per thread: the emulator does not thread
        "labelIds": list(record.labels),
    }
    if fmt == "metadata":
        head = _HEADER_PARSER.parsebytes(raw)
        wanted = {h.lower() for h in metadata_headers} if metadata_headers else None
        resource["snippet"] = snippet(message_from_bytes(raw, policy=compat32))
        resource["payload"] = {
            "partId": "",
            "mimeType": head.get_content_type(),
            "filename": "",
            "headers": _headers(head, wanted),
        }
    elif fmt == "full":
        parsed = message_from_bytes(raw, policy=compat32)
        resource["snippet"] = snippet(parsed)
        resource["payload"] = _part(parsed, "", message_id)
    else:
        resource["snippet"] = raw_snippet(raw)
        if fmt == "raw":
            resource["raw"] = b64url(raw)
    resource["sizeEstimate"] = len(raw)
    resource["historyId"] = str(history_id)
    resource["internalDate"] = str(epoch_ms(record.internal_date))
    return resource
