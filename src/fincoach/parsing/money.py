"""Money in every notation: currency markers, digit grouping, signs.

Amounts are read into `Decimal` only; a float never touches money. The grouping rules follow the
notations banks actually print: `1,234.56` (US/UK), `1,23,456.78` (India), `1.234,56` (most of
Europe and Latin America), `1 234,56` (France, Scandinavia), `1'234.56` (Switzerland).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Currencies whose minor unit has three digits: there `12.500` is twelve and a half, not 12,500.
_THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})

# Markers written before or after an amount. Longest first so `US$` wins over `$`.
_SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "U$S": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "AU$": "AUD",
    "A$": "AUD",
    "NZ$": "NZD",
    "SG$": "SGD",
    "S$": "SGD",
    "HK$": "HKD",
    "MX$": "MXN",
    "RD$": "DOP",
    "R$": "BRL",
    "GH₵": "GHS",
    "GH¢": "GHS",
    "₹": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "RS.": "INR",
    "RS": "INR",
    "rs.": "INR",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₩": "KRW",
    "₱": "PHP",
    "₦": "NGN",
    "₫": "VND",
    "฿": "THB",
    "₺": "TRY",
    "₴": "UAH",
    "₽": "RUB",
    "₡": "CRC",
    "₲": "PYG",
    "₪": "ILS",
    "zł": "PLN",
    "Kshs": "KES",
    "KShs": "KES",
    "Ksh": "KES",
    "KSh": "KES",
    "TSh": "TZS",
    "USh": "UGX",
    "RM": "MYR",
    "Rp": "IDR",
    "Dhs": "AED",
    "S/": "PEN",
    "Bs.": "BOB",
    "$": "USD",
}

ISO_CODES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "INR",
        "AED",
        "SAR",
        "QAR",
        "KWD",
        "BHD",
        "OMR",
        "JOD",
        "EGP",
        "MAD",
        "KES",
        "NGN",
        "GHS",
        "ZAR",
        "TZS",
        "UGX",
        "RWF",
        "ETB",
        "XOF",
        "XAF",
        "MXN",
        "BRL",
        "ARS",
        "CLP",
        "COP",
        "PEN",
        "UYU",
        "CRC",
        "GTQ",
        "HNL",
        "NIO",
        "PAB",
        "DOP",
        "BOB",
        "PYG",
        "VES",
        "CAD",
        "AUD",
        "NZD",
        "SGD",
        "HKD",
        "MYR",
        "IDR",
        "THB",
        "VND",
        "PHP",
        "PKR",
        "LKR",
        "BDT",
        "NPR",
        "JPY",
        "CNY",
        "RMB",
        "KRW",
        "TWD",
        "CHF",
        "SEK",
        "NOK",
        "DKK",
        "ISK",
        "PLN",
        "CZK",
        "HUF",
        "RON",
        "BGN",
        "TRY",
        "RUB",
        "UAH",
        "ILS",
        "MYR",
    ]
)

# `$` means dollars in the US but pesos in much of Latin America: words that say which.
_DOLLAR_CONTEXT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bM\.?N\.?\b|\bMXN\b|\bpesos? mexicanos?\b|\.mx\b|\bSPEI\b"), "MXN"),
    (re.compile(r"\bCOP\b|\bBancolombia\b|\.com\.co\b|\bNequi\b|\bDavivienda\b"), "COP"),
    (re.compile(r"\bARS\b|\.com\.ar\b|\bpesos argentinos\b"), "ARS"),
    (re.compile(r"\bCLP\b|\.cl\b|\bpesos chilenos\b"), "CLP"),
    (re.compile(r"\bCAD\b|\bCanadian dollars?\b"), "CAD"),
    (re.compile(r"\bAUD\b|\bAustralian dollars?\b"), "AUD"),
    (re.compile(r"\bSGD\b|\bSingapore dollars?\b"), "SGD"),
)
# What `$` means for a sender whose address is under a country's domain.
_DOLLAR_DOMAINS = {
    "mx": "MXN", "cl": "CLP", "co": "COP", "ar": "ARS", "uy": "UYU", "ca": "CAD", "au": "AUD",
    "nz": "NZD", "sg": "SGD", "hk": "HKD", "tw": "TWD", "do": "DOP",
}  # fmt: skip


def dollar_for_sender(address: str | None) -> str | None:
    """The currency a bare `$` stands for, from the sender's country domain (`.mx`, `.cl`...)."""
    if not address or "@" not in address:
        return None
    return _DOLLAR_DOMAINS.get(address.rsplit(".", 1)[-1].lower())


_PESOS = re.compile(r"\bpesos?\b", re.IGNORECASE)

_SYMBOL_ALT = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_CODE_ALT = "|".join(sorted(ISO_CODES))
# A currency marker. Alphabetic markers must not be glued to a preceding letter.
_CUR = rf"(?:(?<![A-Za-z])(?:{_CODE_ALT})(?![A-Za-z])|(?<![A-Za-z])(?:{_SYMBOL_ALT}))"

