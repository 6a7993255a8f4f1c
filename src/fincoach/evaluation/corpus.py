"""Reading a labelled corpus (JSON Lines) and turning each record into a raw email."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.header import Header
from pathlib import Path
from typing import Any

from fincoach.kit.errors import MalformedEmail
from fincoach.parsing.mime import decode_message
from fincoach.parsing.text import body_text, normalize


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    content_type: str
    text: str
    sender: str | None = None
    subject: str | None = None
    transfer_encoding: str | None = None
    expected: dict[str, Any] = field(default_factory=dict)


def read_corpus(path: Path) -> Iterator[Record]:
    """Records in file order; blank lines are skipped."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            data = json.loads(line)
            yield Record(
                id=str(data["id"]),
                content_type=str(data.get("content_type") or "text/plain"),
                text=str(data.get("text") or ""),
                sender=data.get("sender"),
                subject=data.get("subject"),
                transfer_encoding=data.get("transfer_encoding"),
                expected=dict(data.get("expected") or {}),
            )


def _header_value(value: str) -> str:
    flat = " ".join(value.split())
    if flat.isascii():
        return flat
    return Header(flat, "utf-8").encode()


def to_raw_email(record: Record) -> bytes:
    """The record as RFC 5322 bytes: as it is when it is a whole email, else wrapped in one."""
    if record.content_type == "message/rfc822":
        return record.text.encode("utf-8", errors="surrogateescape")
    headers = []
    if record.sender:
        headers.append(f"From: {_header_value(record.sender)}")
    if record.subject:
        headers.append(f"Subject: {_header_value(record.subject)}")
    encoding = "quoted-printable" if record.transfer_encoding == "quoted-printable" else "8bit"
    ctype = "text/html" if record.content_type == "text/html" else "text/plain"
    headers += [
        "MIME-Version: 1.0",
        f"Content-Type: {ctype}; charset=utf-8",
        f"Content-Transfer-Encoding: {encoding}",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + record.text.encode(
        "utf-8", errors="surrogateescape"
    )


def message_text(record: Record) -> str:
    """The subject and body text the parser reads (decoded, HTML made text); "" when unreadable.

    What the language guess and the `merchant_written` score look at, so a QP-encoded or HTML
    record is judged by what it says, not by its markup.
    """
    try:
        message = decode_message(to_raw_email(record))
    except MalformedEmail:
        return ""
    body = body_text(message)
    return f"{normalize(message.subject)}\n{body}" if message.subject else body
