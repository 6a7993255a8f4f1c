"""Mail from local files: a Maildir, an mbox file, or a folder of `.eml` files.

Message ids are stable across runs: the file name for `.eml` folders, the Maildir key, and for
mbox a hash of the Message-ID header (mbox has no ids of its own).
"""

import email.utils
import hashlib
import mailbox
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

from fincoach.kit.errors import BadRequest
from fincoach.mail.base import FetchedMessage, TimeWindow

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_headers = BytesHeaderParser()


@dataclass(frozen=True, slots=True)
class _Entry:
    message_id: str
    received_at: datetime


def received_time(raw_headers: bytes) -> datetime:
    """The Date header as aware UTC; the epoch when it is missing or unreadable."""
    value = _headers.parsebytes(raw_headers).get("Date")
    if not value:
        return _EPOCH
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return _EPOCH
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _head(raw: bytes) -> bytes:
    end = raw.find(b"\n\n")
    end_crlf = raw.find(b"\r\n\r\n")
    cut = min(e for e in (end, end_crlf, len(raw)) if e >= 0)
    return raw[: cut + 2]


class LocalMailSource:
    """Reads a Maildir, an mbox file or a folder of `.eml` files; detected from the path."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise BadRequest(f"mail location does not exist: {self.path}")
        self._raw: dict[str, bytes] | None = None  # mbox only: read once, kept by id
        self._index: list[_Entry] | None = None

    # -- protocol --------------------------------------------------------------------------
    def list_message_ids(self, window: TimeWindow) -> Iterator[str]:
        for entry in self._entries():
            if window.since is not None and entry.received_at < window.since:
                continue
            if window.until is not None and entry.received_at >= window.until:
                continue
            yield entry.message_id

    def list_changes(self, cursor: str) -> Iterator[str]:
        since = datetime.fromisoformat(cursor)
        for entry in self._entries():
            if entry.received_at > since:
                yield entry.message_id

    def current_cursor(self) -> str | None:
        entries = self._entries()
        return entries[-1].received_at.isoformat() if entries else None

    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        return [self._fetch_one(message_id) for message_id in message_ids]

    # -- layouts ---------------------------------------------------------------------------
    def _layout(self) -> str:
        if self.path.is_file():
            return "mbox"
        if (self.path / "cur").is_dir() and (self.path / "new").is_dir():
            return "maildir"
        return "eml"

    def _entries(self) -> list[_Entry]:
        if self._index is None:
            entries = [_Entry(mid, received_time(head)) for mid, head in self._heads()]
            entries.sort(key=lambda e: (e.received_at, e.message_id))
            self._index = entries
        return self._index

    def _heads(self) -> Iterator[tuple[str, bytes]]:
        layout = self._layout()
        if layout == "eml":
            for file in sorted(self.path.glob("*.eml")):
                yield file.stem, _head(file.read_bytes())
        elif layout == "maildir":
            box = mailbox.Maildir(self.path, create=False)
            for key in sorted(box.keys()):
                yield key, _head(box.get_bytes(key))
        else:
            self._raw = {}
            for message in mailbox.mbox(self.path, create=False):
                raw = message.as_bytes()
                ident = message.get("Message-ID") or hashlib.sha256(raw).hexdigest()
                message_id = hashlib.sha256(str(ident).encode()).hexdigest()[:16]
                self._raw[message_id] = raw
                yield message_id, _head(raw)

    def _fetch_one(self, message_id: str) -> FetchedMessage:
        try:
            layout = self._layout()
            if layout == "eml":
                if "/" in message_id or message_id.startswith("."):
                    return FetchedMessage(message_id, None, "invalid message id")
                return FetchedMessage(message_id, (self.path / f"{message_id}.eml").read_bytes())
            if layout == "maildir":
                box = mailbox.Maildir(self.path, create=False)
                return FetchedMessage(message_id, box.get_bytes(message_id))
            if self._raw is None:
                self._entries()
            assert self._raw is not None
            raw = self._raw.get(message_id)
            if raw is None:
                return FetchedMessage(message_id, None, "message not found")
            return FetchedMessage(message_id, raw)
        except (OSError, KeyError) as exc:
            return FetchedMessage(message_id, None, f"{type(exc).__name__}: unreadable file")