# A number as printed. Thousands groups are exactly three digits (two for the Indian lakh/crore
# groups); a plain space groups thousands only before a decimal comma, so "Rs 500 123" stays 500.
NUMBER = (
    r"(?:\d{1,3}(?: \d{3})+,\d{1,2}"
    r"|\d{1,3}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?"
    r"|\d{1,3}(?:[,.'\u00a0\u202f\u2009]\d{3})+(?:[.,]\d{1,3})?"
    r"|\d+(?:[.,]\d{1,3})?)"
    r"(?![\d])"
)

_PREFIXED = re.compile(
    rf"(?P<cur>{_CUR})\)?\s{{0,2}}[.:]?\s{{0,2}}(?P<sign>[-−+])?\s?(?P<num>{NUMBER})"
    rf"(?:\s?(?P<code>{_CODE_ALT}|M\.?N\.?)(?![A-Za-z]))?"
)
_SUFFIXED = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER})[ \u00a0]?(?P<cur>{_CUR})(?![A-Za-z])")
# Amounts printed without a currency but named by a label or a verb ("Monto: 1,000.00",
# "debited by 185.0", "purchase of 500.00").
_LABELLED = re.compile(
    r"(?i:\b(?:amount|amt|monto|importe|valor|total|sum)\b[^\d\n]{0,12}?"
    r"|\b(?:purchase|payment|transaction|txn|withdrawal|deposit) of\s+"
    r"|\b(?:debited|credited|deducted|charged|paid|spent|withdrawn|received)"
    r"(?: (?:by|with|for|of))?\s+)"
    rf"(?<![\w.,])(?P<num>{NUMBER})(?![\w%])"
)

# "$4.2 billion", "₹1,500 crore": figures in a story, never one person's transaction.
_MAGNITUDE = re.compile(r"\s?(?:(?i:billion|million|trillion|bn|mn|crores?|lakhs?)\b|[BMK]\b)")


@dataclass(frozen=True, slots=True)
class Money:
    """One amount mentioned in a text, where it is, and what marked it."""

    start: int
    end: int
    amount: Decimal
    currency: str | None
    marked: bool  # a currency symbol or code was written next to it
    negative: bool


def parse_number(text: str, currency: str | None = None) -> Decimal | None:
    """Read a printed number (any grouping convention) as a Decimal, or None."""
    s = re.sub(r"[\s\u00a0\u202f\u2009']", "", text)
    if not s or not s[0].isdigit():
        return None
    if "," in s and "." in s:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        s = s.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        parts = s.split(sep)
        last = parts[-1]
        is_decimal = len(parts) == 2 and (
            len(last) != 3 or (sep == "." and currency in _THREE_DECIMALS)
        )
        s = "".join(parts[:-1]) + "." + last if is_decimal else "".join(parts)
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def currency_of(marker: str, context: str = "", dollar_hint: str | None = None) -> str:
    """ISO code for a marker; `$` is resolved from the context (or the institution's hint)."""
    if marker in ISO_CODES:
        return "CNY" if marker == "RMB" else marker
    code = _SYMBOLS.get(marker, "USD")
    if marker != "$":
        return code
    if dollar_hint:
        return dollar_hint
    for pattern, iso in _DOLLAR_CONTEXT:
        if pattern.search(context):
            return iso
    if _PESOS.search(context):
        return "MXN"
    return "USD"


def find_money(text: str, *, dollar_hint: str | None = None) -> list[Money]:
    """Every amount in the text, currency-marked ones first in importance, in text order."""
    found: dict[int, Money] = {}
    # Characters already claimed by an amount: overlap checks stay linear in the text, where a
    # scan over every amount found so far was quadratic on a text made of amounts.
    taken = bytearray(len(text) + 1)
    dollar: str | None = None
    for pattern in (_PREFIXED, _SUFFIXED):
        for m in pattern.finditer(text):
            marker = m.group("cur")
            code = m.groupdict().get("code")
            if code and code.replace(".", "") == "MN":
                currency = "MXN"
            elif code and marker in ("$", "£", "€", "US$"):
                currency = code
            elif marker == "$":
                # Resolved once per text: the context scan is the costly part.
                dollar = dollar or currency_of("$", text, dollar_hint)
                currency = dollar
            else:
                currency = currency_of(marker)
            amount = parse_number(m.group("num"), currency)
            if amount is None or m.start() in found or _MAGNITUDE.match(text, m.end()):
                continue
            if any(taken[m.start() : m.end()]):
                continue
            before = text[max(0, m.start() - 2) : m.start()]
            negative = bool(m.groupdict().get("sign") in ("-", "−")) or before.endswith(("-", "("))
            found[m.start()] = Money(m.start(), m.end(), amount, currency, True, negative)
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    for m in _LABELLED.finditer(text):
        start = m.start("num")
        if taken[start]:
            continue
        amount = parse_number(m.group("num"))
        if amount is None:
            continue
        found[start] = Money(start, m.end("num"), amount, None, False, False)
    return [found[k] for k in sorted(found)]


def format_amount(amount: Decimal) -> str:
    """Plain decimal string for JSON: no exponent, no grouping."""
    return format(amount, "f")
