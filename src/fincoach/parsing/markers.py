"""Finding a currency marker next to a number: before it (`Rs.`, `US$`, `N`, `人民币`) or after
it (`円`, `บาท`, `ر.س`, `т`, `MT`, `euros`).

Lookups are exact dictionary hits on the few lengths markers have (names by their first word),
so the cost per number is a handful of slices whatever the size of the currency table. A marker
in a script written with spaces must not touch a letter (`US` in "PLUS", `R` in "DY648811R");
CJK, Thai and other unspaced scripts' markers may ("支付38.50元", "收入人民币5,000.00元").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fincoach.parsing.currencies import MARKERS, NAME_LENGTHS, NAMES, Marker

GAP = " \u00a0\u202f\u2009\u200e\u200f\u061c"  # spaces and bidi marks between marker and number


def _lengths(key: int) -> dict[str, tuple[int, ...]]:
    """Character -> lengths of the markers ending (key -1) or starting (key 0) with it,
    longest first: a lookup tries only lengths that exist for that character."""
    found: dict[str, set[int]] = {}
    for marker in MARKERS:
        found.setdefault(marker[key], set()).add(len(marker))
    return {c: tuple(sorted(lengths, reverse=True)) for c, lengths in found.items()}


_ENDING = _lengths(-1)
_STARTING = _lengths(0)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(slots=True)
class Mark:
    """A marker found next to a number: as printed, what it can mean, and where it is."""

    text: str
    marker: Marker
    start: int
    end: int


def unspaced(c: str) -> bool:
    """Scripts written without spaces between words: a marker may touch their letters."""
    o = ord(c)
    return 0x0E00 <= o <= 0x0EFF or 0x1000 <= o <= 0x109F or 0x1780 <= o <= 0x17FF or o >= 0x2E80


def letter(c: str) -> bool:
    """A letter of a script written with spaces: a marker there must not touch one."""
    return c.isalpha() and not unspaced(c)


def prefix_mark(text: str, at: int) -> Mark | None:
    """A marker ending at `at`; spaces, bidi marks, one `:` or `)` and one line break may sit
    between it and the number ("INR: 500", "($USD) 45.20", a table cell "$" above "45.20")."""
    j = at
    punctuation = newline = False
    while j > 0 and at - j < 4:
        c = text[j - 1]
        if c in GAP or (c in ":)" and not punctuation) or (c == "\n" and not newline):
            punctuation = punctuation or c in ":)"
            newline = newline or c == "\n"  # HTML cells: "$" and "45.20" on their own lines
            j -= 1
        else:
            break
    lengths = _ENDING.get(text[j - 1], ()) if j else ()
    for length in lengths:
        if length > j:
            continue
        candidate = text[j - length : j]
        marker = MARKERS.get(candidate)
        if marker is None:
            continue
        before = text[j - length - 1] if j - length > 0 else " "
        if before.isdigit() or (letter(candidate[0]) and letter(before)):
            continue  # "12,500원 03/12": a marker glued to a number belongs to that number
        if newline and any(c.isalpha() for c in candidate):
            return None  # "PLN\n1": a code ends its cell; the next line is a quantity
        return Mark(candidate, marker, j - length, j)
    return None


def suffix_mark(text: str, at: int) -> Mark | None:
    """A marker starting at `at`, after at most two spaces: a symbol or code ("₽", "MT", "円"),
    else a currency's display name ("euros", "российских рублей")."""
    j = at
    while j < len(text) and j - at < 2 and text[j] in GAP:
        j += 1
    if j >= len(text):
        return None
    first = text[j]
    for length in _STARTING.get(first, ()):
        candidate = text[j : j + length]
        marker = MARKERS.get(candidate)
        if marker and len(candidate) == length and _ends_word(text, j + length, candidate):
            return Mark(candidate, marker, j, j + length)
    head = text[j : j + 2].lower()
    if head in _NAME_HEADS or head[:1] in _NAME_HEADS:
        window = text[j : j + NAME_LENGTHS[0]].lower()
        for name in _NAMES_BY_START.get(_name_key(window), ()):
            if window.startswith(name) and _ends_word(text, j + len(name), name):
                return Mark(name, NAMES[name], j, j + len(name))
    return None


def _name_key(text: str) -> str:
    """Names are indexed by their first word, or first character in scripts without spaces."""
    if unspaced(text[0]):
        return text[0]
    word = _WORD.match(text)
    return word.group() if word else ""


def _ends_word(text: str, end: int, candidate: str) -> bool:
    return not (letter(candidate[-1]) and end < len(text) and letter(text[end]))


def _index_names() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for name in sorted(NAMES, key=len, reverse=True):
        index.setdefault(_name_key(name), []).append(name)
    return index


_NAMES_BY_START = _index_names()
# the first two characters of every name (the whole name when it has one): a cheap screen
_NAME_HEADS = frozenset(name[:2] for name in NAMES)
