"""The merchant of a receipt: the brand that sent it, not a phrase found near the total.

Receipts (Apple, Amazon, Uber, Netflix...) name the buyer, the address and the items around the
amount; the counterparty is the sender itself. Payment intermediaries (PayPal, Venmo...) and
banks are excluded: their emails name the counterparty in the text.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from fincoach.parsing.language_data import evidence_words

# the one receipt vocabulary, shared with the generic extractor's evidence
_RECEIPT = evidence_words()["words"]["receipt"]
_INTERMEDIARY = re.compile(
    r"\b(?:paypal|venmo|cash ?app|zelle|wise|revolut|payoneer|bank|banco|credomatic|upi|"
    r"a/c|acct|(?:into|in|to) your (?:account|a/c)|account ending)\b",
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


# A merchant's refund notice names no counterparty: its sender is it. A bank's refund alert
# names the merchant ("a refund from X"), which then wins.
_REFUND = re.compile(r"\b(?:refund (?:of|has been|was|is)|processed your refund)\b", re.IGNORECASE)


def is_receipt(head: str, sender: str | None, *, merchant_known: bool = True) -> bool:
    cue = _RECEIPT.search(head) or (not merchant_known and _REFUND.search(head))
    return bool(cue) and not _INTERMEDIARY.search(f"{sender or ''} {head[:600]}")


_NAME = r"(?P<b>(?-i:[A-Z]|[a-z](?=[A-Z]))[\w&.'’-]*(?: (?-i:[A-Z0-9&])[\w&.'’-]*){0,3}?)"
# Where receipts name their brand in the text, most telling first.
_TEXT_BRAND = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"^(?:your )?{_NAME}(?: order)? receipt\b",
        rf"\b(?:receipt|order|purchase|invoice) from {_NAME}(?=\s*(?:[.,!:;\n]|$| on | for ))",
        rf"\bthank(?:s| you) for (?:shopping|ordering|your order|your purchase) (?:with|at|from) "
        rf"{_NAME}(?=\s*(?:[.,!:;\n]|$))",
        rf"^{_NAME}\s*\n+\s*(?:receipt|order confirmation|thank you|your (?:order|receipt))\b",
        rf"{_NAME} sent this (?:message|e-?mail)\b",
        rf"(?:©|\(c\)|copyright)\s*(?:\d{{4}}(?:\s*[-–]\s*\d{{4}})?,?\s*)?{_NAME}"
        r"(?=,| inc\b| llc\b| ltd\b| limited\b| all rights|\.\s|\s*\n|$)",
        r"(?<![\w@.])(?P<b>(?-i:[A-Z])[a-z]+(?:[A-Z][a-z]+)?)\.(?:com|co\.uk|in|de|fr|es|com\.au|ca)\b",
    )
)
_ALT = re.compile(r"<img\b[^>]{0,400}?\balt=[\"'](?P<b>[^\"'<>]{2,40})[\"']", re.IGNORECASE)
_GENERIC_ALT = re.compile(
    r"^(?:logo|image|banner|header|icon|spacer|pixel|photo|picture|brand|img)\b|\blogo$",
    re.IGNORECASE,
)
_NOT_BRAND = re.compile(
    r"^(?:your|the|our|thank|thanks|hello|hi|dear|order|receipt|invoice|this|we|you|all|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d)\b",
    re.IGNORECASE,
)


def _from_text(subject: str, body: str, html: str) -> str | None:
    for source in (subject, body[:2000]):
        for pattern in _TEXT_BRAND:
            m = pattern.search(source)
            if m and not _NOT_BRAND.match(m.group("b")):
                return m.group("b").strip(" .,-'’")
    for m in _ALT.finditer(html[:6000]):
        alt = m.group("b").strip()
        if not _GENERIC_ALT.search(alt) and not _NOT_BRAND.match(alt):
            return re.sub(r"\s+logo$", "", alt, flags=re.IGNORECASE)
    return None


def _domain_core(address: str) -> str:
    """`no-reply@mail.swiggy.in` -> `swiggy`: the registered name under the country suffix."""
    domain = address.rpartition("@")[2].lower()
    labels = [p for p in domain.split(".") if p]
    while len(labels) > 1 and (labels[-1] in _SECOND_LEVEL or len(labels[-1]) <= 3):
        labels.pop()
    return labels[-1] if labels else ""


def sender_brand(address: str | None) -> str | None:
    """The brand a sender's domain names, or None for free mail and unknown senders."""
    core = _domain_core(address or "")
    return core if core and core not in _FREE_MAIL else None


def brand(sender: str | None, body: str, subject: str = "", html: str = "") -> str | None:
    """The brand behind a receipt: the From display name or domain, else the way the text
    names it (subject, "sent this message", copyright line, logo alt text)."""
    name, address = parseaddr(sender or "")
    name = " ".join(_NOISE.sub(" ", name).split()).strip(" -:,.")
    core = _domain_core(address)
    if core in _FREE_MAIL:
        return None
    if name and len(name) <= 40:
        return name
    if core:
        return core.capitalize()
    named = _from_text(subject, body, html)
    if named:
        return named
    first = body.split("\n", 1)[0].strip()
    first = " ".join(_NOISE.sub(" ", first).split()).strip(" -:,.|")
    if 2 <= len(first) <= 40 and len(first.split()) <= 5 and not any(c.isdigit() for c in first):
        return first
    return None
