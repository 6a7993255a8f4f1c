"""Reading a printed number as an exact Decimal, in any grouping, separator and digit script.

A numeral is first cut out of the text as a *run*: digits (of any script: Arabic-Indic, Persian,
Devanagari, Bengali, Thai, full-width...) joined by single separators. Which separator is the
decimal point is then decided by construction, not by habit:

1. Structure. A reading treats the last separator as the decimal point and the others as
   thousands separators (all the same character), or every separator as a thousands separator.
   Groups after the first have three digits (or the Indian 2-2-3 lakh/crore pattern); the first
   group has one to three and no leading zero. `'`, `’`, spaces and `٬` only ever group; `٫`
   only ever marks decimals. A leading point (".93") is a decimal.
2. The currency's minor units (ISO 4217 as CLDR carries them). A decimal reading with more
   fraction digits than the currency has is kept exact, never rounded, but penalised; only
   zeros beyond the precision ("Rs. 5.000", "6000.000") cost almost nothing.
3. The currency's conventions (CLDR number symbols of the locales of its territories): a
   separator used in a role no locale of that currency gives it is penalised.
4. The message's own convention (a decimal comma or point seen unambiguously elsewhere in it).

The reading with the lowest penalty wins. Its confidence is high only when it is clearly
better than every other reading; an amount that cannot be read unambiguously is returned with
a low confidence (and a structurally impossible one is not returned at all).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Separators that may join digit groups in a run, and the roles each can play.
_SPACES = " \u00a0\u202f\u2009"
_DECIMAL_ONLY = "٫"
_EITHER = ".,"
# Full-width forms read as their ASCII counterparts.
_FOLD = str.maketrans({"，": ",", "．": ".", "’": "'", "\u00a0": " ", "\u202f": " ", "\u2009": " "})

# A run: digit groups joined by single separators; a space joins only a group of exactly three
# digits (so "500 1234" is two numbers), and a run may start with a decimal point (".93").
RUN = re.compile(r"(?:\d+(?:[.,'’٫٬，．]\d+|[ \u00a0\u202f\u2009]\d{3}(?!\d))*|(?<![\w.,])[.٫]\d+)")

_EXCESS_ZEROS = 1.5  # "5.000" in a two-decimal currency: exact, but unusual
_BEYOND_PRECISION = 4.0  # "9.175" USD, "¥1,280.50": kept exact, never rounded, but doubtful
_SECONDARY_CONVENTION = 1.0  # a role only a minor locale of the currency gives the separator
_UNUSUAL_CONVENTION = 3.0  # a role no locale of the currency gives it
_AGAINST_MESSAGE = 1.0  # the message writes its decimals the other way
_SAME_CHAR = 1.0  # "55.000.00": one character both groups and marks decimals
_CLEAR_MARGIN = 1.5  # a reading is clear when every other costs this much more


@dataclass(frozen=True, slots=True)
class Reading:
    """A number read from a run: its value and how sure the reading is (0..1)."""

    value: Decimal
    confidence: float


@dataclass(frozen=True, slots=True)
class Conventions:
    """How a currency's locales write numbers: decimal marks, group marks, lakh grouping."""

    decimals: frozenset[str]
    groups: frozenset[str]
    primary: str  # "decimal+group" of the currency's most widely spoken locale
    lakh: bool
    spaced: bool  # a leading locale groups with spaces: "12 000" is one number

    @classmethod
    def from_pairs(cls, pairs: list[str]) -> Conventions:
        """`pairs` as in currencies.json: "decimal+group" strings, "L" for lakh grouping."""
        decimals = {p[0].translate(_FOLD) for p in pairs if len(p) == 2}
        groups = {p[1].translate(_FOLD) for p in pairs if len(p) == 2}
        leading = [p.translate(_FOLD) for p in pairs if len(p) == 2][:2]
        return cls(
            frozenset(decimals),
            frozenset(groups),
            leading[0] if leading else ".,",
            "L" in pairs,
            any(p[1] in _SPACES for p in leading),
        )


ANY = Conventions(frozenset(".,٫"), frozenset(".,' ٬"), "", True, False)


