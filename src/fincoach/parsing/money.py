"""Money in every notation: currency markers, digit grouping and scripts, signs.

Amounts are read into `Decimal` only; a float never touches money. How it works:

- Numbers are found first (`numerals.RUN`: digits of any script joined by single separators);
  a text with no digit costs one regex search.
- Around each number, a currency marker is looked up in the currency table (`currencies.py`:
  ISO codes, every CLDR symbol and display name, and the bank abbreviations of
  `currency_marks.toml`) by exact dictionary lookups of the few lengths markers have, before
  the number (`Rs.`, `US$`, `N`, `人民币`) and after it (`円`, `บาท`, `ر.س`, `т`, `MT`).
  Markers in scripts written with spaces must not touch a letter; CJK and Thai ones may.
- An ambiguous marker is resolved from the message's evidence (`evidence.py`).
- The number is read with the currency's minor units and conventions (`numerals.py`).
- Signs: a leading `-`/`−`/`+`, a trailing `-` ("1,100,000-"), parentheses, and `DR`/`CR`
  (`Dr.`/`Cr.`) after the amount, exposed as `negative` and `dr_cr` for the caller to use.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from fincoach.parsing.currencies import MARKERS, NAMES, conventions_of, digits_of
from fincoach.parsing.evidence import Evidence, country_of_sender
from fincoach.parsing.markers import GAP, Mark, letter, prefix_mark, suffix_mark
from fincoach.parsing.numerals import RUN, ascii_digits, decimal_mark, read_run

ISO_CODES = frozenset(code for code, marker in MARKERS.items() if marker.code)

_DIGIT = re.compile(r"\d")
_MINUS = "-−–"
_CRORE = frozenset([None, "INR", "PKR", "NPR", "LKR", "BDT"])  # where "Cr" counts crores
_DR_CR = re.compile(r" ?(DR|CR|Dr|Cr|dr|cr)\.?(?![^\W\d_])")
# "$4.2 billion", "₹1,500 crore": figures in a story, never one person's transaction.
_MAGNITUDE = re.compile(r" ?(?:(?i:billion|million|trillion|bn|mn|crores?|lakhs?)\b|[BMK]\b)")
# Amounts printed without a currency but named by a label or a verb ("Monto: 1,000.00",
# "debited by 185.0", "purchase of 500.00"): the pattern reads the text just before a number.
_LABELLED = re.compile(
    r"(?i:\b(?:amount|amt|monto|importe|valor|total|sum)\b[^\d\n]{0,12}?"
    r"|\b(?:purchase|payment|transaction|txn|withdrawal|deposit) of\s+"
    r"|\b(?:debited|credited|deducted|charged|paid|spent|withdrawn|received)"
    r"(?: (?:by|with|for|of))?\s+)(?=[-−+]?\d)"
)


@dataclass(frozen=True, slots=True)
class Money:
    """One amount mentioned in a text, where it is, and what marked it.

    `negative`: written with a minus sign (before or after) or in parentheses.
    `dr_cr`: "DR" or "CR" when a debit/credit suffix follows the amount ("50.00DR", "Cr.").
    `confidence`: 0..1, how sure the reading of both the number and the currency is; low when
    the number could be read two ways or the currency came from a marker's default.
    """

    start: int
    end: int
    amount: Decimal
    currency: str | None
    marked: bool  # a currency symbol, code or word was written next to it
    negative: bool
    confidence: float = 1.0
    dr_cr: str | None = None


def _shaped(run: str) -> bool:
    """Looks like money: grouped or with a decimal part ("1,200.00", "4 150"), not "5" or "1"."""
    return any(not c.isdigit() for c in run)


def _message_decimal(runs: list[re.Match[str]]) -> str | None:
    votes = Counter(mark for r in runs if (mark := decimal_mark(ascii_digits(r.group()))))
    if len(votes) == 1 or (
        len(votes) == 2 and votes.most_common(2)[1][1] * 3 < votes.most_common(1)[0][1]
    ):
        return votes.most_common(1)[0][0]
    return None


def find_money(
    text: str,
    *,
    dollar_hint: str | None = None,
    sender_address: str | None = None,
    hints: dict[str, str] | None = None,
) -> list[Money]:
    """Every amount in the text, in text order: marked ones (a currency written next to them),
    labelled ones ("Amount: 500.00") and signed bare ones ("۲۵۰,۰۰۰-").

    `dollar_hint`: what an ambiguous sign means for this institution (a rule's
    `dollar_currency`); `hints`: the same per marker ({"RS": "BRL"}); `sender_address`: its
    country domain is evidence for ambiguous signs. Never raises on any text.
    """
    if hints is not None:
        return _find_money(text, dollar_hint, sender_address, hints)
    return list(_find_money_once(text, dollar_hint, sender_address))


# The pipeline asks again whether a message with no transaction names an amount at all; for
# most messages that is the same question (same text, hint and sender) extraction asked.
@lru_cache(maxsize=8)
def _find_money_once(
    text: str, dollar_hint: str | None, sender_address: str | None
) -> tuple[Money, ...]:
    return tuple(_find_money(text, dollar_hint, sender_address, None))


def _find_money(
    text: str,
    dollar_hint: str | None,
    sender_address: str | None,
    hints: dict[str, str] | None,
) -> list[Money]:
    if not _DIGIT.search(text):
        return []
    runs = list(RUN.finditer(text))
    evidence = Evidence(text, sender_address=sender_address, hint=dollar_hint, hints=hints)
    context = _Context(text, runs)
    pending: list[tuple[re.Match[str], Mark | None, Mark | None]] = []
    for run in runs:
        start, end = run.span()
        sign_at = _sign_start(text, start)
        trailing = _after_trailing_sign(text, end)
        prefix = prefix_mark(text, sign_at)
        suffix = suffix_mark(text, trailing)
        if prefix and (prefix.marker.shape or "\n" in text[prefix.end : start]):
            prefix = prefix if _shaped(run.group()) else None
        if (
            suffix
            and suffix.marker.shape
            and not (
                _shaped(run.group()) or (suffix.start == run.end() and not suffix.text.isascii())
            )
        ):
            suffix = None
        if not prefix and _inside_word(text, start):
            continue  # "DY648811R", "XX7314": part of a reference, not an amount
        if suffix and suffix.start > end and _next_is_number(text, suffix.end):
            suffix = None  # "5.00 EUR 4.50": the code introduces the next amount
        if not (
            prefix or suffix or _may_stand_alone(text, (sign_at, start, end, trailing), context)
        ):
            continue  # most numbers in a message are dates, times and references
        for mark in (prefix, suffix):
            if mark and not mark.marker.ambiguous:
                evidence.named.add(mark.marker.currencies[0])
        pending.append((run, prefix, suffix))
    found: list[Money] = []
    for run, prefix, suffix in pending:
        money = _money(text, run, prefix, suffix, evidence, context)
        if money is not None:
            found.append(money)
    return found


def _may_stand_alone(text: str, span: tuple[int, int, int, int], context: _Context) -> bool:
    """An unmarked number may still be an amount: signed, in parentheses, followed by DR/CR,
    or named by a label (decided in full by `_money`; this screen only keeps the candidates).
    `span`: where its sign starts, the number starts and ends, and its trailing sign ends."""
    sign_at, start, end, trailing = span
    return (
        sign_at < start
        or trailing > end
        or (sign_at > 0 and text[sign_at - 1] == "(")
        or _DR_CR.match(text, trailing) is not None
        or context.labelled(sign_at)
    )


def _inside_word(text: str, start: int) -> bool:
    return start > 0 and letter(text[start - 1])


def _sign_start(text: str, start: int) -> int:
    if (
        start > 0
        and text[start - 1] in _MINUS + "+"
        and not (start > 1 and text[start - 2].isdigit())
    ):
        return start - 1
    return start


def _after_trailing_sign(text: str, end: int) -> int:
    """Past a trailing sign ("1,100,000-", "250,000- /", "۸۵,۰۰۰,۰۰۰+"), not a dash before a
    word or a number ("15,00,000.00-SBI", "29467.70- Union Bank")."""
    if text[end : end + 1] in (*_MINUS, "+"):  # Iranian banks write "۸۵,۰۰۰,۰۰۰+" for a credit
        following = text[end + 1 : end + 3].lstrip(" ")
        # "۱,۲۵۰,۰۰۰- ریال": a currency word may follow the sign; any other word may not
        if not following or not following[0].isalnum() or suffix_mark(text, end + 1):
            return end + 1
    return end


def _next_is_number(text: str, at: int) -> bool:
    rest = text[at : at + 3].lstrip(GAP + ":")
    return bool(rest) and rest[0].isdigit()


def _currency(
    prefix: Mark | None, suffix: Mark | None, evidence: Evidence
) -> tuple[str | None, float, bool]:
    """(currency, confidence, marked) from the markers around a number."""
    resolved = [
        (mark, r)
        for mark in (prefix, suffix)
        if mark and (r := evidence.resolve(mark.text, mark.marker))
    ]
    if not resolved:
        return None, 1.0, False
    # a precise marker after an ambiguous one decides it: "$2,754.00 MN", "$5.00 MXN"
    resolved.sort(key=lambda mr: (mr[0].marker.ambiguous, mr[0] is suffix))
    _mark, (currency, confidence) = resolved[0]
    return currency, confidence, True


def _money(
    text: str,
    run: re.Match[str],
    prefix: Mark | None,
    suffix: Mark | None,
    evidence: Evidence,
    context: _Context,
) -> Money | None:
    start, end = run.start(), run.end()
    raw = run.group()
    sign_at = _sign_start(text, start)
    negative = sign_at < start and text[sign_at] in _MINUS
    head = prefix.start if prefix else sign_at
    negative = negative or (head > 0 and text[head - 1] in _MINUS + "(")
    trailing = _after_trailing_sign(text, end)
    tail = suffix.end if suffix else trailing
    if _MAGNITUDE.match(text, tail):
        return None
    dr_cr = None
    currency, confidence, marked = _currency(prefix, suffix, evidence)
    if drcr := _DR_CR.match(text, tail):
        word = drcr.group(1)
        glued = not drcr.group().startswith(" ")
        crore = (glued or not _decimal_tail(raw)) and not drcr.group().endswith(".")
        if word in ("cr", "Cr") and crore and currency in _CRORE:
            return None  # "Rs 500 Cr", "(12.07Cr)": crores, a figure in a story
        dr_cr, tail = word.upper(), drcr.end()
    if marked and not suffix and not dr_cr and end < len(text) and letter(text[end]):
        return None  # "KD779064T": a reference that happens to hold a marker
    if not marked:
        # an unmarked number is an amount only when labelled, signed or followed by DR/CR
        signed = (negative or trailing > end) and _shaped(raw)
        if not (signed or dr_cr or context.labelled(sign_at)) or _glued(text, head, tail):
            return None
        currency, confidence = evidence.implied()
    spaced = " " in raw
    if spaced and not (
        suffix or conventions_of(currency).spaced or _decimal_tail(raw, digits_of(currency))
    ):
        raw = raw.split(" ", 1)[0]  # "Rs 500 123": the amount ends at the space
        end = trailing = tail = start + len(raw)
    reading = read_run(
        raw, digits=digits_of(currency), conventions=conventions_of(currency),
        message_decimal=context.decimal,
    )  # fmt: skip
    if reading is None and spaced and suffix:
        cut = raw.rfind(" ") + 1  # "2026 500 ₽": the amount starts after the last space
        raw, start = raw[cut:], start + cut
        head = start if prefix is None else head
        reading = read_run(raw, digits=digits_of(currency), conventions=conventions_of(currency))
    if reading is None:
        return None
    negative = negative or (trailing > end and text[end] in _MINUS)
    return Money(
        min(head, start), max(tail, end), reading.value, currency, marked, negative,
        min(confidence, reading.confidence), dr_cr,
    )  # fmt: skip


class _Context:
    """What the whole message says about its numbers, computed once and only when needed."""

    def __init__(self, text: str, runs: list[re.Match[str]]) -> None:
        self.text = text
        self.runs = runs
        self._decimal: tuple[str | None] | None = None
        self._labelled: set[int] | None = None

    def decimal(self) -> str | None:
        """The decimal mark the message's numbers show beyond doubt, if they agree."""
        if self._decimal is None:
            self._decimal = (_message_decimal(self.runs) if len(self.runs) > 1 else None,)
        return self._decimal[0]

    def labelled(self, start: int) -> bool:
        """A label or verb names the number starting at `start` ("Amount: 500"). One pass over
        the text finds every label (cheaper than a search before each number)."""
        if self._labelled is None:
            self._labelled = {m.end() for m in _LABELLED.finditer(self.text)}
        return start in self._labelled


