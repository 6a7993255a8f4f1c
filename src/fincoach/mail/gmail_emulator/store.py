"""Per-user mailboxes: a generated or file-backed base plus mail added while running, and history.

The base is read on demand by index (index order is date order), so a 1.5 M message benchmark never
sits in memory. What is kept per user is a compact index built on first use: message ids and dates
in `array`s (28 bytes a message), never message bodies.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

# History ids start here so they look like Gmail's (never 0 or 1) and stay small and increasing.
FIRST_HISTORY_ID = 1000


class MailRecord(Protocol):
    """What the emulator needs of one message; `fincoach.demo.DemoMessage` fits it as is."""

    @property
    def message_id(self) -> str: ...
    @property
    def internal_date(self) -> datetime: ...
    @property
    def sender(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def labels(self) -> Sequence[str]: ...
    @property
    def raw(self) -> bytes: ...


@runtime_checkable
class CheapIndex(Protocol):
    """Optional: a source that can name a message's id and date without building it."""

    def message_id(self, index: int) -> str: ...
    def internal_date(self, index: int) -> datetime: ...


class MessageSource(Protocol):
    """Random access by index, index order == date order (`fincoach.demo.DemoMailbox` fits)."""

    def __len__(self) -> int: ...
    def message(self, index: int) -> MailRecord: ...


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message held in memory: mail added while running, or read from a folder."""

    message_id: str
    internal_date: datetime
    sender: str
    subject: str
    labels: tuple[str, ...]
    raw: bytes


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    id: int
    message_id: str
    labels: tuple[str, ...]
    recorded_at: float  # time.time() when it happened, for retention


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class _BaseIndex:
    """Ids and dates of the base messages; ids kept sorted (with a permutation) for lookups."""

    __slots__ = ("dates_ms", "ids", "perm", "sorted_ids")

    def __init__(self, source: MessageSource) -> None:
        count = len(source)
        self.dates_ms = array("q", bytes(8 * count))
        self.ids = array("Q", bytes(8 * count))
        if isinstance(source, CheapIndex):
            for i in range(count):
                self.dates_ms[i] = epoch_ms(source.internal_date(i))
                self.ids[i] = int(source.message_id(i), 16)
        else:
            for i in range(count):
                record = source.message(i)
                self.dates_ms[i] = epoch_ms(record.internal_date)
                self.ids[i] = int(record.message_id, 16)
        order = sorted(range(count), key=self.ids.__getitem__)
        self.sorted_ids = array("Q", (self.ids[j] for j in order))
        self.perm = array("I", order)

    def find(self, message_id: str) -> int | None:
        try:
            key = int(message_id, 16)
        except ValueError:
            return None
        pos = bisect_left(self.sorted_ids, key)
        if pos < len(self.sorted_ids) and self.sorted_ids[pos] == key:
            return self.perm[pos]
        return None


class Mailbox:
    """One user's mailbox. Messages are addressed by a global index: base first, added after."""

    def __init__(self, address: str, base: MessageSource, *, retention_s: float) -> None:
        self.address = address
        self.base = base
        self.retention_s = retention_s
        self._base_len = len(base)
        self._index: _BaseIndex | None = None
        self._added: list[StoredMessage] = []
        self._added_by_id: dict[str, int] = {}
        self._added_history: list[int] = []
        self._history: deque[HistoryRecord] = deque()
        self.history_id = FIRST_HISTORY_ID + self._base_len
        # startHistoryId values below the floor answer 404: that history is no longer kept.
        self.history_floor = self.history_id

    def __len__(self) -> int:
        return self._base_len + len(self._added)

    @property
    def index(self) -> _BaseIndex:
        if self._index is None:
            self._index = _BaseIndex(self.base)
        return self._index

    def record(self, position: int) -> MailRecord:
        if position < self._base_len:
            return self.base.message(position)
        return self._added[position - self._base_len]

    def date_ms(self, position: int) -> int:
        if position < self._base_len:
            return self.index.dates_ms[position]
        return epoch_ms(self._added[position - self._base_len].internal_date)

    def message_id(self, position: int) -> str:
        if position < self._base_len:
            return f"{self.index.ids[position]:016x}"
        return self._added[position - self._base_len].message_id

    def message_history_id(self, position: int) -> int:
        if position < self._base_len:
            return FIRST_HISTORY_ID + position + 1
        return self._added_history[position - self._base_len]

    def find(self, message_id: str) -> int | None:
        added = self._added_by_id.get(message_id)
        if added is not None:
            return self._base_len + added
        return self.index.find(message_id) if self._base_len else None

    def first_at_or_after(self, moment_ms: int) -> int:
        """Position of the first message dated at or after `moment_ms` (binary search)."""
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.date_ms(mid) < moment_ms:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # --- changes -------------------------------------------------------------------------------

    def add(self, message: StoredMessage) -> HistoryRecord:
        if message.message_id in self._added_by_id or (
            self._base_len and self.index.find(message.message_id) is not None
        ):
            raise ValueError("duplicate message id")
        self.history_id += 1
        self._added_by_id[message.message_id] = len(self._added)
        self._added.append(message)
        self._added_history.append(self.history_id)
        record = HistoryRecord(self.history_id, message.message_id, message.labels, time.time())
        self._history.append(record)
        self._prune()
        return record

    def last_date_ms(self) -> int | None:
        return self.date_ms(len(self) - 1) if len(self) else None

    def history_since(self, start: int) -> list[HistoryRecord] | None:
        """Records newer than `start`, oldest first; None when `start` is older than kept."""
        self._prune()
        if start < self.history_floor:
            return None
        ids = [r.id for r in self._history]
        return list(self._history)[bisect_left(ids, start + 1) :]

    def expire_history(self) -> None:
        self._history.clear()
        self.history_floor = self.history_id

    def _prune(self) -> None:
        horizon = time.time() - self.retention_s
        while self._history and self._history[0].recorded_at < horizon:
            self.history_floor = self._history.popleft().id


class Store:
    """All users' mailboxes, by lower-cased address, in the order they were added."""

    def __init__(self) -> None:
        self._boxes: dict[str, Mailbox] = {}

    def add(self, mailbox: Mailbox) -> None:
        self._boxes[mailbox.address.lower()] = mailbox

    def get(self, address: str) -> Mailbox | None:
        return self._boxes.get(address.lower())

    def __iter__(self) -> Iterator[Mailbox]:
        return iter(self._boxes.values())

    def __len__(self) -> int:
        return len(self._boxes)
