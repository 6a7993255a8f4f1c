"""The field finders' patterns built from the language files' labels (see `lexicon.py`).

English grammar lives in `fields.py` itself; these patterns add every other language's labels
and prepositions, compiled once per combination of scripts (`FieldWords` is hashable).
They run on the folded text (`scripts.fold`: lower case, same offsets), which is several times
faster than case-insensitive matching; the caller reads the name from the original text at the
same offsets, where its case tells a name ("в OZON", "u BILLA") from a word of the sentence
("u nás"): see `name_starts_well`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from fincoach.parsing.lexicon import FieldWords

# Where a name ends: the end of its line or field, a list separator, a sentence's end, the
# next "Label:", a date. Language stop words are added per vocabulary.
_END = (
    r"\s*(?:\n|$|\||[,;，。、；(（]|\s/\s)"
    r"|(?<![\s.]\w)\.(?:\s|$)"  # a sentence's end, not an initial ("S. DE VRIES")
    r"|\s+[^\s:：]{1,24}[:：]"
    r"|\s+\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
)
_NAME_START = r"[^\s|:;,(/：]"
# In the original text, a name after a preposition does not start with a lower-case Latin letter.
_LOWER_LATIN = re.compile(r"[a-zß-ÿ]")


def name_starts_well(text: str, position: int) -> bool:
    """Whether the name at `position` (of the original text) starts like a name."""
    return _LOWER_LATIN.match(text, position) is None


# An account number, masked or grouped (matched on folded text); not an amount ("kartou
# 349,00 Kč").
_MASKED = (
    r"(?P<num>(?:\d{0,6}(?:[x*•·#＊]{1,12}|\.{2,4})[ -]?)?\d{2,}(?:-\d{4}){0,3})(?![\d٫]|[.,]\d)"
)


@dataclass(frozen=True, slots=True)
class LabelPatterns:
    labelled: re.Pattern[str] | None
    purpose: re.Pattern[str] | None
    at: re.Pattern[str] | None
    from_: re.Pattern[str] | None
    to: re.Pattern[str] | None
    after: re.Pattern[str] | None
    patterns: tuple[re.Pattern[str], ...]
    account: re.Pattern[str] | None
    account_after: re.Pattern[str] | None
    reference: re.Pattern[str] | None
    leading: re.Pattern[str] | None  # a transaction code opening the message (mobile money)
    source: re.Pattern[str] | None  # "from" just before an account: the payer's own account
    label_start: re.Pattern[str] | None  # a "name" that is really a label of the language


def _empty(words: str) -> bool:
    return words == "(?!x)x"


def _name_then(prepositions: str, stop: str) -> re.Pattern[str] | None:
    if _empty(prepositions):
        return None
    stops = "" if _empty(stop) else rf"|\s+(?:{stop})"
    return re.compile(
        rf"(?:{prepositions})[\s:]+(?P<m>{_NAME_START}[^\n|;]{{0,80}}?)(?={_END}{stops})"
    )


def _value_after(labels: str, stops: str) -> re.Pattern[str]:
    """The value after a label; without a colon ("obchod BILLA"), the caller checks that a
    name follows (see `name_starts_well`)."""
    return re.compile(
        rf"(?:{labels})(?:(?P<colon>\s*[:：\-]\s*)|\s+)"
        rf"(?P<m>[^\s|:：;,][^\n|:：;]{{0,60}}?)(?={_END}{stops})"
    )


@cache
def label_patterns(words: FieldWords) -> LabelPatterns:
    """The compiled patterns for one vocabulary (one combination of scripts)."""
    # a name ends where the next field's label starts: a stop word, an account or a balance
    stop = "|".join(w for w in (words.stop, words.account, words.balance) if not _empty(w))
    stop = stop or "(?!x)x"
    stops = "" if _empty(stop) else rf"|\s+(?:{stop})"
    labelled = None if _empty(words.merchant) else _value_after(words.merchant, stops)
    # a purpose is free text ("Thanh toán thẻ tại X"): only the plain stop words end it
    plain = "" if _empty(words.stop) else rf"|\s+(?:{words.stop})"
    purpose = None if _empty(words.purpose) else _value_after(words.purpose, plain)
    after = None
    if not _empty(words.after):
        word = r"[A-Z0-9ÇĞİÖŞÜÄÖÜ&][\w&'.*/-]*"
        after = re.compile(rf"(?<!\S)(?P<m>(?:{word} ){{0,5}}{word}) (?i:{words.after})")
    account = account_after = reference = None
    if not _empty(words.account):
        account = re.compile(
            rf"(?:{words.account})[\s:：.#№\-(（\]］]*(?:no\.?|nr\.?|n°|number|رقم|ـ)?[\s:：.#\-]*"
            + _MASKED
        )
    if not _empty(words.account_after):
        account_after = re.compile(rf"(?<!\d)(?P<num>\d{{3,6}})\s*(?:{words.account_after})")
    if not _empty(words.reference):
        reference = re.compile(
            rf"(?:{words.reference})\s*[:#\-.：]?\s*(?P<ref>[a-z0-9][a-z0-9\-.]{{2,40}}[a-z0-9])"
        )
    leading = None
    if not _empty(words.confirmed):
        code = r"(?=[a-z]{0,11}\d)[a-z0-9]{8,12}"  # letters and digits
        leading = re.compile(
            rf"(?m)^\W{{0,3}}(?:(?P<ref>{code})[ \t]+(?:{words.confirmed})"
            rf"|(?:{words.confirmed})[ \t]+(?P<ref2>{code}))(?![a-z0-9])"
        )
    source_words = "from" if _empty(words.from_) else f"from|{words.from_}"
    label_words = "|".join(w for w in (words.account, words.reference, stop) if not _empty(w))
    return LabelPatterns(
        labelled=labelled,
        purpose=purpose,
        at=_name_then(words.at, stop),
        from_=_name_then(words.from_, stop),
        to=_name_then(words.to, stop),
        after=after,
        patterns=tuple(re.compile(p) for p in words.patterns),
        account=account,
        account_after=account_after,
        reference=reference,
        leading=leading,
        source=re.compile(rf"(?i:\b(?:{source_words}))\W{{0,3}}(?:\w+\W{{1,3}}){{0,2}}$"),
        label_start=re.compile(rf"(?i:{label_words})") if label_words else None,
    )
