"""The counterparty by a terse alert's layout, when no label or preposition names it.

Weaker evidence than `fields.find_merchant`: used only to fill the merchant of a message the
extractor already accepted, never to accept one.
"""

from __future__ import annotations

import re

from fincoach.parsing.fields import clean_name
from fincoach.parsing.labels import LabelPatterns, label_patterns
from fincoach.parsing.lexicon import FieldWords


def merchant_by_layout(
    text: str, anchor: int, amount_end: int, words: FieldWords | None = None
) -> str | None:
    """When no label or preposition names the counterparty: the field printed right after
    the amount in a terse alert, else the upper-case name nearest to the amount. Weaker than
    `find_merchant`'s evidence, so it never counts toward accepting a message."""
    labels = label_patterns(words) if words is not None else None
    return _field_after(text, amount_end, labels) or _capitalised_near(text, anchor, labels)


# Terse alerts list their fields in order: "Покупка: 4 150т / SMALL 24/7 / Доступно: ...".
_SEPARATOR = re.compile(r"\s/\s|\s\|\s|\n|[,;，；](?=\s)|\.(?=\s|$)|\s-\s")
_FIELD = re.compile(r"(?![a-zà-ÿ])[^\s:：=][^:：=\n]{1,40}")


def _field_after(text: str, end: int, labels: LabelPatterns | None) -> str | None:
    """The field printed right after the amount's own field, when it reads as a name."""
    tail = text[end : end + 200]
    first = _SEPARATOR.search(tail)
    if first is None or (
        tail[: first.start()].strip(" .") and _WORDY.search(tail[: first.start()])
    ):
        return None
    rest = tail[first.end() :]
    second = _SEPARATOR.search(rest)
    field = rest[: second.start()] if second else rest
    field = field.strip()
    if not _FIELD.fullmatch(field) or len(field.split()) > 6:
        return None
    return clean_name(field, labels)


_WORDY = re.compile(r"[^\W\d_]{3,}")
# An upper-case run of words: "PADARIA BELLA VISTA", "STEAMGAMES".
_CAPITALISED = re.compile(
    r"(?<![\w.])(?P<m>[A-Z][A-Z0-9&'*-]*[A-Z0-9](?: [A-Z0-9][A-Z0-9&'.*/-]*){0,4})(?![\w])"
)


_INSTITUTION = re.compile(r"\s*(?i:bank|banco|banque|card|cart[aã]o|tarjeta|a/c)\b")
_YOUR = re.compile(r"(?i:\byour\s+)$")


def _capitalised_near(text: str, anchor: int, labels: LabelPatterns | None) -> str | None:
    """The upper-case name nearest to the amount (within a short alert's reach), skipping
    codes (EUR, POS) and the institution's own name at the start of the message."""
    start = max(0, anchor - 120)
    best: tuple[int, str] | None = None
    for m in _CAPITALISED.finditer(text, start, anchor + 120):
        name = m.group("m")
        if len(re.sub(r"[^A-Z]", "", name)) < 4 or text[m.end() : m.end() + 1] == ":":
            continue
        if m.start() == 0 or text[max(0, m.start() - 1) : m.start()] == "\n":
            continue  # the sender's brand heading the message ("SCB:", "Itaú:")
        if _INSTITUTION.match(text, m.end()) or _YOUR.search(
            text, max(0, m.start() - 6), m.start()
        ):
            continue  # "HDFC Bank", "your SBI card": the reader's own institution
        name = clean_name(name, labels) or ""
        distance = abs(m.start() - anchor)
        if name and (best is None or distance < best[0]):
            best = (distance, name)
    return best[1] if best else None
