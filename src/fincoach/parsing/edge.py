"""The parser's edge: what every transaction passes before it leaves `parsing/`.

Text fields are cleaned of characters that break storage or deceive a reader, and amounts and
balances are checked against the ledger's bounds (limits.py). Doing it once here, rather than in
each extractor, means a new rule or extractor cannot forget it.

Removed from text fields:
- NUL and the other C0/C1 control characters (`AMA=00ZON` decodes to a NUL, which PostgreSQL
  text cannot hold); tabs and line breaks become a space.
- Bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) and the
  implicit marks (U+200E, U+200F, U+061C): "\u202eNOZAMA" would display as "AMAZON" (the
  Trojan Source trick, CVE-2021-42574; Unicode TR #9 lists these controls).
- Lone surrogates (no UTF-8 encoding exists for them) and the byte order mark.
Zero-width joiners stay: several scripts and emoji need them to render correctly.
"""

import re
from dataclasses import replace

from fincoach.parsing.limits import check_bounds
from fincoach.parsing.text import CONTROL_CHARACTERS
from fincoach.parsing.types import ParsedTransaction

# The same set text.normalize drops from the body, plus lone surrogates; NEL counts as a break.
_DROPPED = re.compile(f"[{CONTROL_CHARACTERS}\\ufeff\\ud800-\\udfff]")
_BREAKS = re.compile("[\t\n\x0b\x0c\r\x85\u2028\u2029]")


def clean_text(value: str | None) -> str | None:
    """`value` without control, bidi or unencodable characters; None when nothing is left."""
    if value is None:
        return None
    cleaned = _BREAKS.sub(" ", _DROPPED.sub("", value)).strip()
    return cleaned or None


def admit(transaction: ParsedTransaction) -> ParsedTransaction:
    """The transaction with clean text fields; raises AmountOutOfRange (limits.py) past a bound."""
    return check_bounds(
        replace(
            transaction,
            merchant=clean_text(transaction.merchant),
            merchant_normalized=clean_text(transaction.merchant_normalized),
            account=clean_text(transaction.account),
            reference=clean_text(transaction.reference),
        )
    )
