"""Scoring predictions against a corpus's labels.

Rules:
- Detection: a record is predicted a transaction when its prediction lists at least one
  transaction. Precision, recall and F1 are over `expected.is_transaction`; the false-positive
  rate is FP / (FP + TN) over the non-transactions.
- Fields are scored over the transaction records whose `expected` has that key (an absent key
  means "not checked"), against the first predicted transaction; a missed record counts wrong.
  - amount, balance: compared as Decimals (`"2000"` equals `"2000.00"`).
  - currency, direction: exact, case-insensitive.
  - merchant: loose: lower-cased, only letters and digits kept, equal or either contains the
    other; a null label wants a null prediction.
  - account: by last digits: one ends with the other (at least 3 digits); null wants null.
  - reference: letters and digits, case-insensitive, equal or either contains the other.
- "all fields" is the share of all records that are fully right: a non-transaction predicted
  empty, or a transaction detected with every labelled field right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from fincoach.evaluation.corpus import Record

FIELDS = ("amount", "currency", "direction", "merchant", "account", "balance", "reference")

# The acceptance thresholds, applied by `fincoach eval --check`.
THRESHOLDS: dict[str, float] = {
    "f1": 0.97,
    "amount": 0.97,
    "direction": 0.95,
    "account": 0.95,
    "merchant": 0.85,
}
MAX_FALSE_POSITIVE_RATE = 0.03


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


def _loose(value: object) -> str:
    return re.sub(r"[\W_]+", "", str(value or "")).lower()


def field_matches(name: str, expected: object, predicted: object) -> bool:
    if name in ("amount", "balance"):
        return expected is not None and _decimal(expected) == _decimal(predicted)
    if name in ("currency", "direction"):
        return str(expected or "").lower() == str(predicted or "").lower()
    if name in ("merchant", "reference"):
        want, got = _loose(expected), _loose(predicted)
        if not want:
            return not got
        return bool(got) and (want in got or got in want)
    if name == "account":
        want, got = re.sub(r"\D", "", str(expected or "")), re.sub(r"\D", "", str(predicted or ""))
        if not want:
            return not got
        if len(got) < 3:
            return False
        return want.endswith(got) or got.endswith(want)
    raise ValueError(f"unknown field {name}")


@dataclass(slots=True)
class Report:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    field_right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    field_total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    all_right: int = 0
    records: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (record id, what was wrong)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def false_positive_rate(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    def accuracy(self, name: str) -> float | None:
        total = self.field_total[name]
        return self.field_right[name] / total if total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "detection": {
                "tp": self.tp,
                "fp": self.fp,
                "fn": self.fn,
                "tn": self.tn,
                "precision": self.precision,
                "recall": self.recall,
                "f1": self.f1,
                "false_positive_rate": self.false_positive_rate,
            },
            "fields": {
                name: {
                    "accuracy": self.accuracy(name),
                    "right": self.field_right[name],
                    "total": self.field_total[name],
                }
                for name in FIELDS
            },
            "all_fields": self.all_right / self.records if self.records else None,
        }

    def failures(self) -> list[str]:
        """The thresholds this report misses (empty when it passes `--check`)."""
        out = []
        if self.f1 < THRESHOLDS["f1"]:
            out.append(f"f1 {self.f1:.3f} < {THRESHOLDS['f1']}")
        if self.false_positive_rate > MAX_FALSE_POSITIVE_RATE:
            out.append(f"false-positive rate {self.false_positive_rate:.3f} > 0.03")
        for name in ("amount", "direction", "account", "merchant"):
            value = self.accuracy(name)
            if value is not None and value < THRESHOLDS[name]:
                out.append(f"{name} {value:.3f} < {THRESHOLDS[name]}")
        return out


def score(records: Iterable[Record], predictions: Mapping[str, list[dict[str, Any]]]) -> Report:
    report = Report()
    for record in records:
        report.records += 1
        predicted = predictions.get(record.id, [])
        expected = record.expected
        want = bool(expected.get("is_transaction"))
        got = bool(predicted)
        if want and got:
            report.tp += 1
        elif want:
            report.fn += 1
            report.misses.append((record.id, "missed"))
        elif got:
            report.fp += 1
            report.misses.append((record.id, "false positive"))
        else:
            report.tn += 1
        if not want:
            report.all_right += int(not got)
            continue
        first = predicted[0] if predicted else {}
        every = got
        for name in FIELDS:
            if name not in expected:
                continue
            report.field_total[name] += 1
            ok = got and field_matches(name, expected[name], first.get(name))
            report.field_right[name] += int(ok)
            if got and not ok:
                report.misses.append((record.id, f"{name}: {first.get(name)!r}"))
            every = every and ok
        report.all_right += int(every)
    return report
