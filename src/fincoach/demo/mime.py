"""Assemble RFC 5322 bytes by hand: `email.mime` costs ~10x more and the emulator is on demand.

Bodies are built with "\\n" line ends and the whole message is turned into CRLF at the end, as
RFC 5322 wants on the wire (and as the Gmail API's `raw` format returns it).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr
from random import Random

from fincoach.demo.types import Draft

# Weighted: most mail is utf-8; the legacy charsets still come from many bank systems.
DEFAULT_CHARSETS = ("utf-8", "utf-8", "utf-8", "utf-8", "iso-8859-1", "windows-1252", "us-ascii")

_HTML_HEAD = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" '
    'content="text/html; charset={cs}">\n<meta name="viewport" '
    'content="width=device-width, initial-scale=1">\n<style type="text/css">\n'
    "body {{ font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222; }}\n"
    "td {{ padding: 4px 8px; }}\n</style>\n</head>\n<body>\n"
)
_HTML_TAIL = "\n</body>\n</html>\n"


def _charset(rng: Random, draft: Draft, text: str) -> str:
    choices = draft.charsets or DEFAULT_CHARSETS
    cs = choices[rng.randrange(len(choices))]
    try:
        text.encode(cs)
    except UnicodeEncodeError:
        return "utf-8"
    return cs


def _encode_body(rng: Random, text: str, cs: str) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, body bytes with \\n line ends)."""
    data = text.encode(cs)
    ascii_only = data.isascii()
    roll = rng.random()
    if roll < 0.35:
        return "quoted-printable", binascii.b2a_qp(data).replace(b"\r\n", b"\n")
    if roll < 0.55:
        return "base64", base64.encodebytes(data)
    if ascii_only:
        return "7bit", data
    return "8bit", data


def _part(rng: Random, ctype: str, text: str, cs: str, extra: str = "") -> bytes:
    cte, body = _encode_body(rng, text, cs)
    head = f'Content-Type: {ctype}; charset="{cs}"{extra}\nContent-Transfer-Encoding: {cte}\n\n'
    if not body.endswith(b"\n"):
        body += b"\n"
    return head.encode("ascii") + body


def _header_text(rng: Random, value: str) -> str:
    """Subjects: RFC 2047 when not ASCII, and sometimes anyway (many mailers always encode)."""
    if value.isascii() and rng.random() < 0.85:
        return value
    cs = "utf-8" if not value.isascii() or rng.random() < 0.5 else "iso-8859-1"
    return Header(value, cs, maxlinelen=76).encode()


def _address(rng: Random, name: str, addr: str) -> str:
    if name.isascii() and rng.random() < 0.9:
        return formataddr((name, addr))
    return f"{Header(name, 'utf-8').encode()} <{addr}>"


def assemble(
    draft: Draft,
    *,
    rng: Random,
    message_id: str,
    internal_date: datetime,
    to: str,
    to_name: str,
) -> bytes:
    sent = (internal_date - timedelta(seconds=rng.randint(1, 120))).astimezone(draft.zone)
    sender = _address(rng, draft.from_name, draft.from_addr)
    domain = draft.from_addr.rpartition("@")[2]
    headers = [
        f"Return-Path: <bounce-{message_id[:8]}@{domain}>",
        "MIME-Version: 1.0",
        f"Date: {format_datetime(sent)}",
        f"From: {sender}",
        f"To: {formataddr((to_name, to)) if rng.random() < 0.6 else to}",
        f"Subject: {_header_text(rng, draft.subject)}",
        f"Message-ID: <{message_id}.{int(sent.timestamp())}@{domain}>",
    ]
    parts: list[bytes] = []
    full = (draft.text or "") + (draft.html or "") + (draft.calendar or "")
    cs = _charset(rng, draft, full)
    if draft.text is not None:
        parts.append(_part(rng, "text/plain", draft.text, cs))
    if draft.html is not None:
        html = _HTML_HEAD.format(cs=cs) + draft.html + _HTML_TAIL
        parts.append(_part(rng, "text/html", html, cs))
    if draft.calendar is not None:
        parts.append(_part(rng, "text/calendar", draft.calendar, cs, "; method=REQUEST"))
    if len(parts) == 1:
        body = parts[0]
    else:
        boundary = f"----=_Part_{rng.getrandbits(48):012x}.{rng.randrange(10**6)}"
        out = [f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'.encode()]
        out.append(b"This is a multi-part message in MIME format.\n")
        for part in parts:
            out.append(f"\n--{boundary}\n".encode())
            out.append(part)
        out.append(f"\n--{boundary}--\n".encode())
        body = b"".join(out)
    raw = ("\n".join(headers) + "\n").encode("ascii") + body
    return raw.replace(b"\n", b"\r\n")
