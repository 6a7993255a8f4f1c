"""Merchant names cleaned into a stable key (the per-user category override key).

`Pay*SWIGGY BANGALORE IN`, `swiggy@hdfcbank` and `SWIGGY LIMITED 000123` should land on one key,
so noise is removed in a fixed order: VPA handle, processor prefix, reference-like tokens,
legal suffixes, trailing city/country words.
"""

from __future__ import annotations

import re

_VPA = re.compile(r"^([\w.\-]+)@[a-z]{2,}[\w.]*$", re.IGNORECASE)
# "swiggy@icici SWIGGY": a VPA handle followed by the payee's name; the name is the merchant.
_VPA_THEN_NAME = re.compile(r"^[\w.\-]+@[a-z]{2,}[\w.]*\s+(?=\S)", re.IGNORECASE)
_PREFIX = re.compile(
    r"^(?:(?:pay|raz|rzp|sq|tst|pp|paypal|ind|ach|bil|pos|upi|ecom|vps|sp|dd|ppl|gpay|cas|"
    r"google|apple\.com/bill)\s?[*#/-]\s?|upi[-/]|p2[mpa][-/]|pos\s|ach\s)+",
    re.IGNORECASE,
)
_REFERENCE_TOKEN = re.compile(r"\b(?=[\w-]*\d)[\w-]{5,}\b|\b\d{2,}\b")
_LEGAL = re.compile(
    r"\b(?:pvt|private|ltd|limited|llc|inc|corp|corporation|co|company|gmbh|s\.?a\.?|plc|"
    r"technologies|india|services)\b\.?",
    re.IGNORECASE,
)
# Applied to text whose white space is already single spaces: a literal space keeps the repeated
# group linear (with `\s+` a run of blanks backtracks exponentially).
_PLACE = re.compile(
    r"(?: (?:ind|in|us|usa|gb|gbr|uk|ae|are|mx|mex|br|bra|sg|ke|ca|au|de|fr|es|"
    r"bangalore|bengaluru|mumbai|delhi|new delhi|gurgaon|gurugram|noida|pune|chennai|"
    r"hyderabad|kolkata|london|new york|san francisco|seattle|dubai|singapore|nairobi))+$",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"\.(?:com|in|co|net|org|io|co\.uk|com\.mx|com\.br)\b", re.IGNORECASE)


def normalize_merchant(name: str) -> str:
    """A lower-case key for a merchant name: same merchant, same key."""
    text = " ".join(name.split())
    vpa = _VPA.match(text)
    text = vpa.group(1) if vpa else _VPA_THEN_NAME.sub("", text)
    text = _PREFIX.sub("", text)
    text = _DOMAIN.sub(" ", text)
    text = re.sub(r"[_*#/|]+", " ", text)
    cleaned = _REFERENCE_TOKEN.sub(" ", text)
    if cleaned.strip():
        text = cleaned
    stripped = _LEGAL.sub(" ", text)
    if stripped.strip():
        text = stripped
    text = re.sub(r"[^\w&' ]+", " ", text)
    text = " ".join(text.split())
    placeless = _PLACE.sub("", text)
    if placeless.strip():
        text = placeless
    key = " ".join(text.lower().split()) or " ".join(name.lower().split())
    return _ALIASES.get(key, key)


# Card descriptors that abbreviate a brand: the key is the brand people know.
_ALIASES = {
    "amzn": "amazon", "amzn mktp": "amazon", "amazon mktpl": "amazon", "amazon mktplace": "amazon",
    "amzn digital": "amazon", "amazon com": "amazon", "amazon in": "amazon",
    "wholefds": "whole foods", "wholefds mkt": "whole foods",
    "uber trip": "uber", "uber eats": "uber eats", "ubr": "uber",
    "netflix com": "netflix", "spotify usa": "spotify", "googl": "google", "msft": "microsoft",
}  # fmt: skip