def _decimal_tail(run: str, digits: int | None = 2) -> bool:
    """The run ends in a decimal part ("1 234,56"): its spaces then group thousands."""
    last = run.rsplit(" ", 1)[-1]
    places = max(2, digits or 0)
    return bool(re.search(rf"[.,٫]\d{{1,{places}}}$", last))


def _glued(text: str, head: int, tail: int) -> bool:
    """An unmarked number inside a word or followed by a percent sign is no amount."""
    before = text[head - 1] if head > 0 else " "
    after = text[tail] if tail < len(text) else " "
    return before.isalnum() or after.isalnum() or after == "%"


def parse_number(text: str, currency: str | None = None) -> Decimal | None:
    """Read a printed number (any grouping, separators and digit script) as a Decimal, or None.

    `currency` (an ISO code) gives the minor units and conventions that decide between a
    decimal and a thousands separator: `parse_number("12.500", "KWD")` is 12.500, while
    `parse_number("1.234", "EUR")` is 1234.
    """
    s = text.strip().strip(".,'")
    if not s or not RUN.fullmatch(s):
        s = re.sub(r"[\s'’]", "", s)
        if not RUN.fullmatch(s):
            return None
    reading = read_run(s, digits=digits_of(currency), conventions=conventions_of(currency))
    if reading is None:
        return None
    return reading.value


