"""Institution rules: one TOML file per institution in `rules/`, compiled once at first use.

A rule file names who sends the messages and, optionally, regexes with named groups for the
institution's exact wording:

    id = "axis"                      # unique; reported as the matching rule
    name = "Axis Bank"
    senders = ["axisbank.com", "AXISBK"]  # substrings of the From address / SMS sender id
    subjects = []                    # optional regexes; any match also selects the rule
    dollar_currency = "MXN"          # optional: what a bare `$` means for this institution

    [[patterns]]
    id = "card_spend"
    regex = '''Card no\\. XX(?P<account>\\d+) \\| (?P<currency>INR) (?P<amount>[\\d,.]+)'''
    direction = "debit"              # optional; else the `direction` group or the generic lexicon
    instrument = "card"              # optional

Groups: amount (required), currency, direction, merchant, account, balance, reference, date.
Fields a pattern does not capture are filled by the generic finders. A sender that matches but
no pattern that matches falls back to the generic extractor (with the rule's `$` hint).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from fincoach.parsing.types import Direction, Instrument

_FLAGS = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    regex: re.Pattern[str]
    direction: Direction | None
    instrument: Instrument | None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    senders: tuple[str, ...]
    subjects: tuple[re.Pattern[str], ...]
    dollar_currency: str | None
    patterns: tuple[Pattern, ...]

    def matches(self, sender: str, subject: str) -> bool:
        return any(s in sender for s in self.senders) or any(
            p.search(subject) for p in self.subjects
        )


def _compile(data: dict[str, object], source: str) -> Rule:
    patterns = []
    raw_patterns = data.get("patterns", [])
    assert isinstance(raw_patterns, list), source
    for entry in raw_patterns:
        direction = entry.get("direction")
        instrument = entry.get("instrument")
        patterns.append(
            Pattern(
                id=str(entry["id"]),
                regex=re.compile(entry["regex"], _FLAGS),
                direction=Direction(direction) if direction else None,
                instrument=Instrument(instrument) if instrument else None,
            )
        )
    senders = data.get("senders", [])
    subjects = data.get("subjects", [])
    assert isinstance(senders, list) and isinstance(subjects, list), source
    dollar = data.get("dollar_currency")
    return Rule(
        id=str(data["id"]),
        name=str(data.get("name", data["id"])),
        senders=tuple(str(s).lower() for s in senders),
        subjects=tuple(re.compile(str(s), _FLAGS) for s in subjects),
        dollar_currency=str(dollar) if dollar else None,
        patterns=tuple(patterns),
    )


@cache
def rules() -> tuple[Rule, ...]:
    """Every rule file, in file-name order (so the order is stable)."""
    folder = resources.files("fincoach.parsing").joinpath("rules")
    loaded = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            loaded.append(_compile(tomllib.loads(entry.read_text("utf-8")), entry.name))
    ids = [r.id for r in loaded]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate rule ids in parsing/rules")
    return tuple(loaded)


def rules_for(sender: str | None, subject: str | None) -> tuple[Rule, ...]:
    key = (sender or "").lower()
    subj = subject or ""
    return tuple(r for r in rules() if r.matches(key, subj))
