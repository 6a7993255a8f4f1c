"""Messages that report several transactions: one row per movement, each with its own amount.

Two layouts are common at every bank and merchant:
- an activity list, each row a date, a descriptor and an amount ("Jun 10 TRADER JOE S #552
  $52.52"), as in card-activity digests;
- labelled movements ("Refund: ... -$12.00", "Charge: ... $30.00"), as in exchange receipts
  and reversal notices.

A receipt's item lines are not movements: a list whose message also prints a total (order
total, grand total...) is one purchase, left to the single-amount extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fincoach.parsing.money import Money
from fincoach.parsing.types import Direction

MIN_ROWS = 2
_MAX_ROWS = 12

_DATE_ROW = re.compile(
    r"^(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d{2}-\d{2}|"
    r"(?-i:[A-Z][a-z]{2,3})\.? \d{1,2}(?:, \d{4})?|\d{1,2} (?-i:[A-Z][a-z]{2,3})\.?(?: \d{4})?)"
    r"\s+(?P<desc>[A-Za-z*#&'][^\n]{1,60})$",
    re.IGNORECASE,
)
_KEYWORD_ROW = re.compile(
    r"^(?P<kw>refund(?:ed)?|reversal|reversed|cash ?back|credit(?:ed)?|deposit|"
    r"charge(?:d)?|debit(?:ed)?|purchase|payment|withdrawal|reembolso|devoluci[oó]n|cargo|"
    r"compra|estorno|erstattung|gutschrift|belastung|remboursement)\b\s*[:\-–]?\s*"
    r"(?P<desc>[^\n]{0,80})$",
    re.IGNORECASE,
)
_CREDIT_KEYWORD = re.compile(
    r"^(?:refund|reversal|reversed|cash ?back|credit|deposit|reembolso|devoluci|estorno|"
    r"erstattung|gutschrift|remboursement)",
    re.IGNORECASE,
)
_TOTAL = re.compile(
    r"\b(?:total|subtotal|sub-total|grand total|amount due|tax|vat|gst|tip|importe total|"
    r"gesamt|summe)\b",
    re.IGNORECASE,
)
# Figures beside the movements (balance, limit, fees, savings): skipped, they are no rows.
_ASIDE = re.compile(
    r"\b(?:balance|bal|available|avl|limit|saldo|fee|fees|discount|savings|points)\b",
    re.IGNORECASE,
)
_BARE_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d{2}-\d{2}")
_PRICE_ONLY = re.compile(r"^[\s\-−+(]*$")


@dataclass(frozen=True, slots=True)
class Row:
    money: Money
    direction: Direction
    descriptor: str | None  # the merchant as the row prints it (activity lists only)


def _label(text: str, money: Money) -> str:
    """The row's words: the text before the amount on its line, else the previous line."""
    line_start = text.rfind("\n", 0, money.start) + 1
    label = text[line_start : money.start]
    if _PRICE_ONLY.match(label) and line_start:
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        label = text[prev_start : line_start - 1]
        # a table's cells, one per line: "12.03.2026" / "DROGERIE LINDNER" / "-12,90 EUR"
        if prev_start and not _DATE_ROW.match(label):
            date_start = text.rfind("\n", 0, prev_start - 1) + 1
            date = text[date_start : prev_start - 1].strip()
            if _BARE_DATE.fullmatch(date):
                label = f"{date} {label.strip()}"
    return label.strip(" \t-−:|")


def find_rows(text: str, moneys: list[Money]) -> list[Row]:
    """The movements of a multi-transaction message, in order; [] when it reports at most one."""
    marked = [m for m in moneys if m.marked and m.amount > 0]
    if len(marked) < MIN_ROWS:
        return []
    rows: list[Row] = []
    for money in marked[: _MAX_ROWS * 2]:
        label = _label(text, money)
        if _TOTAL.search(label):
            return []  # a receipt with a total, or a statement: one figure matters
        if _ASIDE.search(label):
            continue
        dated = _DATE_ROW.match(label)
        if dated:
            desc = dated.group("desc").strip()
            direction = Direction.CREDIT if money.negative else Direction.DEBIT
            rows.append(Row(money, direction, desc))
            continue
        keyword = _KEYWORD_ROW.match(label)
        if keyword:
            credit = money.negative or _CREDIT_KEYWORD.match(keyword.group("kw"))
            rows.append(Row(money, Direction.CREDIT if credit else Direction.DEBIT, None))
    if not MIN_ROWS <= len(rows) <= _MAX_ROWS:
        return []
    return _signs_by_majority(rows)


def _signs_by_majority(rows: list[Row]) -> list[Row]:
    """A sign marks the rarer kind of movement. A card's activity prints refunds as "-$12.00"
    among plain charges; a bank account's list prints its debits as "-12,90 EUR": when most
    dated rows are negative, negative is money out and unsigned is money in."""
    dated = [r for r in rows if r.descriptor is not None]
    if sum(r.money.negative for r in dated) * 2 <= len(dated):
        return rows
    flipped = {
        id(r): Row(
            r.money, Direction.CREDIT if not r.money.negative else Direction.DEBIT, r.descriptor
        )
        for r in dated
    }
    return [flipped.get(id(r), r) for r in rows]
