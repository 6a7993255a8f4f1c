"""The language files (`languages/<iso639>.toml`) and the evidence file (`evidence.toml`):
their schema, validated with pydantic (an unknown key is an error, so a typo cannot silently
drop a word list), and their loading. `lexicon.py` compiles them.

Each language file gives its language's words as regex fragments, lower case, matched on
folded text (see `scripts.fold`):
- direction: completed-movement verbs (`debit`, `credit`) and weaker nouns (`*_weak`);
- kind: what kind of movement (purchase, transfer, withdrawal, refund, salary...);
- negative: what says no money moved: `otp`, `declined`, `reversed_failed` reject a message,
  `scheduled`, `reminder`, `statement`, `promo` lower its score, and `balance_notice` is a
  phrase that introduces a balance ("o saldo da sua conta ... é de"): no movement;
- labels: the words that introduce a merchant, a balance, an available limit, an account, a
  reference, an amount or a fee, and the prepositions around a counterparty;
- markers (Latin-script languages): words or letters that show a message may be in the
  language; without one, its vocabulary is not run.
English (`en.toml`) also keeps the hand-tuned phrase patterns the extractor grew up with.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from fincoach.parsing.scripts import fold, grouped
from fincoach.parsing.types import Direction

_FLAGS = re.IGNORECASE

Script = Literal[
    "latin", "cyrillic", "greek", "arabic", "devanagari", "bengali", "thai", "ethiopic",
    "hangul", "kana", "han",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DirectionPattern(_Strict):
    pattern: str
    direction: Direction
    strong: bool


class DirectionWords(_Strict):
    debit: list[str] = []
    credit: list[str] = []
    debit_weak: list[str] = []
    credit_weak: list[str] = []


class NegativeWords(_Strict):
    otp: list[str] = []
    declined: list[str] = []
    reversed_failed: list[str] = []
    scheduled: list[str] = []
    reminder: list[str] = []
    balance_notice: list[str] = []
    statement: list[str] = []
    promo: list[str] = []  # offers and campaigns ("spend at least ... and get")
    # English only: the phrase patterns of the original lexicon
    hard: list[str] = []
    soft: dict[str, str] = {}
    headline: dict[str, str] = {}


class Labels(_Strict):
    merchant: list[str] = []  # "Merchant:", "obchod", "ご利用先"
    purpose: list[str] = []  # what a payment was for ("Verwendungszweck:"): a fallback name
    merchant_at: list[str] = []  # where a purchase happened: "bei", "в", "لدى", "ที่"
    merchant_from: list[str] = []  # who paid the reader: "от", "kutoka kwa", "od"
    merchant_to: list[str] = []  # who the reader paid: "кому", "kwenda", "para"
    merchant_after: list[str] = []  # after the name: "firmasında"
    merchant_patterns: list[str] = []  # whole regexes with a group `m`: "在(?P<m>…)支付"
    balance: list[str] = []
    limit: list[str] = []
    account: list[str] = []  # before the digits: "карта", "尾号", "حسابك"
    account_after: list[str] = []  # after the digits: "ile biten"
    reference: list[str] = []
    confirmed: list[str] = []  # beside a code that starts the message: "QF81LP03 Confirmed"
    amount: list[str] = []
    fee: list[str] = []
    stop: list[str] = []  # words that end a name: a date word, "na", "tarehe"


class Context(_Strict):
    balance: str
    balance_value: str
    fee: str
    minor: str
    label: str


class LanguageFile(_Strict):
    """One `languages/<iso639>.toml` file. Unknown keys are errors, so a typo cannot silently
    drop a word list."""

    language: str
    name: str
    script: Script
    # Latin-script languages other than English: literal words or letters whose presence says
    # the message may be in the language; without any, its vocabulary is not run (speed)
    markers: list[str] = []
    mask: list[str] = []
    patterns: list[DirectionPattern] = []
    direction: DirectionWords = DirectionWords()
    kind: dict[
        Literal["purchase", "transfer", "withdrawal", "refund", "salary", "fee"], list[str]
    ] = {}
    negative: NegativeWords = NegativeWords()
    labels: Labels = Labels()
    context: Context | None = None


@cache
def language_files() -> tuple[LanguageFile, ...]:
    """Every language file, English first, then by file name (a stable order)."""
    folder = resources.files("fincoach.parsing").joinpath("languages")
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".toml")),
        key=lambda e: (e.name != "en.toml", e.name),
    )
    return tuple(LanguageFile.model_validate(tomllib.loads(e.read_text("utf-8"))) for e in entries)


@cache
def _evidence_file() -> dict[str, dict[str, object]]:
    return tomllib.loads(
        resources.files("fincoach.parsing").joinpath("evidence.toml").read_text("utf-8")
    )


@cache
def evidence_weights() -> dict[str, dict[str, float]]:
    """`evidence.toml`'s weights: section -> name -> weight."""
    return {
        section: {str(k): float(v) for k, v in values.items()}  # type: ignore[arg-type]
        for section, values in _evidence_file().items()
        if section in ("single", "negative_weights", "language_weights")
    }


@cache
def evidence_words() -> dict[str, dict[str, re.Pattern[str]]]:
    """`evidence.toml`'s vocabularies ([words]: receipt, activity; [instruments]), compiled
    case-insensitively, in file order."""
    return {
        section: {str(k): re.compile(str(v), _FLAGS) for k, v in _evidence_file()[section].items()}
        for section in ("words", "instruments")
    }


@cache
def _markers() -> tuple[re.Pattern[str], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    words: dict[str, set[str]] = {}
    letters: dict[str, set[str]] = {}
    for f in language_files():
        for marker in f.markers:
            single = len(marker) == 1 and not marker.isascii()
            (letters if single else words).setdefault(marker, set()).add(f.language)
    ordered = sorted(words, key=len, reverse=True)
    pattern = re.compile(rf"\b(?:{grouped([re.escape(w) for w in ordered])})(?!\w)")
    return (
        pattern,
        {w: frozenset(v) for w, v in words.items()},
        {c: frozenset(v) for c, v in letters.items()},
    )


_MARKER_SCAN = 1500


def latin_languages(text: str) -> frozenset[str]:
    """The Latin-script languages (besides English) the start of the text shows a marker of."""
    head = fold(text[:_MARKER_SCAN])
    pattern, words, letters = _markers()
    found: set[str] = set()
    for m in pattern.finditer(head):
        found |= words[m.group()]
    for letter in letters.keys() & set(head):
        found |= letters[letter]
    return frozenset(found)
