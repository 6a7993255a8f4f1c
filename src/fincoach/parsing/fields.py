"""Finders for the fields around an amount: account digits, reference, counterparty.

Each finder is a handful of precompiled patterns anchored on a keyword, run over a bounded
region of the text, never an unanchored scan of the whole message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fincoach.parsing.types import Direction

_I = re.IGNORECASE

# ---------------------------------------------------------------- account / card last digits
_NOT_ACCOUNT = re.compile(
    r"(?:mobile|phone|mob|cell|ref|umrn|order|claim|policy|customer id|cust id|tid|otp|pran|"
    r"linked to|folio|receipt|invoice)\W*(?:no\.?|number|num)?\W*$",
    _I,
)
_ACCOUNT_PATTERNS = (
    # masked digits: XX1234, **810, ...7656, ****1234, X0763 right after a keyword
    re.compile(
        r"(?<![A-Za-z0-9])(?:[xX*•·#]{2,}|(?:· ?){2,}|\.{2,4}|[xX]{1,}(?=-?\d{3,}\b)|\*(?=\d{4}\b))"
        r"[ -]?(\d{2,})(?!\d)"
    ),
    re.compile(r"\b(?:account|acct|card)\s*:\s*[^\n\d]{0,30}?[-–]\s*(\d{4})\b", _I),
    re.compile(
        r"\b(?:a/?c|acct|account|acc|card|cuenta|tarjeta|conta|cart[aã]o|ac)\.?"
        r"(?:\s*(?:no|number|num|#|nro|n[°º])\.?)?\s*"
        r"(?:ending|ends|end|terminada|final)?(?:\s*(?:in|with|en|em))?\s*[:.\-]?\s*"
        r"[xX*•.]*\s?(\d{3,})(?!\d)",
        _I,
    ),
    re.compile(
        r"\b(?:ending|ends|terminada|terminaci[oó]n|termina|final|se terminant par|endet auf|"
        r"eindigend op)"
        r"(?:\s*(?:in|with|en|em))?\s*[:\-]?\s*[xX*•]*(\d{3,6})\b",
        _I,
    ),
    re.compile(
        r"\b(?:visa|mastercard|master card|amex|american express|rupay|discover|maestro|mc)"
        r"[\s\-]*(?:card)?[\s\-]*(?:ending(?: in)?)?[\s\-]*[xX*•.]*(\d{4})\b",
        _I,
    ),
)


def find_account(text: str) -> str | None:
    """Last digits (at most four) of the first account or card the text names."""
    best: tuple[int, str] | None = None
    for pattern in _ACCOUNT_PATTERNS:
        for m in pattern.finditer(text):
            if best is not None and m.start() >= best[0]:
                break
            if _NOT_ACCOUNT.search(text[max(0, m.start() - 24) : m.start() + 1]):
                continue
            digits = m.group(1)
            # a date or a time glued to a keyword is not an account
            if re.match(r"\d{1,2}[:/]\d", text[m.start(1) : m.start(1) + 5]):
                continue
            best = (m.start(), digits[-4:])
            break
    return best[1] if best else None


# ---------------------------------------------------------------- reference
_REFERENCE = re.compile(
    r"(?:\b(?:upi\s*ref(?:erence)?|imps\s*ref|neft\s*ref|utr|rrn|ref(?:erence)?|txn|trxn|"
    r"transaction|confirmation|authori[sz]ation|approval|order|invoice|receipt|purchase|"
    r"payment|tracking|autorizaci[oó]n|comprobante|folio)"
    r"\s*(?:no|number|num|id|#|code|nro)?\.?\s*[:#\-.]?\s*(?:is\s+)?"
    r"|\bupi[:/\s]+|\bclave de rastreo\s*:?\s*|\bn[úu]mero de referencia\s*:?\s*"
    r"|\breferencia\s*:?\s*)"
    r"(?P<ref>[A-Z0-9][A-Z0-9\-.]{2,40}[A-Z0-9])",
    _I,
)


def find_reference(text: str) -> str | None:
    for m in _REFERENCE.finditer(text):
        ref = m.group("ref")
        digits = sum(c.isdigit() for c in ref)
        if digits < 3 or re.fullmatch(r"\d{1,2}[-.]\d{1,2}[-.]\d{2,4}", ref):
            continue
        return ref
    return None


# ---------------------------------------------------------------- counterparty
_STOP = (
    r"(?=\s+(?:on|dated|date|via|using|with|ref|refno|rrn|txn|avl|avbl|avail|available|thru|"
    r"through|info|upi|imps|neft|rtgs|bal|balance|not|if|call|sms|is|has|was|were|total|"
    r"from|by|at|umrn|for|to|in|into|onto|sur|auf|con|com|mit|avec|para|por)\b|\s+on(?=\d)|"
    r"\s+(?:el|em|le|am|del|on|pada)\s+\d|"
    r"\s*[;(|\[]|\s*,\s|"
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)\.(?:\s|$|(?-i:[A-Z][a-z]))|\s*\n|\s*$"
    r"|\s+\d{1,2}[-/ ](?:\d{1,2}|[A-Za-z]{3})[-/ ]\d{2}"
    r"|\s+(?:of\s+)?(?:rs\.?|inr|usd|eur|gbp|[$₹€£])\s?\d)"
)
_NAME = r"(?P<m>[^\s|:;,(][^\n|;]{0,80}?)"
_MERCHANT_LABELS = (
    r"merchant(?: name)?|comercio|establecimiento|payee(?: name)?|beneficiary(?: name)?|"
    r"nombre del beneficiario|paid to|payment to|pagado a|recipient|store|empresa|"
    r"estabelecimento|favorecido|destinat[aá]rio|merchant details|lugar|h[äa]ndler|empf[äa]nger|"
    r"zahlungsempf[äa]nger|commer[çc]ant|b[ée]n[ée]ficiaire|esercente|desc(?:ription)?|"
    r"narration|descripci[oó]n|concepto"
)
# An HTML table puts the label and its value in cells of their own: "Merchant\nTRADER JOE'S".
_LABEL_LINE = re.compile(
    rf"(?:^|\n)(?:{_MERCHANT_LABELS})\s*[:：]?[ \t]*\n(?P<m>[^\n|]{{2,60}})(?=\n|$)", _I
)
_LABELLED = re.compile(
    rf"\b(?:{_MERCHANT_LABELS})\s*[:：\-]\s*"
    # the value ends at the line's end, or where the next "Label:" starts on the same line
    r"(?P<m>[^\n|]{2,60}?)(?=\s*(?:\n|\||$)|\s+(?-i:[A-Z])[A-Za-z]+(?: [A-Za-z]+){0,2}:\s)",
    _I,
)
# The lookbehind lets a name start only at a word's start: without it a long run of letters is
# retried from every position (quadratic on hostile input).
_SENT_YOU = re.compile(
    r"(?<![\w.'&$-])"
    r"(?P<m>(?:[A-Z][\w.'&-]*|\$\w+)(?: [A-Z][\w.'&-]*){0,4}) (?:sent you|paid you|te envi[oó])"
)
# "You paid Priya Raman $18.50": a capitalised name right before the amount
_PAID_NAME = re.compile(
    r"\b(?i:(?:you|u)(?:'ve| have)? (?:paid|sent)|pagaste a|enviaste a|voc[eê] pagou) "
    r"(?P<m>[A-Z][\w.'&-]*(?: [A-Z][\w.'&-]*){0,4}) (?=[$€£₹¥₱₦฿]|[A-Z]{3} ?\d|R\$)"
)
_UPPER_THEN = re.compile(
    r"(?<![\w*])(?P<m>[A-Z0-9][A-Z0-9*&.'/_-]*(?: [A-Z0-9][A-Z0-9*&.'/_-]*){0,5}) "
    r"(?:credited|refund)\b"
)
_AT = re.compile(rf"\b(?:at|@|en|em|di|bei|chez)\s+\.{{0,3}}{_NAME}{_STOP}", _I)
_TO = re.compile(
    r"(?<!billed )(?<!shipped )(?<!subject )(?<!delivered )(?<!dispatched )(?<!sent )"
    r"(?<!us )(?<!you )"
    r"\b(?:paid to|sent to|trf to|transfer(?:red)? to|cr\.? to|credited to|to|towards|"
    rf"a favor de|para)[\s:]+(?:vpa\s+)?{_NAME}{_STOP}",
    _I,
)
_FROM = re.compile(
    rf"\b(?:from|de la part de|de|von|received from)[\s:]+(?:vpa\s+)?{_NAME}{_STOP}", _I
)
_BY = re.compile(rf"\bby[\s:]+(?:vpa\s+)?{_NAME}{_STOP}", _I)
_AS = re.compile(rf"\bas\s+{_NAME}{_STOP}", _I)
_ON = re.compile(
    r"\bon\s+(?!(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    rf"[a-z]*\b)(?=[A-Za-z]){_NAME}{_STOP}",
    _I,
)
_FOR = re.compile(rf"\bfor[\s:]+{_NAME}{_STOP}", _I)
_VPA = re.compile(r"(?<![\w.@-])(?P<m>[\w.\-]{2,}@[A-Za-z][A-Za-z0-9]{1,20})(?![\w.@-])")
_INFO = re.compile(
    r"\binfo\s*[:\-.]?\s*(?P<m>[^\s.:\-][^\n|]{1,60}?)(?=\.(?:\s|(?-i:[A-Z])|$)|\s*\n|\s*$)", _I
)

_BAD_START = re.compile(
    r"^(?:your|ur|you|yr|the account|a/c(?!\s*[x*]+\d)|ac|acct|account(?! linked)|card|"
    # a currency then digits is an amount; "$jsmith" is a Cash App payee
    r"rs\.?|inr|usd|eur|gbp|[$₹€£](?=\s?\d)|r\$\s?(?=\d)|"
    r"\d+(?:[.,:/-]\d+)*$|\d{1,2}[:/-]\d+|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|"
    r"date|sms|call|block|mobile|this|that|it|us|our|the "
    r"(?:bank|card)|a |an |transaction|txn|dispute|any|all|more|details|"
    r"payment of|upi$|the|[xX*]{2,}\d+$|(?:credit|debit|prepaid) card"
    r"|[\w ]{0,20}bank (?:a/c|acc|card)"
    # a payment rail is how the money moved, not who received it
    r"|(?:neft|imps|rtgs|upi|ach|wire|sepa|pix|spei|zelle)$|a\W?c linked"
    # "para o cartão com final 1234", "con tu tarjeta": the payer's own card, not a merchant
    r"|(?:o|a|la|el|tu|su|seu|sua|mi|meu|minha|votre|ta|ton|ihre?)\s+"
    r"(?:cart[aã]o|tarjeta|conta|cuenta|carte|karte|compte|konto))\b",
    _I,
)
_AMOUNT_START = re.compile(r"\d[\d.,\s]*(?:€|£|\$|₹|¥|₱|₦|฿)")
_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", _I)


def _clean(name: str) -> str | None:
    name = name.strip(" \t.,:;-_*'\"")
    name = re.sub(r"^\.+", "", name)
    if len(name) < 2 or len(name) > 80 or _BAD_START.match(name) or _AMOUNT_START.match(name):
        return None
    return name


def _candidates(pattern: re.Pattern[str], window: str) -> Iterator[re.Match[str]]:
    """Matches of `pattern`; after one whose name is rejected the search resumes just past its
    start, so "de R$ 1.200,00 de MARIA SOUZA" still finds the second "de"."""
    pos = 0
    while (m := pattern.search(window, pos)) is not None:
        yield m
        pos = m.end() if _clean(m.group("m")) else m.start() + 1


def find_merchant(text: str, direction: Direction, anchor: int) -> str | None:
    """The counterparty named near the transaction amount (`anchor` is its offset)."""
    head = text[:4000]
    for labelled in (_LABELLED, _LABEL_LINE):
        for m in labelled.finditer(head):
            name = _clean(m.group("m"))
            if name:
                return name
    for m in _SENT_YOU.finditer(head):
        name = _clean(m.group("m"))
        if name and direction is Direction.CREDIT:
            return name
    for m in _PAID_NAME.finditer(head):
        name = _clean(m.group("m"))
        if name and direction is Direction.DEBIT:
            return name
    start = max(0, anchor - 240)
    window = text[start : anchor + 360]
    if direction is Direction.CREDIT:
        order = (_FROM, _BY, _INFO, _UPPER_THEN, _VPA, _AT, _TO, _FOR, _AS)
    else:
        order = (_AT, _TO, _INFO, _UPPER_THEN, _VPA, _FOR, _FROM, _BY, _ON)
    # Each candidate costs its distance to the amount plus a penalty for a less telling pattern.
    best: tuple[float, str] | None = None
    for rank, pattern in enumerate(order):
        for m in _candidates(pattern, window):
            name = _clean(m.group("m"))
            if name is None:
                continue
            if pattern is _FROM and direction is Direction.DEBIT and _EMAIL_LIKE.match(name):
                continue
            position = start + m.start("m")
            cost = abs(position - anchor) + 45 * rank
            if best is None or cost < best[0]:
                best = (cost, name)
    return best[1] if best else None
