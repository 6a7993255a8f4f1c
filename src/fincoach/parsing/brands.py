"""The merchant of a receipt: the brand that sent it, not a phrase found near the total.

Receipts (Apple, Amazon, Uber, Netflix...) name the buyer, the address and the items around the
amount; the counterparty is the sender itself. Payment intermediaries (PayPal, Venmo...) and
banks are excluded: their emails name the counterparty in the text.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

_RECEIPT = re.compile(
    r"\b(?:receipt|order (?:confirmation|confirmed|total|number|#|summary)|your order|invoice|"
    r"thank(?:s| you) for (?:your )?(?:order|purchase|shopping|riding)|order is confirmed|"
    r"recibo|pedido|comprovante)\b",
    re.IGNORECASE,
)
_INTERMEDIARY = re.compile(
    r"\b(?:paypal|venmo|cash ?app|zelle|wise|revolut|payoneer|bank|banco|credomatic|upi|"
    r"a/c|acct)\b",
    re.IGNORECASE,
)
_FREE_MAIL = frozenset(
    [
        "gmail",
        "googlemail",
        "yahoo",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "icloud",
        "me",
        "aol",
        "proton",
        "protonmail",
        "gmx",
        "mail",
        "yandex",
        "zoho",
    ]
)
_NOISE = re.compile(
    r"\b(?:receipts?|orders?|no-?reply|do-?not-?reply|notifications?|notify|team|support|"
    r"confirmation|auto-confirm|customer service|billing|payments?|store|info|mailer)\b|[\"'<>]",
    re.IGNORECASE,
)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac"})


def is_receipt(head: str, sender: str | None) -> bool:
    return bool(_RECEIPT.search(head)) and not _INTERMEDIARY.search(f"{sender or ''} {head[:600]}")


def brand(sender: str | None, body: str) -> str | None:
    """The brand behind a receipt: the From display name, its domain, or the body's first line."""
    name, address = parseaddr(sender or "")
    name = " ".join(_NOISE.sub(" ", name).split()).strip(" -:,.")
    domain = address.rpartition("@")[2].lower()
    labels = [p for p in domain.split(".") if p]
    while len(labels) > 1 and (labels[-1] in _SECOND_LEVEL or len(labels[-1]) <= 3):
        labels.pop()
    core = labels[-1] if labels else ""
    if core in _FREE_MAIL:
        return None
    if name and len(name) <= 40:
        return name
    if core:
        return core.capitalize()
    first = body.split("\n", 1)[0].strip()
    first = " ".join(_NOISE.sub(" ", first).split()).strip(" -:,.|")
    if 2 <= len(first) <= 40 and len(first.split()) <= 5 and not any(c.isdigit() for c in first):
        return first
    return None
