"""The generic extractor: finds a transaction in any institution's wording, without a rule.

How it decides, in order:
1. A hard negative (an OTP, a declined or failed payment) rejects the message (screened once
   per message: before institution rules when one matches, else here).
2. Every amount in the text is scored: a currency marker, a nearby completed-movement verb
   ("debited", "sent you", "abono") and a label ("Amount:", "Order total") raise it; a balance,
   limit, fee or unit-price context lowers it. The best one is the transaction amount.
3. The direction comes from the verb nearest to that amount (strong verbs before weak nouns).
4. The message is accepted when enough independent evidence agrees (verb, marked amount,
   account, counterparty, receipt wording) after soft negatives (future tense, reminders,
   mandates, statements, promotions) are subtracted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from fincoach.parsing.fields import find_account, find_merchant, find_reference
from fincoach.parsing.language_data import evidence_weights, evidence_words
from fincoach.parsing.layout import merchant_by_layout
from fincoach.parsing.lexicon import Lexicon, Verb, lexicon_for
from fincoach.parsing.money import Money, find_money, parse_number
from fincoach.parsing.rows import Row, find_rows
from fincoach.parsing.types import Direction, Instrument

_WEIGHTS = evidence_weights()["single"]
ACCEPT_SCORE = _WEIGHTS["accept"]
_VERB_WINDOW = 200
_HEAD = 3000  # hard negatives and receipt hints are read in the first part of the text only
_HEADLINE = 400  # the subject and the first lines: what the message is about
_MAX_AMOUNTS = 30  # the transaction amount comes early; long receipts list dozens of prices

_RECEIPT = evidence_words()["words"]["receipt"]
_NOTICE = evidence_words()["words"]["notice"]
_ACTIVITY = evidence_words()["words"]["activity"]
_BIG_TOTAL = re.compile(
    r"\b(?:order total|grand total|total charged|amount paid|total paid|payment amount|"
    r"importe|monto|total a pagar|valor total|amount)\b\W*$",
    re.IGNORECASE,
)
_INSTRUMENTS = tuple(
    (pattern, Instrument(name)) for name, pattern in evidence_words()["instruments"].items()
)


@dataclass(frozen=True, slots=True)
class Found:
    amount: Decimal
    currency: str | None
    direction: Direction
    merchant: str | None
    account: str | None
    reference: str | None
    balance: Decimal | None
    instrument: Instrument
    anchor: int
    confidence: float
    date_text: str | None = None  # the date as a rule's `date` group captured it


def _receipt_or_notice(head: str) -> bool:
    return _RECEIPT.search(head) is not None or _NOTICE.search(head) is not None


def _verbs_near(lex: Lexicon, text: str, moneys: list[Money]) -> list[Verb]:
    """Verbs only matter near an amount: read the merged windows around the candidates, not
    the whole text (long receipts are mostly item lists and small print)."""
    spans: list[list[int]] = []
    for money in moneys:
        lo, hi = max(0, money.start - _VERB_WINDOW - 40), money.end + _VERB_WINDOW + 40
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    found: list[Verb] = []
    for lo, hi in spans:
        found.extend(lex.verbs(lex.blank(text[lo:hi]), offset=lo))
    return found


_NEXT_LINE = 60


def _nearest(text: str, verbs: list[Verb], start: int, end: int, *, strong: bool) -> Verb | None:
    """The (strong or weak) verb nearest to the amount at `start`..`end`, within reach."""
    best: tuple[int, Verb] | None = None
    for v in verbs:
        if v.strong != strong:
            continue
        distance = start - v.end if v.end <= start else v.start - end
        distance = max(distance, 0)
        if v.start >= end and "\n" in text[end : v.start]:
            # a word on a later line labels what follows it, not this amount
            distance += _NEXT_LINE
        if distance <= _VERB_WINDOW and (best is None or distance < best[0]):
            best = (distance, v)
    return best[1] if best else None


def label_before(text: str, start: int, width: int = 30) -> str:
    """What labels an amount: the text before it on its line, or the previous line when the
    amount starts its line (HTML tables put "Total" and "$9.99" in separate cells)."""
    line_start = text.rfind("\n", max(0, start - 200), start) + 1
    same_line = text[line_start:start]
    if line_start and not any(c.isalpha() for c in same_line):
        prev_start = text.rfind("\n", max(0, line_start - 201), line_start - 1) + 1
        same_line = text[prev_start:start]
    return same_line[-width:]


_MASKED_NUMBER = re.compile(r"(?:[xX*•]{2,}|\.{2,4})\d{3,}")


def _is_balance(lex: Lexicon, text: str, money: Money) -> bool:
    """A balance, limit or due figure, by its label ("Bal:", "Avl Limit", "余额"), or by the
    phrase of a balance notice before it in its sentence ("o saldo da sua conta ... é de")."""
    label = label_before(text, money.start)
    ends = [m.end() for m in lex.balance.finditer(label)]
    # "Biến động số dư TK ...3456: -350.000": the balance word names the alert, the account
    # number after it separates it from the amount
    if ends and not _MASKED_NUMBER.search(label, ends[-1]):
        return True
    sentence = text[max(0, money.start - 80) : money.start]
    cut = max(sentence.rfind(". "), sentence.rfind("\n"))
    return lex.balance_notice.search(sentence[cut + 1 :]) is not None


def _amount_score(lex: Lexicon, text: str, money: Money, verbs: list[Verb]) -> float:
    score = 2.0 if money.marked else 0.0
    before = label_before(text, money.start, 24)
    if _is_balance(lex, text, money):
        score -= 6
    elif lex.fee.search(before):
        score -= 3
    if lex.minor.search(before):
        score -= 1
    if _BIG_TOTAL.search(before):
        score += 3
    elif lex.label.search(before):
        score += 1
    strong = _nearest(text, verbs, money.start, money.end, strong=True)
    if strong is not None:
        distance = max(strong.start - money.end, money.start - strong.end, 0)
        score += 3 * (1 - distance / (_VERB_WINDOW * 1.5))
    weak = _nearest(text, verbs, money.start, money.end, strong=False)
    if weak is not None:
        distance = max(weak.start - money.end, money.start - weak.end, 0)
        score += 1 * (1 - distance / (_VERB_WINDOW * 1.5))
    if money.amount == 0:
        score -= 5
    return score - money.start / 20_000


def instrument_of(text: str, lex: Lexicon | None = None) -> Instrument:
    """How the money moved, from the instrument words in the text (card, UPI, transfer...),
    else from the kind of movement the language names (a withdrawal, a transfer...)."""
    for pattern, instrument in _INSTRUMENTS:
        if pattern.search(text):
            return instrument
    kind = lex.kind_of(text) if lex is not None else None
    return _KIND_INSTRUMENTS.get(kind or "", Instrument.OTHER)


_KIND_INSTRUMENTS = {
    "withdrawal": Instrument.CASH_WITHDRAWAL,
    "transfer": Instrument.BANK_TRANSFER,
    "purchase": Instrument.CARD,
}
# A figure printed after a balance label without a currency ("余额2,041.77").
_BARE_NUMBER = re.compile(r"\s*[:：]?\s*(?P<num>[-−]?\d[\d,.' \u00a0\u202f]*\d|\d)")


def _is_limit(lex: Lexicon, label: str) -> bool:
    """The label names a limit ("Avl Limit", "available credit"), not a balance: the limit
    word comes last."""
    limits = [m.end() for m in lex.limit.finditer(label)]
    if not limits:
        return False
    balances = [m.end() for m in lex.balance_value.finditer(label)]
    return not balances or limits[-1] >= balances[-1]


def find_balance(lex: Lexicon, text: str, moneys: list[Money], chosen: Money) -> Decimal | None:
    """The balance the message reports beside the transaction: the amount labelled a balance
    (after the transaction's own amount first); an available or credit limit is never one."""
    for money in sorted(moneys, key=lambda m: (m.start < chosen.start, m.start)):
        if money is chosen:
            continue
        label = label_before(text, money.start)
        if lex.balance_value.search(label) and not _is_limit(lex, label):
            return money.amount
    # a balance written without a currency
    for m in lex.balance_value.finditer(text, chosen.end, chosen.end + 300):
        bare = _BARE_NUMBER.match(text, m.end())
        if bare is None or _is_limit(lex, text[max(0, m.start() - 20) : m.end()]):
            continue
        if any(x.start <= bare.start("num") < x.end for x in moneys):
            continue
        value = parse_number(bare.group("num").lstrip("-−"), chosen.currency)
        if value is not None:
            return -value if bare.group("num")[0] in "-−" else value
    return None


def extract(
    text: str, *, dollar_hint: str | None = None, sender_address: str | None = None
) -> Found | None:
    """The transaction the text reports (the first when it reports several), or None."""
    found = extract_all(text, dollar_hint=dollar_hint, sender_address=sender_address)
    return found[0] if found else None


def extract_all(
    text: str,
    *,
    dollar_hint: str | None = None,
    sender_address: str | None = None,
    lex: Lexicon | None = None,
    screened: bool = False,
) -> list[Found]:
    """Every transaction the text reports, in order of appearance; [] when it reports none.

    A hard negative (an OTP, a declined payment: `Lexicon.rejects`) reports none; the screen
    runs once per message, here unless the caller already ran it (`screened`)."""
    # the sender's domain is evidence for an ambiguous sign ("Rs", "$", "kr")
    moneys = find_money(text, dollar_hint=dollar_hint, sender_address=sender_address)
    moneys = moneys[:_MAX_AMOUNTS]
    # cheap screen first: most ordinary mail names no amount at all
    if not moneys:
        return []
    lex = lex or lexicon_for(text)
    if not screened and lex.rejects(text[:_HEAD]):
        return []
    rows = find_rows(text, moneys)
    if rows:
        listed = _from_rows(lex, text, rows)
        if listed:
            return listed
    single = _single(lex, text, moneys)
    return [single] if single is not None else []


def _from_rows(lex: Lexicon, text: str, rows: list[Row]) -> list[Found]:
    head = text[:_HEAD]
    account = find_account(head, lex.fields)
    evidence = 3.0  # two or more rows, each a movement word or a date, a descriptor and an amount
    evidence += 1.0 if account else 0.0
    evidence += 1.0 if _receipt_or_notice(head) or _ACTIVITY.search(head) else 0.0
    evidence -= lex.soft_penalty(head[:1500], lex.blank(text[:_HEADLINE]))
    if evidence < ACCEPT_SCORE:
        return []
    instrument = instrument_of(head, lex)
    return [
        Found(
            amount=row.money.amount,
            currency=row.money.currency,
            direction=row.direction,
            merchant=row.descriptor,
            account=account,
            reference=None,
            balance=None,
            instrument=instrument,
            anchor=row.money.start,
            confidence=min(1.0, evidence / 8),
        )
        for row in rows
    ]


def _choose_amount(lex: Lexicon, text: str, moneys: list[Money], verbs: list[Verb]) -> Money:
    """The transaction's amount: the best-scored figure (see `_amount_score`)."""
    return max(moneys, key=lambda m: _amount_score(lex, text, m, verbs))


def _signed(text: str, money: Money) -> Direction | None:
    """What the amount's own marks say: "50.00DR"/"CR", "-23,80" (money out), "+5.000.000đ"
    (money in)."""
    if money.dr_cr:
        return Direction.DEBIT if money.dr_cr.upper().startswith("D") else Direction.CREDIT
    if money.negative:
        return Direction.DEBIT
    if (
        text[max(0, money.start - 2) : money.start].rstrip().endswith("+")
        or text[money.start : money.start + 1] == "+"
    ):
        return Direction.CREDIT
    return None


@dataclass(frozen=True, slots=True)
class _Direction:
    direction: Direction
    strong: Verb | None
    weak: Verb | None
    signed: bool


def _choose_direction(text: str, chosen: Money, verbs: list[Verb]) -> _Direction:
    """The nearest completed-movement verb decides, then the amount's sign or DR/CR mark, then
    a weaker noun; alerts with none of these are card spends ("Rs 199 ... Card x4433 At
    NETFLIX")."""
    strong = _nearest(text, verbs, chosen.start, chosen.end, strong=True)
    weak = _nearest(text, verbs, chosen.start, chosen.end, strong=False)
    sign = _signed(text, chosen)
    if strong is not None:
        direction = strong.direction
    elif sign is not None:
        direction = sign
    elif weak is not None:
        direction = weak.direction
    else:
        direction = Direction.DEBIT
    return _Direction(direction, strong, weak, sign is not None)


def _evidence(
    lex: Lexicon,
    text: str,
    chosen: Money,
    way: _Direction,
    account: str | None,
    merchant: str | None,
) -> float:
    """How sure the message reports this movement: independent cues add their weights
    (`evidence.toml`), soft negatives near the amount and in the headline subtract theirs."""
    weights = _WEIGHTS
    head = text[:_HEAD]
    before = label_before(text, chosen.start, 24)
    evidence = weights["strong_verb"] if way.strong else weights["weak_verb"] if way.weak else 0.0
    evidence += weights["signed_amount"] if way.signed and not way.strong else 0.0
    evidence += weights["marked_amount"] if chosen.marked else 0.0
    evidence += weights["amount_label"] if lex.label.search(before) else 0.0
    evidence += weights["total_label"] if _BIG_TOTAL.search(before) else 0.0
    evidence += weights["account"] if account else 0.0
    evidence += weights["merchant"] if merchant else 0.0
    evidence += weights["receipt"] if _receipt_or_notice(head) else 0.0
    return evidence - lex.soft_penalty(
        text[max(0, chosen.start - 500) : chosen.end + 500], lex.blank(text[:_HEADLINE])
    )


def _single(lex: Lexicon, text: str, moneys: list[Money]) -> Found | None:
    head = text[:_HEAD]
    verbs = _verbs_near(lex, text, moneys)
    chosen = _choose_amount(lex, text, moneys, verbs)
    if _is_balance(lex, text, chosen) or chosen.amount <= 0:
        return None
    way = _choose_direction(text, chosen, verbs)
    direction = way.direction

    if chosen.start < text.find("\n") and text.find("\n") >= 0:
        # The subject repeats the amount: the body's copy sits among the details.
        again = next(
            (m for m in moneys if m.start > chosen.end and m.amount == chosen.amount), None
        )
        chosen = again or chosen
    region = text[max(0, chosen.start - 300) : chosen.end + 400]
    account = find_account(region, lex.fields, direction) or find_account(head, lex.fields)
    merchant = find_merchant(text, direction, chosen.start, lex.fields)
    evidence = _evidence(lex, text, chosen, way, account, merchant)
    if evidence < ACCEPT_SCORE:
        return None

    return Found(
        amount=chosen.amount,
        currency=chosen.currency,
        direction=direction,
        merchant=merchant or merchant_by_layout(text, chosen.start, chosen.end, lex.fields),
        account=account,
        reference=find_reference(region, lex.fields) or find_reference(head, lex.fields),
        balance=find_balance(lex, text, moneys, chosen),
        instrument=instrument_of(region, lex),
        anchor=chosen.start,
        confidence=min(1.0, evidence / 8),
    )