def currency_of(
    marker: str,
    context: str = "",
    dollar_hint: str | None = None,
    *,
    sender_address: str | None = None,
    hints: dict[str, str] | None = None,
) -> str | None:
    """ISO code for a marker as printed (a code, symbol or local word), resolving ambiguous
    ones from the context, the sender's country and the institution's hint. None when the
    marker is unknown or its meaning cannot be told."""
    text = marker.strip()
    found = MARKERS.get(text) or NAMES.get(text.lower())
    if found is None:
        return None
    resolved = Evidence(
        context, sender_address=sender_address, hint=dollar_hint, hints=hints
    ).resolve(text, found)
    return resolved[0] if resolved else None


def dollar_for_sender(address: str | None) -> str | None:
    """The currency a bare `$` stands for, from the sender's country domain (`.mx`, `.cl`...)."""
    if country_of_sender(address) is None:
        return None
    evidence = Evidence("", sender_address=address)
    local = [c for c in MARKERS["$"].currencies if evidence.is_local(c)]
    return local[0] if len(local) == 1 else None


def format_amount(amount: Decimal, currency: str | None = None) -> str:
    """Plain decimal string for JSON and exports: no exponent, no grouping, written at the
    currency's precision when that is exact (JPY "1280", KWD "12.500", USD "9.17"); an amount
    with more digits than its currency has keeps them all rather than being rounded. Without a
    (known) currency, it is written with two decimals ("1177.5400" -> "1177.54")."""
    places = digits_of(currency)
    if places is None:
        places = 2  # no currency, or one ISO 4217 does not know: cents, as most currencies
    quantum = Decimal(1).scaleb(-places)
    rounded = amount.quantize(quantum) if amount.is_finite() else amount
    if rounded == amount:
        return format(rounded, "f")
    return format(amount.normalize(), "f")