def ascii_digits(text: str) -> str:
    """The run with every digit (of any script) written as an ASCII digit."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _grouping_ok(groups: list[str], sep: str) -> bool:
    if len(groups) == 1:
        return True
    head, tail = groups[0], groups[1:]
    if not 1 <= len(head) <= 3:
        return False
    if all(len(g) == 3 for g in tail):
        return head[0] != "0"
    # Indian: 1,23,45,678 - two-digit groups, then a final group of three (SBI pads "0,87,695")
    return (
        sep in ",٬ "
        and len(groups) >= 3
        and len(head) <= 2
        and len(tail[-1]) == 3
        and all(len(g) == 2 for g in tail[:-1])
    )


def _candidates(run: str) -> list[tuple[str, str, str | None, str | None]]:
    """Structurally valid readings: (integer digits, fraction digits, decimal mark, group mark)."""
    parts = re.split(r"([^\d])", run)
    groups, seps = parts[0::2], parts[1::2]
    if not seps:
        return [(run, "", None, None)]
    if groups[0] == "":  # leading decimal point
        if len(seps) == 1 and seps[0] in "." + _DECIMAL_ONLY:
            return [("0", groups[1], seps[0], None)]
        return []
    found = []
    group_marks = set(seps[:-1])
    last = seps[-1]
    # the last separator is the decimal point
    if last in _EITHER + _DECIMAL_ONLY and len(group_marks) <= 1:
        mark = next(iter(group_marks), None)
        if mark is None or (mark != last and mark not in _DECIMAL_ONLY):
            if _grouping_ok(groups[:-1], mark or ""):
                found.append(("".join(groups[:-1]), groups[-1], last, mark))
        elif mark == last and len(groups[-1]) in (1, 2) and _grouping_ok(groups[:-1], mark):
            found.append(("".join(groups[:-1]), groups[-1], last, last))  # "55.000.00"
    # every separator groups thousands
    if len(set(seps)) == 1 and last not in _DECIMAL_ONLY and _grouping_ok(groups, last):
        found.append(("".join(groups), "", None, last))
    return found


def _doubt(fraction: str, decimal: str | None, group: str | None, digits: int | None) -> float:
    """What a reading costs whatever the conventions: digits beyond the precision, one mark
    used both ways."""
    cost = 0.0
    places = 2 if digits is None else digits
    if len(fraction) > places:
        cost += _EXCESS_ZEROS if set(fraction[places:]) == {"0"} else _BEYOND_PRECISION
    if decimal is not None and decimal == group:
        cost += _SAME_CHAR
    return cost


def _convention_cost(mark: str, allowed: frozenset[str], primary: str) -> float:
    if not primary or mark == primary:
        return 0.0
    return _SECONDARY_CONVENTION if mark in allowed else _UNUSUAL_CONVENTION


def _penalty(
    fraction: str,
    decimal: str | None,
    group: str | None,
    digits: int | None,
    conventions: Conventions,
    message_decimal: str | None,
) -> float:
    cost = _doubt(fraction, decimal, group, digits)
    if decimal is not None and decimal in _EITHER:
        cost += _convention_cost(decimal, conventions.decimals, conventions.primary[:1])
    if group is not None and group in _EITHER:
        cost += _convention_cost(group, conventions.groups, conventions.primary[1:])
    if message_decimal is not None and (
        (decimal is not None and decimal in _EITHER and decimal != message_decimal)
        or group == message_decimal
    ):
        cost += _AGAINST_MESSAGE
    return cost


def read_run(
    run: str,
    *,
    digits: int | None = None,
    conventions: Conventions = ANY,
    message_decimal: str | Callable[[], str | None] | None = None,
) -> Reading | None:
    """Read one run (as cut by `RUN`) for a currency with `digits` minor units (None: unknown).

    `message_decimal`: the decimal mark the rest of the message uses (or a function computing
    it, called only when the run can be read two ways).

    Returns None when no reading is structurally possible ("1.2.3", "12,3456,7").
    """
    folded = ascii_digits(run).translate(_FOLD)
    candidates = _candidates(folded)
    if callable(message_decimal):  # the message's habit matters only between two readings
        message_decimal = message_decimal() if len(candidates) > 1 else None
    scored = []
    for integer, fraction, decimal, group in candidates:
        cost = _penalty(fraction, decimal, group, digits, conventions, message_decimal)
        scored.append((cost, _doubt(fraction, decimal, group, digits), integer, fraction))
    if not scored:
        return None
    scored.sort(key=lambda s: s[0])
    cost, doubt, integer, fraction = scored[0]
    try:
        value = Decimal(f"{integer}.{fraction}" if fraction else integer)
    except InvalidOperation:
        return None
    clear = len(scored) == 1 or scored[1][0] - cost >= _CLEAR_MARGIN
    confidence = (
        1.0
        if doubt == 0
        else 0.9
        if doubt <= _SAME_CHAR
        else 0.8
        if doubt <= _EXCESS_ZEROS
        else 0.5
    )
    if not clear:
        confidence = min(confidence, 0.5)
    return Reading(value, confidence)


def decimal_mark(run: str) -> str | None:
    """The decimal mark a run shows beyond doubt ("1.234,56", "12,50"), else None."""
    folded = run.translate(_FOLD)
    comma, point = folded.rfind(","), folded.rfind(".")
    if comma >= 0 and point >= 0:
        return "," if comma > point else "."
    last = max(comma, point)
    if last > 0 and len(folded) - last - 1 in (1, 2) and folded.count(folded[last]) == 1:
        return folded[last]
    return None
