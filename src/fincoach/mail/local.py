"""Mail from local files: a Maildir, an mbox file, or a folder of `.eml` files.

Message ids are stable across runs: the file name for `.eml` folders, the Maildir key, and for
mbox a hash of the Message-ID header (mbox has no ids of its own).

A fetched message's receive time (FetchedMessage.received_at) is the file's modification time for
`.eml` and Maildir files (a delivery agent writes the file when the mail arrives), and for mbox the
date of the message's `From ` separator line, written on delivery (read as UTC: the format has no
zone), else the mbox file's time.
"""

import email.utils
import hashlib
import mailbox
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

from fincoach.kit.errors import BadRequest
from fincoach.mail.base import FetchedMessage, TimeWindow

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_headers = BytesHeaderParser()
# The asctime() stamp that ends an mbox `From sender Thu Mar 14 18:22:05 2026` line.
_FROM_LINE_TIME = re.compile(
    r"[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}:\d{2}:\d{2}) (\d{4})"
)


@dataclass(frozen=True, slots=True)
class _Entry:
    message_id: str
    received_at: datetime


def received_time(raw_headers: bytes, fallback: datetime = _EPOCH) -> datetime:
    """The Date header as aware UTC; `fallback` when it is missing or unreadable."""
    value = _headers.parsebytes(raw_headers).get("Date")
    if not value:
        return fallback
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        # Year 9999 at -14:00 or year 1 at +14:00 is a valid header whose UTC instant lies
        # outside datetime's range: OverflowError, which must not stop the whole listing.
        return parsed.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return fallback


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def delivery_time(from_line: str) -> datetime | None:
    """The delivery time written in an mbox `From ` line, as aware UTC; None when unreadable."""
    m = _FROM_LINE_TIME.search(from_line)
    if m is None:
        return None
    month, day, clock, year = m.groups()
    try:
        stamp = datetime.strptime(f"{year} {month} {day} {clock} +0000", "%Y %b %d %H:%M:%S %z")
    except ValueError:
        return None
    return stamp.astimezone(UTC)


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
        self._delivered: dict[str, datetime] = {}  # mbox only: delivery time by id
        self._index: list[_Entry] | None = None
        self._files: dict[str, Path] | None = None  # Maildir only: key -> file

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
            entries = [
                _Entry(mid, received_time(head, mtime)) for mid, head, mtime in self._heads()
            ]
            entries.sort(key=lambda e: (e.received_at, e.message_id))
            self._index = entries
        return self._index

    def _heads(self) -> Iterator[tuple[str, bytes, datetime]]:
        """(id, header bytes, file time) per message; the file time stands in for a missing Date."""
        layout = self._layout()
        if layout == "eml":
            for file in sorted(self.path.glob("*.eml")):
                if file.is_file():
                    yield file.stem, _head(file.read_bytes()), _mtime(file)
        elif layout == "maildir":
            for key, file in sorted(self._maildir_files().items()):
                yield key, _head(file.read_bytes()), _mtime(file)
        else:
            mbox_time = _mtime(self.path)
            self._raw = {}
            for message in mailbox.mbox(self.path, create=False):
                raw = message.as_bytes()
                ident = message.get("Message-ID") or hashlib.sha256(raw).hexdigest()
                message_id = hashlib.sha256(str(ident).encode()).hexdigest()[:16]
                self._raw[message_id] = raw
                self._delivered[message_id] = delivery_time(message.get_from()) or mbox_time
                yield message_id, _head(raw), mbox_time

    def _maildir_files(self) -> dict[str, Path]:
        # Maildir keys are the file names up to the ":2,<flags>" info part (the Maildir spec).
        if self._files is None:
            self._files = {
                file.name.split(":", 1)[0]: file
                for sub in ("new", "cur")
                for file in (self.path / sub).iterdir()
                if file.is_file() and not file.name.startswith(".")
            }
        return self._files

    def _fetch_one(self, message_id: str) -> FetchedMessage:
        try:
            layout = self._layout()
            if layout == "eml":
                if "/" in message_id or message_id.startswith("."):
                    return FetchedMessage(message_id, None, "invalid message id")
                eml = self.path / f"{message_id}.eml"
                return FetchedMessage(message_id, eml.read_bytes(), received_at=_mtime(eml))
            if layout == "maildir":
                file = self._maildir_files().get(message_id)
                if file is None:
                    return FetchedMessage(message_id, None, "message not found")
                return FetchedMessage(message_id, file.read_bytes(), received_at=_mtime(file))
            if self._raw is None:
                self._entries()
            assert self._raw is not None
            raw = self._raw.get(message_id)
            if raw is None:
                return FetchedMessage(message_id, None, "message not found")
            return FetchedMessage(
                message_id, raw, received_at=self._delivered.get(message_id, _mtime(self.path))
            )
        except (OSError, KeyError) as exc:
            return FetchedMessage(message_id, None, f"{type(exc).__name__}: unreadable file")
