"""Institution rules: one TOML file per institution in `rules/`, validated and compiled once.

A rule file names who sends the messages and, optionally, regexes with named groups for the
institution's exact wording:

    id = "axis"                      # unique; reported as the matching rule
    name = "Axis Bank"
    country = "IN"                   # optional, ISO 3166
    senders = ["axisbank.com", "AXISBK"]  # substrings of the From address / SMS sender id
    subjects = []                    # optional regexes; any match also selects the rule
    dollar_currency = "MXN"          # optional: what a bare `$` means for this institution

    [[patterns]]
    id = "card_spend"
    regex = '''Card no\\. XX(?P<account>\\d+) \\| (?P<currency>INR) (?P<amount>[\\d,.]+)'''
    direction = "debit"              # optional; else the `direction` group or the lexicon
    instrument = "card"              # optional

Groups: amount (required), currency, direction, merchant, account, balance, reference, date
(the transaction's date as printed; read before any other date in the text). Fields a pattern
does not capture are filled by the generic finders, the same ones the generic extractor uses.
A sender that matches but no pattern that matches falls back to the generic extractor (with
the rule's `$` hint). A file with an unknown key, a regex that does not compile or has no
`amount` group is an error at load time, naming the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fincoach.parsing.fields import find_account, find_merchant, find_reference
from fincoach.parsing.generic import Found, find_balance, instrument_of
from fincoach.parsing.lexicon import Lexicon
from fincoach.parsing.money import currency_of, find_money, parse_number
from fincoach.parsing.types import Direction, Instrument

_FLAGS = re.IGNORECASE
_CREDIT_WORDS = re.compile(r"credit|cr\b|received|deposit|refund|abono", re.IGNORECASE)
_GROUPS = frozenset(
    {"amount", "currency", "direction", "merchant", "account", "balance", "reference", "date"}
)


class PatternSpec(BaseModel):
    """One `[[patterns]]` entry of a rule file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    regex: str
    direction: Direction | None = None
    instrument: Instrument | None = None

    @field_validator("regex")
    @classmethod
    def _compiles_with_amount(cls, regex: str) -> str:
        try:
            groups = set(re.compile(regex, _FLAGS).groupindex)
        except re.error as error:
            raise ValueError(f"regex does not compile: {error}") from error
        if "amount" not in groups:
            raise ValueError("regex has no `amount` group")
        unknown = groups - _GROUPS
        if unknown:
            raise ValueError(f"unknown groups {sorted(unknown)}; known: {sorted(_GROUPS)}")
        return regex


class RuleFile(BaseModel):
    """A `rules/<institution>.toml` file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    senders: list[str] = []
    subjects: list[str] = []
    dollar_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    patterns: list[PatternSpec] = []


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


def compile_rule(data: dict[str, object], source: str) -> Rule:
    """A validated, compiled rule; ValueError naming `source` and the problem otherwise."""
    try:
        spec = RuleFile.model_validate(data)
    except ValidationError as error:
        raise ValueError(f"parsing/rules/{source}: {error}") from error
    return Rule(
        id=spec.id,
        name=spec.name or spec.id,
        senders=tuple(s.lower() for s in spec.senders),
        subjects=tuple(re.compile(s, _FLAGS) for s in spec.subjects),
        dollar_currency=spec.dollar_currency,
        patterns=tuple(
            Pattern(p.id, re.compile(p.regex, _FLAGS), p.direction, p.instrument)
            for p in spec.patterns
        ),
    )


@cache
def rules() -> tuple[Rule, ...]:
    """Every rule file, in file-name order (so the order is stable)."""
    folder = resources.files("fincoach.parsing").joinpath("rules")
    loaded = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            loaded.append(compile_rule(tomllib.loads(entry.read_text("utf-8")), entry.name))
    ids = [r.id for r in loaded]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate rule ids in parsing/rules")
    return tuple(loaded)


def rules_for(sender: str | None, subject: str | None) -> tuple[Rule, ...]:
    key = (sender or "").lower()
    subj = subject or ""
    return tuple(r for r in rules() if r.matches(key, subj))


def extract_with_rules(
    lex: Lexicon, text: str, matched: tuple[Rule, ...]
) -> tuple[Found, str] | None:
    """The first pattern of the matched rules that reads a transaction, with its id
    ("axis.card_spend_pipes"), or None."""
    for rule in matched:
        for pattern in rule.patterns:
            m = pattern.regex.search(text)
            if m is not None:
                found = from_rule(lex, rule, pattern, m, text)
                if found is not None:
                    return found, f"{rule.id}.{pattern.id}"
    return None


def _direction(lex: Lexicon, pattern: Pattern, m: re.Match[str], text: str) -> Direction:
    if pattern.direction is not None:
        return pattern.direction
    word = m.groupdict().get("direction")
    if word:
        return Direction.CREDIT if _CREDIT_WORDS.match(word) else Direction.DEBIT
    verbs = lex.verbs(lex.blank(text[max(0, m.start() - 100) : m.end()]))
    return verbs[0].direction if verbs else Direction.DEBIT


def from_rule(
    lex: Lexicon, rule: Rule, pattern: Pattern, m: re.Match[str], text: str
) -> Found | None:
    """The transaction one pattern's match reports; the fields it does not capture come from
    the generic finders. None when the amount cannot be read or is not positive."""
    groups = {k: v for k, v in m.groupdict().items() if v}
    currency = None
    if "currency" in groups:
        currency = currency_of(groups["currency"].strip(), text, rule.dollar_currency)
    amount = parse_number(groups.get("amount", ""), currency)
    if amount is None or amount <= 0:
        return None
    direction = _direction(lex, pattern, m, text)
    if currency is None:
        marked = [x for x in find_money(m.group(0), dollar_hint=rule.dollar_currency) if x.marked]
        currency = marked[0].currency if marked else None
    if "balance" in groups:
        balance = parse_number(groups["balance"], currency)
    else:
        moneys = find_money(text, dollar_hint=rule.dollar_currency)
        chosen = next((x for x in moneys if x.start <= m.start("amount") < x.end), None)
        balance = find_balance(lex, text, moneys, chosen) if chosen else None
    region = text[max(0, m.start() - 200) : m.end() + 300]
    merchant = groups.get("merchant")
    return Found(
        amount=amount,
        currency=currency,
        direction=direction,
        merchant=(
            merchant.strip(" .,;:-_")
            if merchant
            else find_merchant(text, direction, m.start("amount"), lex.fields)
        ),
        account=(groups.get("account") or "")[-4:] or find_account(region, lex.fields, direction),
        reference=groups.get("reference") or find_reference(region, lex.fields),
        balance=balance,
        instrument=pattern.instrument or instrument_of(region, lex),
        anchor=m.start("amount"),
        confidence=0.95,
        date_text=groups.get("date"),
    )
