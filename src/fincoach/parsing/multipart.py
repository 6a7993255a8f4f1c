"""The leaf parts of a well-formed message, split on its boundaries instead of fed line by line.

The stdlib feed parser reads a multipart message line by line and compiles a regular expression
per boundary (every message has its own, so the cache never hits): it was the largest share of
decoding an alert. The rigid, well-formed case is split directly: each part's header block still
goes through the stdlib header parser, and its body is attached as the feed parser would attach
it. Anything unusual (no boundary, an embedded message, deep nesting, text after a delimiter)
answers None, and the caller parses the whole message the ordinary way. Used by the parser and
by the Gmail emulator (for snippets).
"""

from __future__ import annotations

import re
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

_HEADERS = BytesHeaderParser(policy=compat32)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
MAX_DEPTH = 4


def leaf_parts(raw: bytes, *, limit: int = 1_000) -> list[Message] | None:
    """Non-multipart parts in depth-first order (as `Message.walk` yields them), or None.

    At most `limit` parts are read: hostile mail with thousands of parts costs no more.
    """
    found: list[Message] = []
    return found if _collect(raw, 0, found, limit) else None


def _split_head(data: bytes) -> tuple[bytes, bytes] | None:
    if data.startswith((b"\r\n", b"\n")):  # a part without headers: text/plain by default
        return b"", data[2:] if data.startswith(b"\r\n") else data[1:]
    end = _HEADER_END.search(data)
    if end is None:
        return None
    return data[: end.start()], data[end.end() :]


def _collect(data: bytes, depth: int, found: list[Message], limit: int) -> bool:
    split = _split_head(data)
    if split is None:
        return False
    head_bytes, body = split
    head = _HEADERS.parsebytes(head_bytes + b"\n\n")
    if head.defects:
        return False
    maintype = head.get_content_maintype()
    if maintype == "message":
        return False
    if maintype != "multipart":
        head.set_payload(body.decode("ascii", "surrogateescape"))
        found.append(head)
        return True
    boundary = head.get_boundary()
    # In a digest a part without headers is a message/rfc822, not text: the stdlib knows that.
    if not boundary or depth >= MAX_DEPTH or head.get_content_subtype() == "digest":
        return False
    chunks = body.split(b"--" + boundary.encode("ascii", "surrogateescape"))
    closed = False
    for chunk in chunks[1:]:
        if len(found) >= limit:
            return True  # enough read; the rest is never looked at
        if chunk.startswith(b"--"):
            closed = True
            break
        line_end = chunk.find(b"\n")  # the rest of the delimiter line (transport padding)
        if line_end < 0 or chunk[:line_end].strip():
            return False  # text right after a delimiter: not a delimiter line, be careful
        part = chunk[line_end + 1 :]
        # The line break before the next delimiter belongs to that delimiter (RFC 2046).
        part = part[:-2] if part.endswith(b"\r\n") else part[:-1] if part.endswith(b"\n") else part
        if not _collect(part, depth + 1, found, limit):
            return False
    return closed
