"""The currency table: ISO codes, symbols and local words, each with what it can stand for.

Two data files beside this module, loaded once at import (about 5 ms):
- `currencies.json`, generated from CLDR by `scripts/build_currencies.py`: every currency in
  use, its minor units, territories and number conventions; every symbol and display name.
- `currency_marks.toml`, by hand: the bank abbreviations CLDR lacks (Rs, Tk, MT, N, P, RS,
  SR, TL, т, р....), the candidates of ambiguous signs, and the evidence that resolves them.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from fincoach.parsing.numerals import ANY, Conventions


@dataclass(frozen=True, slots=True)
class CurrencyInfo:
    """One currency: minor digits, territories where it is tender, how its locales write numbers."""

    code: str
    digits: int
    territories: frozenset[str]
    conventions: Conventions


@dataclass(slots=True)
class Marker:
    """What a printed marker can mean, and when it counts as a marker at all."""

    currencies: list[str] = field(default_factory=list)
    default: str | None = None
    requires: frozenset[str] = frozenset()
    shape: bool = False  # only next to money-shaped amounts ("N1,200.00", not "N5")
    code: bool = False  # an ISO code (upper case, Latin)

    @property
    def ambiguous(self) -> bool:
        return len(self.currencies) != 1 or bool(self.requires)


def _data() -> tuple[dict[str, Any], dict[str, Any]]:
    folder = resources.files("fincoach.parsing")
    generated = json.loads(folder.joinpath("currencies.json").read_text("utf-8"))
    marks = tomllib.loads(folder.joinpath("currency_marks.toml").read_text("utf-8"))
    return generated, marks


def _short_latin(text: str) -> bool:
    core = text.rstrip(".")
    return core.isascii() and core.isalpha() and len(core) <= 3


def _build() -> tuple[
    dict[str, CurrencyInfo], dict[str, Marker], dict[str, Marker], dict[str, Any]
]:
    generated, marks = _data()
    table = {
        code: CurrencyInfo(code, digits, frozenset(where), Conventions.from_pairs(pairs))
        for code, (digits, where, pairs) in generated["currencies"].items()
    }
    deny = set(marks.get("deny", []))
    word_codes = set(marks.get("word_codes", []))
    markers: dict[str, Marker] = {}
    for code in table:
        markers[code] = Marker([code], shape=code in word_codes, code=True)
    for code, meaning in marks.get("extra_codes", {}).items():
        markers[code] = Marker([meaning], code=True)
    for symbol, codes in generated["symbols"].items():
        if symbol in deny or symbol in markers:
            continue
        markers[symbol] = Marker(list(codes), shape=_short_latin(symbol))
    for entry in marks["mark"]:
        for text in entry["text"]:
            marker = markers.setdefault(text, Marker(shape=_short_latin(text)))
            if marker.code:
                continue
            marker.currencies.extend(c for c in entry["currencies"] if c not in marker.currencies)
            marker.default = entry.get("default", marker.default)
            marker.requires = marker.requires | frozenset(entry.get("requires", []))
            if entry.get("plain"):
                marker.shape = False
            elif entry.get("shape"):
                marker.shape = True
    names = {
        name: Marker(list(codes))
        for name, codes in generated["names"].items()
        if name not in deny and name not in marks.get("deny_names", []) and name not in markers
    }
    return table, markers, names, marks


CURRENCIES, MARKERS, NAMES, _MARKS = _build()
# Longest marker first: the lookups try the lengths that exist, from the longest.
MARKER_LENGTHS = sorted({len(m) for m in MARKERS}, reverse=True)
NAME_LENGTHS = sorted({len(n) for n in NAMES}, reverse=True)
EVIDENCE_DATA: dict[str, Any] = {
    "words": _MARKS.get("words", {}),
    "scripts": _MARKS.get("scripts", {}),
    "languages": _MARKS.get("languages", {}),
}


def digits_of(code: str | None) -> int | None:
    """Minor units of a currency (ISO 4217 as CLDR carries them); None for an unknown code."""
    info = CURRENCIES.get(code) if code else None
    return info.digits if info else None


def conventions_of(code: str | None) -> Conventions:
    info = CURRENCIES.get(code) if code else None
    return info.conventions if info else ANY


def currency_of_territory(territory: str) -> str | None:
    """The currency a territory uses today, when it uses exactly one."""
    used = [i.code for i in CURRENCIES.values() if territory in i.territories]
    return used[0] if len(used) == 1 else None
