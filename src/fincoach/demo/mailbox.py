"""A deterministic, random-access demo mailbox: message i costs the same for any i."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from random import Random

from fincoach.demo.families import FAMILIES
from fincoach.demo.mime import assemble
from fincoach.demo.types import Ctx, DemoMessage, Profile, TruthTransaction

_MASK64 = (1 << 64) - 1
_WEIGHTS = tuple(accumulate(weight for _, weight, _ in FAMILIES))
_TOTAL = _WEIGHTS[-1]

_FIRST = ("Aarav", "Diya", "Maya", "Noah", "Emma", "Lucas", "Sofia", "Omar", "Amara", "Leo")
_LAST = ("Kapoor", "Patel", "Garcia", "Smith", "Okafor", "Novak", "Rossi", "Tanaka", "Silva")
_EMPLOYERS_IN = (
    "Infosys Ltd",
    "Tata Consultancy Services",
    "Flipkart Internet Pvt Ltd",
    "Zeta Technologies Pvt Ltd",
    "Razorpay Software Pvt Ltd",
)
_EMPLOYERS_US = ("ACME CORP", "GLOBEX INC", "INITECH LLC", "UMBRELLA HEALTH", "STARK LOGISTICS")
_DIGIT_KEYS = (
    "hdfc_ac",
    "hdfc_cc",
    "icici_ac",
    "icici_cc",
    "sbi_ac",
    "axis_ac",
    "axis_cc",
    "chase_cc",
    "chase_ac",
    "amex",
    "capone",
    "boa_ac",
    "discover",
    "monzo",
    "revolut",
    "barclays",
    "n26",
    "enbd_cc",
    "enbd_ac",
    "banorte",
    "bbva",
    "visa",
    "mastercard",
    "paytm",
    "upi_lite",
)


def _mix64(x: int) -> int:
    """splitmix64's finaliser: a bijection on 64 bits, so distinct inputs give distinct ids."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _MASK64
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _MASK64
    return x ^ (x >> 31)


def _default_end() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


class DemoMailbox:
    """Messages 0..count-1 spread over [start, end), each built on demand from its index."""

    def __init__(
        self,
        *,
        seed: int,
        address: str = "demo@fincoach.example",
        count: int = 3000,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        if count < 0:
            raise ValueError("count must be >= 0")
        self.seed = seed
        self.address = address
        self.count = count
        self.end = (end if end is not None else _default_end()).astimezone(UTC)
        self.start = (start if start is not None else self.end - timedelta(days=180)).astimezone(
            UTC
        )
        if self.start >= self.end:
            raise ValueError("start must be before end")
        key = f"{seed}|{address}|{self.start.isoformat()}|{self.end.isoformat()}"
        digest = hashlib.sha256(key.encode()).digest()
        # One 64-bit key for ids, one for content: ids stay unique by construction (a bijection
        # of the index), content streams are independent of the id layout.
        self._id_key = int.from_bytes(digest[:8], "big")
        self._content_key = int.from_bytes(digest[8:16], "big")
        self._start_s = int(self.start.timestamp())
        self._span_s = int(self.end.timestamp()) - self._start_s
        self.profile = _profile(seed, address)

    def __len__(self) -> int:
        return self.count

    def message_id(self, index: int) -> str:
        return f"{_mix64((self._id_key + index * 0x9E3779B97F4A7C15) & _MASK64):016x}"

    def internal_date(self, index: int) -> datetime:
        lo = self._start_s + index * self._span_s // self.count
        hi = self._start_s + (index + 1) * self._span_s // self.count
        # Jitter inside the slot keeps the order; its own stream so it needs no full build.
        jitter = _mix64(self._content_key ^ (index * 0xD6E8FEB86659FD93 & _MASK64))
        return datetime.fromtimestamp(lo + jitter % max(1, hi - lo), UTC)

    def message(self, index: int) -> DemoMessage:
        if not 0 <= index < self.count:
            raise IndexError(index)
        message_id = self.message_id(index)
        when = self.internal_date(index)
        rng = self._rng(index)
        _, _, build = FAMILIES[_pick(rng)]
        draft = build(Ctx(rng=rng, when=when, profile=self.profile))
        labels = draft.labels
        if rng.random() < 0.3:
            labels = (*labels, "UNREAD")
        raw = assemble(
            draft,
            rng=rng,
            message_id=message_id,
            internal_date=when,
            to=self.address,
            to_name=self.profile.name,
        )
        truth = tuple(
            TruthTransaction(
                position=i,
                amount=t.amount,
                currency=t.currency,
                direction=t.direction,
                merchant=t.merchant,
                account=t.account,
                instrument=t.instrument,
                occurred_at=t.occurred_at,
                category=t.category,
            )
            for i, t in enumerate(draft.txns)
        )
        return DemoMessage(
            index=index,
            message_id=message_id,
            internal_date=when,
            sender=draft.from_addr,
            subject=draft.subject,
            labels=labels,
            raw=raw,
            truth=truth,
        )

    def family(self, index: int) -> str:
        """Which template family message `index` comes from (for tests and statistics)."""
        return FAMILIES[_pick(self._rng(index))][0]

    def _rng(self, index: int) -> Random:
        return Random(_mix64((self._content_key + index * 0x9E3779B97F4A7C15) & _MASK64))

    def __iter__(self) -> Iterator[DemoMessage]:
        return (self.message(i) for i in range(self.count))

    def truth(self) -> list[tuple[str, TruthTransaction]]:
        return [(m.message_id, t) for m in self for t in m.truth]


def _pick(rng: Random) -> int:
    return min(bisect_right(_WEIGHTS, rng.random() * _TOTAL), len(FAMILIES) - 1)


def _profile(seed: int, address: str) -> Profile:
    digest = hashlib.sha256(f"profile|{seed}|{address}".encode()).digest()
    rng = Random(int.from_bytes(digest[:8], "big"))
    first = _FIRST[rng.randrange(len(_FIRST))]
    last = _LAST[rng.randrange(len(_LAST))]
    digits = {key: f"{rng.randrange(10**4):04d}" for key in _DIGIT_KEYS}
    return Profile(
        name=f"{first} {last}",
        first_name=first,
        address=address,
        digits=digits,
        employer_in=_EMPLOYERS_IN[rng.randrange(len(_EMPLOYERS_IN))],
        employer_us=_EMPLOYERS_US[rng.randrange(len(_EMPLOYERS_US))],
        phone_tail=f"{rng.randrange(10**4):04d}",
    )
