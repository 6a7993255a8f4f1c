"""Where the emulator's mail comes from: the demo generator, or a folder of real mailboxes."""

from __future__ import annotations

import hashlib
import mailbox
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from pathlib import Path

from fincoach.demo import DemoMailbox
from fincoach.mail.gmail_emulator.formats import header_value
from fincoach.mail.gmail_emulator.store import MessageSource, StoredMessage

# (address, count, serial, until) -> `count` new messages dated up to `until`, oldest first.
NewMail = Callable[[str, int, int, datetime], list[StoredMessage]]

_HEADERS = BytesHeaderParser(policy=compat32)
# Google Takeout mbox files name labels in X-Gmail-Labels; map the ones the query language uses.
_TAKEOUT_LABELS = {
    "inbox": "INBOX",
    "unread": "UNREAD",
    "category promotions": "CATEGORY_PROMOTIONS",
    "category social": "CATEGORY_SOCIAL",
    "category updates": "CATEGORY_UPDATES",
    "category forums": "CATEGORY_FORUMS",
    "category personal": "CATEGORY_PERSONAL",
    "spam": "SPAM",
    "trash": "TRASH",
    "sent": "SENT",
}


def stable_id(*parts: bytes) -> str:
    """A 16-hex-digit Gmail-style id from a stable hash (never Python's salted `hash`)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:16]


def _date_of(value: str | None, fallback: datetime) -> datetime:
    if not value:
        return fallback
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return fallback
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stored_from_raw(
    raw: bytes,
    *,
    serial: int,
    received: datetime | None = None,
    labels: tuple[str, ...] = ("INBOX",),
    id_salt: bytes = b"",
) -> StoredMessage:
    """A message from its bytes: dated `received`, or by its Date header when that is None."""
    head = _HEADERS.parsebytes(raw)
    moment = received or _date_of(head.get("Date"), datetime.fromtimestamp(0, UTC))
    takeout = head.get("X-Gmail-Labels")
    if takeout:
        mapped = [_TAKEOUT_LABELS.get(n.strip().lower()) for n in str(takeout).split(",")]
        labels = tuple(label for label in mapped if label) or labels
    return StoredMessage(
        message_id=stable_id(id_salt, str(serial).encode(), raw),
        internal_date=moment,
        sender=header_value(str(head.get("From", ""))),
        subject=header_value(str(head.get("Subject", ""))),
        labels=labels,
        raw=raw,
    )


class FolderSource:
    """One user's Maildir, mbox file or folder of .eml files, indexed by date at start-up.

    Only keys and dates are held; bytes are read from disk on demand.
    """

    def __init__(self, path: Path, address: str) -> None:
        self._loaders: list[Callable[[], bytes]] = []
        entries: list[tuple[datetime, str, Callable[[], bytes]]] = []
        for loader in self._scan(path):
            record = stored_from_raw(loader(), serial=0, id_salt=address.lower().encode())
            entries.append((record.internal_date, record.message_id, loader))
        entries.sort(key=lambda e: (e[0], e[1]))
        self._loaders = [loader for _, _, loader in entries]
        self._address = address

    @staticmethod
    def _scan(path: Path) -> list[Callable[[], bytes]]:
        if path.is_file():
            box: mailbox.Mailbox[mailbox.mboxMessage] = mailbox.mbox(path, create=False)
            return [partial(box.get_bytes, key) for key in box.iterkeys()]
        if (path / "cur").is_dir() or (path / "new").is_dir():
            maildir = mailbox.Maildir(path, factory=None, create=False)
            return [partial(maildir.get_bytes, key) for key in maildir.iterkeys()]
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml")
        return [p.read_bytes for p in files]

    def __len__(self) -> int:
        return len(self._loaders)

    def message(self, index: int) -> StoredMessage:
        return stored_from_raw(
            self._loaders[index](), serial=0, id_salt=self._address.lower().encode()
        )


def folder_sources(root: Path) -> dict[str, MessageSource]:
    """One user per entry of `root`, named by address: a Maildir, an mbox file or .eml folder.

    Entries whose name is not an address are not served; `unserved_entries` names them.
    """
    sources: dict[str, MessageSource] = {}
    for entry in sorted(root.iterdir()):
        if "@" in entry.name:
            address = entry.name.removesuffix(".mbox")
            sources[address] = FolderSource(entry, address)
    return sources


def unserved_entries(root: Path) -> list[str]:
    """The names in `root` that `folder_sources` skips (no "@"), hidden files aside.

    The user a mailbox belongs to is its name, so `root/inbox` cannot be served: the operator
    must hear about it rather than get an emulator with fewer users than folders.
    """
    return sorted(
        entry.name
        for entry in root.iterdir()
        if "@" not in entry.name and not entry.name.startswith(".")
    )


def demo_address(index: int) -> str:
    return f"user{index + 1:04d}@fincoach.example"


def simple_new_mail(address: str, count: int, serial: int, until: datetime) -> list[StoredMessage]:
    """Plain generated notices; used when the demo generator is not available."""
    records = []
    for i in range(count):
        moment = until - timedelta(milliseconds=count - i)
        raw = (
            f"From: Alerts <alerts@bank.example>\r\nTo: {address}\r\n"
            f"Subject: Account notice {serial}-{i}\r\nDate: {format_datetime(moment)}\r\n"
            f"Message-ID: <{serial}.{i}@bank.example>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: text/plain; charset="utf-8"\r\n\r\n'
            f"Notice {serial}-{i} for your account.\r\n"
        ).encode()
        records.append(stored_from_raw(raw, serial=serial * 100_000 + i, received=moment))
    return records


@dataclass(frozen=True, slots=True)
class DemoFactory:
    """Mailboxes and new mail from `fincoach.demo.DemoMailbox` (same seed, same bytes)."""

    seed: int

    def mailbox(self, address: str, count: int) -> MessageSource:
        source: MessageSource = DemoMailbox(seed=self.seed, address=address, count=count)
        return source

    def new_mail(
        self, address: str, count: int, serial: int, until: datetime
    ) -> list[StoredMessage]:
        demo = DemoMailbox(
            seed=self.seed + serial,
            address=address,
            count=count,
            start=until - timedelta(seconds=count),
            end=until,
        )
        return [
            StoredMessage(
                m.message_id, m.internal_date, m.sender, m.subject, tuple(m.labels), m.raw
            )
            for m in (demo.message(i) for i in range(count))
        ]


def demo_sources(
    factory: DemoFactory, users: int, emails_per_user: int
) -> dict[str, MessageSource]:
    return {
        demo_address(i): factory.mailbox(demo_address(i), emails_per_user) for i in range(users)
    }
