"""Gmail's search language (the `q` of messages.list), the subset a mail-sync client relies on.

Grammar as Gmail reads it: terms joined by implicit AND; `OR` binds tighter than AND
(`a b OR c` is `a AND (b OR c)`); `-` negates a term or a group; parentheses group.
Operators: after:/before: (epoch seconds or a date read as midnight America/Los_Angeles),
newer_than:/older_than: (Nd, Nm, Ny), from:, to:, subject:, category:, label:, in:, is:, and bare
words (matched case-insensitively in subject, sender and the raw message).
`after:` is inclusive and `before:` exclusive, so consecutive windows never overlap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fincoach.mail.gmail_emulator.store import MailRecord

_PACIFIC = ZoneInfo("America/Los_Angeles")
_TOKEN = re.compile(r'\s*(?:(\()|(\))|(-)(?=\()|(-)?([A-Za-z_]+:)?("[^"]*"|[^\s()"]+))')
_RELATIVE = re.compile(r"^(\d+)([dmy])$")
_CATEGORIES = {
    "primary": "CATEGORY_PERSONAL",
    "personal": "CATEGORY_PERSONAL",
    "social": "CATEGORY_SOCIAL",
    "promotions": "CATEGORY_PROMOTIONS",
    "updates": "CATEGORY_UPDATES",
    "forums": "CATEGORY_FORUMS",
}
_IS = {"unread": "UNREAD", "starred": "STARRED", "important": "IMPORTANT", "read": "!UNREAD"}


class QueryError(ValueError):
    """The query cannot be read; the message names the operator, never message content."""


class Candidate:
    """A message under test: the date is cheap, the record is built only if a term needs it."""

    __slots__ = ("_load", "_record", "date_ms")

    def __init__(self, date_ms: int, load: Callable[[], MailRecord]) -> None:
        self.date_ms = date_ms
        self._load = load
        self._record: MailRecord | None = None

    @property
    def record(self) -> MailRecord:
        if self._record is None:
            self._record = self._load()
        return self._record


Predicate = Callable[[Candidate], bool]


@dataclass(slots=True)
class Query:
    """A compiled query: a predicate, and the date window it implies (for binary search)."""

    matches: Predicate
    needs_record: bool
    after_ms: int | None = None  # inclusive lower bound implied by top-level terms
    before_ms: int | None = None  # exclusive upper bound


@dataclass(slots=True)
class _Node:
    kind: str  # "and" | "or" | "not" | "term"
    children: list[_Node] = field(default_factory=list)
    op: str = ""
    value: str = ""


def parse_date(value: str) -> int:
    """A q date as epoch milliseconds: epoch seconds, or a calendar date at Pacific midnight."""
    if value.isdigit():
        return int(value) * 1000
    for fmt in ("%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            day = datetime.strptime(value, fmt)  # noqa: DTZ007 - zone set on the next line
        except ValueError:
            continue
        return int(day.replace(tzinfo=_PACIFIC).timestamp() * 1000)
    raise QueryError("invalid date in after:/before:")


def _months_ago(now: datetime, months: int) -> datetime:
    total = now.year * 12 + (now.month - 1) - months
    year, month = divmod(total, 12)
    day = min(
        now.day, [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    )
    return now.replace(year=year, month=month + 1, day=day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def parse_relative(value: str, now: datetime) -> int:
    match = _RELATIVE.match(value)
    if not match:
        raise QueryError("invalid newer_than:/older_than: (use Nd, Nm or Ny)")
    amount, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        moment = now - timedelta(days=amount)
    else:
        moment = _months_ago(now, amount * (12 if unit == "y" else 1))
    return int(moment.timestamp() * 1000)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, str]] = []  # (kind, op, value)
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise QueryError("unreadable query")
            pos = match.end()
            lpar, rpar, group_neg, neg, op, value = match.groups()
            if lpar:
                self.tokens.append(("(", "", ""))
            elif rpar:
                self.tokens.append((")", "", ""))
            elif group_neg:
                self.tokens.append(("-", "", ""))
            else:
                if neg:
                    self.tokens.append(("-", "", ""))
                if op is None and value in ("OR", "|", "AND"):
                    self.tokens.append((value.replace("|", "OR"), "", ""))
                else:
                    self.tokens.append(("term", (op or "").rstrip(":").lower(), value.strip('"')))
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse(self) -> _Node:
        node = self.and_expr()
        if self.peek() is not None:
            raise QueryError("unbalanced parentheses")
        return node

    def and_expr(self) -> _Node:
        children: list[_Node] = []
        while self.peek() not in (None, ")"):
            if self.peek() == "AND":
                self.pos += 1
                continue
            children.append(self.or_expr())
        if not children:
            raise QueryError("empty group")
        return children[0] if len(children) == 1 else _Node("and", children)

    def or_expr(self) -> _Node:
        children = [self.unary()]
        while self.peek() == "OR":
            self.pos += 1
            children.append(self.unary())
        return children[0] if len(children) == 1 else _Node("or", children)

    def unary(self) -> _Node:
        kind = self.peek()
        if kind == "-":
            self.pos += 1
            return _Node("not", [self.unary()])
        if kind == "(":
            self.pos += 1
            node = self.and_expr()
            if self.peek() != ")":
                raise QueryError("unbalanced parentheses")
            self.pos += 1
            return node
        if kind == "term":
            _, op, value = self.tokens[self.pos]
            self.pos += 1
            return _Node("term", op=op, value=value)
        raise QueryError("misplaced operator")


def _label_of(op: str, value: str) -> str:
    lowered = value.lower()
    if op == "category":
        if lowered not in _CATEGORIES:
            raise QueryError("unknown category")
        return _CATEGORIES[lowered]
    if op == "is":
        if lowered not in _IS:
            raise QueryError("unsupported is: value")
        return _IS[lowered]
    return value.upper()


def _has_label(label: str) -> Predicate:
    if label.startswith("!"):
        wanted = label[1:]
        return lambda c: wanted not in c.record.labels
    return lambda c: label in c.record.labels


def _contains(getter: Callable[[MailRecord], str], needle: str) -> Predicate:
    needle = needle.lower()
    return lambda c: needle in getter(c.record).lower()


def _header(raw: bytes, name: bytes) -> str:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line[: len(name) + 1].lower() == name + b":":
            return line[len(name) + 1 :].decode("latin-1").strip()
    return ""


def _compile(node: _Node, now: datetime) -> tuple[Predicate, bool]:
    """The node's predicate, and whether it needs the message record (not only its date)."""
    if node.kind in ("and", "or"):
        parts = [_compile(child, now) for child in node.children]
        preds = [p for p, _ in parts]
        needs = any(n for _, n in parts)
        if node.kind == "and":
            return (lambda c: all(p(c) for p in preds)), needs
        return (lambda c: any(p(c) for p in preds)), needs
    if node.kind == "not":
        inner, needs = _compile(node.children[0], now)
        return (lambda c: not inner(c)), needs
    op, value = node.op, node.value
    if op in ("after", "newer_than"):
        bound = parse_date(value) if op == "after" else parse_relative(value, now)
        return (lambda c: c.date_ms >= bound), False
    if op in ("before", "older_than"):
        bound = parse_date(value) if op == "before" else parse_relative(value, now)
        return (lambda c: c.date_ms < bound), False
    if op == "from":
        return _contains(lambda r: r.sender, value), True
    if op == "subject":
        return _contains(lambda r: r.subject, value), True
    if op == "to":
        return _contains(lambda r: _header(r.raw, b"to"), value), True
    if op in ("category", "label", "in", "is"):
        return _has_label(_label_of(op, value)), True
    if op == "":
        needle = value.lower()
        return (
            lambda c: (
                needle in c.record.subject.lower()
                or needle in c.record.sender.lower()
                or needle.encode() in c.record.raw.lower()
            )
        ), True
    raise QueryError(f"unsupported operator {op}:")


def _bounds(node: _Node, now: datetime) -> tuple[int | None, int | None]:
    """The date window implied by the top-level AND: lets the list binary-search by date."""
    terms = node.children if node.kind == "and" else [node]
    after: int | None = None
    before: int | None = None
    for term in terms:
        if term.kind != "term":
            continue
        if term.op in ("after", "newer_than"):
            bound = (
                parse_date(term.value) if term.op == "after" else parse_relative(term.value, now)
            )
            after = bound if after is None else max(after, bound)
        elif term.op in ("before", "older_than"):
            bound = (
                parse_date(term.value) if term.op == "before" else parse_relative(term.value, now)
            )
            before = bound if before is None else min(before, bound)
    return after, before


def compile_query(text: str | None, *, now: datetime | None = None) -> Query | None:
    """Compile `q`; None for an empty query (everything matches)."""
    if not text or not text.strip():
        return None
    now = now or datetime.now(UTC)
    tree = _Parser(text).parse()
    matches, needs = _compile(tree, now)
    after, before = _bounds(tree, now)
    return Query(matches=matches, needs_record=needs, after_ms=after, before_ms=before)
