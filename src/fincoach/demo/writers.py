"""Write a demo mailbox where local mail sources and other tools can read it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from fincoach.demo.mailbox import DemoMailbox
from fincoach.demo.types import DemoMessage

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _touch(path: Path, message: DemoMessage) -> None:
    # Local sources take the received time from the file's mtime, as mail clients do.
    ts = message.internal_date.timestamp()
    os.utime(path, (ts, ts))


def write_maildir(mailbox: Iterable[DemoMessage], path: Path) -> None:
    """A Maildir: read mail in cur/ (flag S), UNREAD mail in new/; names are deterministic."""
    for sub in ("tmp", "new", "cur"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for message in mailbox:
        unique = f"{int(message.internal_date.timestamp())}.{message.message_id}.fincoach-demo"
        tmp = path / "tmp" / unique
        tmp.write_bytes(message.raw)
        if "UNREAD" in message.labels:
            final = path / "new" / unique
        else:
            final = path / "cur" / f"{unique}:2,S"
        tmp.replace(final)  # the Maildir protocol: write in tmp/, then rename into place
        _touch(final, message)


def write_eml_dir(mailbox: Iterable[DemoMessage], path: Path) -> None:
    """One `<message id>.eml` per message: the local source takes the file name as the id."""
    path.mkdir(parents=True, exist_ok=True)
    for message in mailbox:
        target = path / f"{message.message_id}.eml"
        target.write_bytes(message.raw)
        _touch(target, message)


def _from_line(message: DemoMessage) -> bytes:
    t = message.internal_date
    stamp = (
        f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:2d} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} {t.year}"
    )
    return f"From {message.sender} {stamp}\n".encode("ascii")


def write_mbox(mailbox: Iterable[DemoMessage], path: Path) -> None:
    """An mboxrd file with LF line ends; body lines that start with ">*From " get one more ">"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for message in mailbox:
            out.write(_from_line(message))
            for line in message.raw.replace(b"\r\n", b"\n").split(b"\n")[:-1]:
                if line.lstrip(b">").startswith(b"From "):
                    line = b">" + line
                out.write(line + b"\n")
            out.write(b"\n")


def write_truth(mailbox: DemoMailbox, path: Path) -> None:
    """JSON lines, one per transaction, decimals as strings, datetimes as ISO 8601 UTC."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for message in mailbox:
            for t in message.truth:
                record = {
                    "message_id": message.message_id,
                    "index": message.index,
                    "position": t.position,
                    "amount": str(t.amount),
                    "currency": t.currency,
                    "direction": t.direction,
                    "merchant": t.merchant,
                    "account": t.account,
                    "instrument": t.instrument,
                    "occurred_at": t.occurred_at.isoformat(),
                    "category": t.category,
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
