"""Scoring predictions against a corpus's labels.

Rules:
- Detection: a record is predicted a transaction when its prediction lists at least one
  transaction. Precision, recall and F1 are over `expected.is_transaction`; the false-positive
  rate is FP / (FP + TN) over the non-transactions.
- Fields are scored over the transaction records whose `expected` has that key (an absent key
  means "not checked"), against the first predicted transaction; a missed record counts wrong.
  - amount, balance: compared as Decimals (`"2000"` equals `"2000.00"`).
  - currency, direction: exact, case-insensitive.
  - merchant: loose, in any script: both sides NFKC-normalised and case-folded, keeping only
    letters, marks and digits (punctuation, symbols and spaces dropped); equal or either
    contains the other. A null label wants a null prediction.
  - account: by last digits: one ends with the other (at least 3 digits); null wants null.
  - reference: as merchant.
- `merchant_written`: the merchant score over the records whose merchant label appears, loosely,
  in the message's text: what an extractor that reads the text can get right (labels that a
  source's parser rewrote, "Amazon" for "AMZN MKTP", are left out).
- "all fields" is the share of the transaction records (the field scores' denominator: TP + FN)
  detected with every labelled field right. Non-transactions are measured by detection alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from fincoach.evaluation.corpus import Record, message_text

FIELDS = ("amount", "currency", "direction", "merchant", "account", "balance", "reference")
# The field scores plus the merchant score restricted to labels written in the message.
SCORES = (*FIELDS, "merchant_written")

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


def loose(value: object) -> str:
    """`value` as compared loosely: NFKC, case-folded, only letters, marks and digits kept.

    Unicode-aware on purpose: 美团外卖, ファミリーマート, ПЯТЕРОЧКА keep their letters, full-width
    "ＡＢＣ" and half-width ｶﾅ become their usual forms, "ẞ" folds to "ss", and the combining
    vowel signs of Thai or Devanagari are kept.
    """
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LMN")


def field_matches(name: str, expected: object, predicted: object) -> bool:
    if name in ("amount", "balance"):
        return expected is not None and _decimal(expected) == _decimal(predicted)
    if name in ("currency", "direction"):
        return str(expected or "").lower() == str(predicted or "").lower()
    if name in ("merchant", "reference"):
        want, got = loose(expected), loose(predicted)
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
    field_right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))
    field_total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))
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
    def transactions(self) -> int:
        """The records labelled as transactions: the denominator of every field score."""
        return self.tp + self.fn

    @property
    def all_fields(self) -> float | None:
        return self.all_right / self.transactions if self.transactions else None

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
                for name in SCORES
            },
            "all_fields": self.all_fields,
            "all_fields_right": self.all_right,
            "transactions": self.transactions,
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


Texts = Mapping[str, str]  # record id -> message_text(record)


def _text(record: Record, texts: Texts | None) -> str:
    if texts is not None and record.id in texts:
        return texts[record.id]
    return message_text(record)


def score(
    records: Iterable[Record],
    predictions: Mapping[str, list[dict[str, Any]]],
    texts: Texts | None = None,
) -> Report:
    """Detection and field scores (rules in the module docstring).

    `texts` gives each record's message text for `merchant_written`; a record it lacks is
    decoded here.
    """
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
            if name == "merchant" and _written(expected[name], _text(record, texts)):
                report.field_total["merchant_written"] += 1
                report.field_right["merchant_written"] += int(ok)
        report.all_right += int(every)
    return report


def _written(label: object, text: str) -> bool:
    want = loose(label)
    return bool(want) and want in loose(text)


def score_by(
    records: Iterable[Record],
    predictions: Mapping[str, list[dict[str, Any]]],
    key: Callable[[Record], str],
    texts: Texts | None = None,
) -> dict[str, Report]:
    """One report per group of records (`key(record)` names the group), largest group first."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return {name: score(group, predictions, texts) for name, group in ordered}


# ISO 4217 codes looked for in a record's text when its currency is not labelled: the codes of
# the currencies banks most often write out, enough to group an evaluation (not a money parser).
_ISO_CODE_TABLE = (
    "AED ARS AUD BDT BGN BHD BRL BYN CAD CHF CLP CNY COP CRC CZK DKK DZD EGP ETB EUR GBP GHS HKD "
    "HUF IDR ILS INR IQD IRR ISK JOD JPY KES KRW KWD KZT LKR MAD MXN MYR MZN NGN NOK NPR NZD OMR "
    "PEN PHP PKR PLN QAR RON RSD RUB SAR SEK SGD THB TND TRY TWD TZS UAH UGX USD UYU VND XAF XOF "
    "ZAR ZMW"
)
_ISO_CODES = frozenset(_ISO_CODE_TABLE.split())
_CODE = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")
UNLABELLED = "unlabelled"


def record_currency(record: Record, text: str) -> str:
    """The record's labelled currency, else the first ISO 4217 code its text writes, else
    "unlabelled" (a grouping for the report: never the parser's own guess, which would hide
    the records it missed)."""
    labelled = record.expected.get("currency")
    if labelled:
        return str(labelled).upper()
    for m in _CODE.finditer(text):
        if m.group(0) in _ISO_CODES:
            return m.group(0)
    return UNLABELLED
