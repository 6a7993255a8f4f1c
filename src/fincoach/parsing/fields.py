"""Finders for the fields around an amount: account digits, reference, counterparty.

Each finder is a handful of precompiled patterns anchored on a keyword, run over a bounded
region of the text, never an unanchored scan of the whole message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from fincoach.parsing.labels import LabelPatterns, label_patterns, name_starts_well
from fincoach.parsing.lexicon import FieldWords, lexicon
from fincoach.parsing.scripts import fold
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
        r"(?<![A-Za-z0-9])\d{0,6}"
        r"(?:[xX*•·#]{2,}|(?:· ?){2,}|\.{2,4}|[xX]{1,}(?=-?\d{3,}\b)|\*(?=\d{4}\b))"
        r"[ -]?(\d{2,})(?!\d)"
    ),
    re.compile(r"\b(?:account|acct|card)\s*:\s*[^\n\d]{0,30}?[-–]\s*(\d{4})\b", _I),
    re.compile(
        r"\b(?:a/?c|acct|account|acc|card|cuenta|tarjeta|conta|cart[aã]o|ac)\.?"
        r"(?:\s*(?:no|number|num|#|nro|n[°º])\.?)?\s*"
        r"(?:ending|ends|end|terminada|final)?(?:\s*(?:in|with|en|em))?\s*[:.\-]?\s*"
        # a card number written in groups ("Card:4716-2984"): its last group
        r"(?:\d{0,6}[xX*•]{2,})?[xX*•.]*\s?(\d{3,}(?:-\d{4}){0,3})(?![\dxX*•])",
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


def _last_digits(number: str) -> str:
    """The last four digits of a (masked, grouped) number, in ASCII ("۳۳۹۱" -> "3391")."""
    digits = [str(unicodedata.digit(c)) for c in number if c.isdigit()]
    return "".join(digits[-4:])


_PER_PATTERN = 2  # the reader's account is named early; two matches cover "to X from Y"


def _account_candidates(text: str, words: FieldWords | None) -> list[tuple[int, str]]:
    """(position, last digits) of the first account or card numbers the text names."""
    found: list[tuple[int, str]] = []
    for pattern in _ACCOUNT_PATTERNS:
        kept = 0
        for m in pattern.finditer(text):
            if _NOT_ACCOUNT.search(text[max(0, m.start() - 24) : m.start() + 1]):
                continue
            # a date or a time glued to a keyword is not an account
            if re.match(r"\d{1,2}[:/]\d", text[m.start(1) : m.start(1) + 5]):
                continue
            found.append((m.start(), _last_digits(m.group(1))))
            kept += 1
            if kept == _PER_PATTERN:
                break
    if words is not None:
        labels = label_patterns(words)
        # the languages' labels matter before the first number the English grammar found
        folded = fold(text[: min(found)[0] + 1] if found else text)
        for labelled in (labels.account, labels.account_after):
            if labelled is None:
                continue
            kept = 0
            for m in labelled.finditer(folded):
                number = m.group("num")
                if sum(c.isdigit() for c in number) < 3:
                    continue
                if re.match(r"\d{1,2}[:/.]\d", text[m.start("num") : m.start("num") + 5]):
                    continue
                found.append((m.start(), _last_digits(number)))
                kept += 1
                if kept == _PER_PATTERN:
                    break
    return sorted(found)


def find_account(
    text: str, words: FieldWords | None = None, direction: Direction | None = None
) -> str | None:
    """Last digits (at most four) of the reader's account or card: the first the text names,
    except that in a debit naming two accounts the one the money left ("from A/C *3348")
    is the reader's, the other the payee's."""
    found = _account_candidates(text, words)
    if not found:
        return None
    if direction is Direction.DEBIT and len({d for _, d in found}) > 1:
        source = label_patterns(words or lexicon().fields).source
        for position, digits in found:
            if source is not None and source.search(text[max(0, position - 30) : position]):
                return digits
    return found[0][1]


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


def _reference_in(matches: Iterator[re.Match[str]], text: str) -> str | None:
    for m in matches:
        ref = text[m.start("ref") : m.end("ref")]
        digits = sum(c.isdigit() for c in ref)
        if digits < 3 or re.fullmatch(r"\d{1,2}[-.]\d{1,2}[-.]\d{2,4}", ref):
            continue
        return ref
    return None


def find_reference(text: str, words: FieldWords | None = None) -> str | None:
    """The transaction's reference (UTR, RRN, TrxID...): letters and digits, at least three
    digits, not a date; after an English label first, else after a label of the message's
    languages (`words`)."""
    found = _reference_in(_REFERENCE.finditer(text), text)
    if found is None and words is not None:
        labels = label_patterns(words)
        if labels.reference is not None:
            found = _reference_in(labels.reference.finditer(fold(text)), text)
        if found is None and labels.leading is not None:
            m = labels.leading.search(fold(text[:600]))
            if m is not None:
                group = "ref" if m.group("ref") else "ref2"
                code = text[m.start(group) : m.end(group)]
                found = code if any(c.isdigit() for c in code) else None
    return found


# ---------------------------------------------------------------- counterparty
_STOP = (
    r"(?=\s+(?:on|dated|date|via|using|with|ref|refno|rrn|txn|avl|avbl|avail|available|thru|"
    r"through|info|upi|imps|neft|rtgs|bal|balance|not|if|call|sms|is|has|was|were|total|"
    r"from|by|at|umrn|for|to|in|into|onto|sur|auf|con|com|mit|avec|para|por|a/c|acct|"
    r"successful(?:ly)?)\b|\s+on(?=\d)|"
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
    r"zahlungsempf[äa]nger|commer[çc]ant|b[ée]n[ée]ficiaire|esercente"
)
# What a payment was for: in a card alert the descriptor names the merchant ("Desc: POS WEB PMT
# SHOPRITE"); in a credit it is the payer's note ("Narration: March rent"), weaker than "from X".
_PURPOSE_LABELS = r"desc(?:ription)?|narration|descripci[oó]n|concepto"


def _label_line(labels: str) -> re.Pattern[str]:
    """An HTML table puts the label and its value in cells of their own: "Merchant\nACME"."""
    return re.compile(rf"(?:^|\n)(?:{labels})\s*[:：]?[ \t]*\n(?P<m>[^\n|]{{2,60}})(?=\n|$)", _I)


def _labelled(labels: str) -> re.Pattern[str]:
    return re.compile(
        rf"\b(?:{labels})\s*[:：\-]\s*"
        # the value ends at the line's end, or where the next "Label:" starts on the same line
        # ("Desc: POS WEB PMT SHOPRITE Bal: ..." ends before "Bal:", not before "PMT SHOPRITE Bal:")
        r"(?P<m>[^\n|]{2,60}?)(?=\s*(?:\n|\||$)"
        r"|\s+(?-i:[A-Z][a-z]*)(?: (?-i:[A-Z]?[a-z]+)){0,2}:\s)",
        _I,
    )


_LABELLED, _LABEL_LINE = _labelled(_MERCHANT_LABELS), _label_line(_MERCHANT_LABELS)
_PURPOSE, _PURPOSE_LINE = _labelled(_PURPOSE_LABELS), _label_line(_PURPOSE_LABELS)
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
_PHONE_EDGE = re.compile(r"^\+?\d[\dxX*]{7,}\d(?=\s)|(?<=\s)\+?\d[\dxX*]{7,}\d$")
_SCRIPT_SWITCH = re.compile(r"\s+(?=[^\x00-\u024f\s\d\W])")
_AMOUNT_START = re.compile(r"\d[\d.,\s]*(?:€|£|\$|₹|¥|₱|₦|฿|(?-i:[A-Z]{3})\b)|[€£$₹¥₱₦฿]\s?\d")
_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", _I)


# A descriptor that quotes the shop's name after its place: 'BLR MINSK "Sosedi"'.
_QUOTED = re.compile(r"[\"«„“](?P<q>[^\"«»„“”]{2,60})[\"»”“]")


def clean_name(name: str, labels: LabelPatterns | None = None) -> str | None:
    """The name trimmed of punctuation, quotes and a phone number; None when it is no name
    (an amount, a date, a pronoun, a label of the message's languages)."""
    quoted = _QUOTED.search(name)
    if quoted:
        name = quoted.group("q")
    name = name.strip(" \t.,:;-_*'\"“”«»")
    name = re.sub(r"^\.+", "", name)
    if len(name) < 2 or len(name) > 80 or _BAD_START.match(name) or _AMOUNT_START.match(name):
        return None
    if not any(c.isalpha() for c in name):
        return None  # "2 150", "12/03": figures, not a name
    if labels is not None and labels.label_start is not None and labels.label_start.match(name):
        return None
    # a phone number or a masked one beside a person's name ("84XXXXX21 - ANA", "JANE 0712345678")
    bare = _PHONE_EDGE.sub("", name).strip(" -–:")
    if bare != name:
        return clean_name(bare, labels) if bare else None
    return name


def _candidates(
    pattern: re.Pattern[str], searched: str, original: str | None = None
) -> Iterator[re.Match[str]]:
    """Matches of `pattern` in `searched` (the window, or its folded copy: then `original` is
    the window); after one whose name is rejected the search resumes just past its start, so
    "de R$ 1.200,00 de MARIA SOUZA" still finds the second "de"."""
    original = original if original is not None else searched
    pos = 0
    while (m := pattern.search(searched, pos)) is not None:
        yield m
        pos = m.end() if clean_name(original[m.start("m") : m.end("m")]) else m.start() + 1


def _trim(name: str) -> str:
    """A Latin-letter name ends where the sentence goes on in another script ("7-ELEVEN
    คงเหลือ", "LULU HYPERMARKET رصيدك")."""
    if name[:1].isascii():
        switch = _SCRIPT_SWITCH.search(name)
        if switch:
            return name[: switch.start()]
    return name


_LABELLED_REACH = 2000  # a label in a language other than English: alerts are short


def find_merchant(
    text: str,
    direction: Direction,
    anchor: int,
    words: FieldWords | None = None,
) -> str | None:
    """The counterparty named near the transaction amount (`anchor` is its offset). Labels
    first ("Merchant:", "ご利用先："), then names after a verb ("X sent you"), a language's own
    phrasing ("在X支付", "X firmasında"), then the nearest name after a preposition of the
    message's languages (`words`; English only when None)."""
    head = text[:4000]
    labels = label_patterns(words) if words is not None else None
    own, own_purpose = (labels.labelled, labels.purpose) if labels else (None, None)
    named = _labelled_name(head, (_LABELLED, _LABEL_LINE), own, labels)
    if named:
        return named
    purpose = _labelled_name(head, (_PURPOSE, _PURPOSE_LINE), own_purpose, labels)
    if purpose and direction is Direction.DEBIT:
        return purpose
    for m in _SENT_YOU.finditer(head):
        name = clean_name(m.group("m"))
        if name and direction is Direction.CREDIT:
            return name
    for m in _PAID_NAME.finditer(head):
        name = clean_name(m.group("m"))
        if name and direction is Direction.DEBIT:
            return name
    if labels is not None:
        for pattern in (*labels.patterns, *([labels.after] if labels.after else [])):
            for m in pattern.finditer(head):
                name = clean_name(m.group("m"), labels)
                if name:
                    return name
    start = max(0, anchor - 240)
    window = text[start : anchor + 360]
    folded_window = fold(window)
    at, to, from_ = [_AT], [_TO], [_FROM]
    if labels is not None:
        at += [labels.at] if labels.at else []
        to += [labels.to] if labels.to else []
        from_ += [labels.from_] if labels.from_ else []
    if direction is Direction.CREDIT:
        order = (from_, [_BY], [_INFO], [_UPPER_THEN], [_VPA], at, to, [_FOR], [_AS])
    else:
        order = (at, to, [_INFO], [_UPPER_THEN], [_VPA], [_FOR], from_, [_BY], [_ON])
    # Each candidate costs its distance to the amount plus a penalty for a less telling pattern.
    best: tuple[float, str] | None = None
    for rank, patterns in enumerate(order):
        for pattern in patterns:
            english = pattern in _ENGLISH
            for m in _candidates(pattern, window if english else folded_window, window):
                if not english and not name_starts_well(window, m.start("m")):
                    continue
                name = clean_name(
                    _trim(window[m.start("m") : m.end("m")]), None if english else labels
                )
                if name is None:
                    continue
                if pattern is _FROM and direction is Direction.DEBIT and _EMAIL_LIKE.match(name):
                    continue
                position = start + m.start("m")
                cost = abs(position - anchor) + 45 * rank
                if best is None or cost < best[0]:
                    best = (cost, name)
    return best[1] if best is not None else purpose


def _labelled_name(
    head: str,
    english: tuple[re.Pattern[str], ...],
    language: re.Pattern[str] | None,
    labels: LabelPatterns | None,
) -> str | None:
    """The first value after one of the labels: English ones, then the languages' ones."""
    for labelled in english:
        for m in labelled.finditer(head):
            name = clean_name(m.group("m"))
            if name:
                return name
    if language is not None:
        for m in language.finditer(fold(head[:_LABELLED_REACH])):
            if m.group("colon") is None and not name_starts_well(head, m.start("m")):
                continue
            name = clean_name(_trim(head[m.start("m") : m.end("m")]), labels)
            if name:
                return name
    return None


_ENGLISH = frozenset({_AT, _TO, _FROM, _BY, _INFO, _UPPER_THEN, _VPA, _FOR, _AS, _ON})
