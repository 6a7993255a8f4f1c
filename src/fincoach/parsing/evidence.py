"""What a message says about its country, and so about what an ambiguous currency sign means.

An ambiguous sign (`$`, `¥`, `R`, `P`, `N`, `kr`, `Rs`/`RS`, `元`...) is resolved from evidence
in the message, strongest first; the first kind of evidence that singles out one candidate
decides:

1. an institution's hint from its rule file (`dollar_currency`, or a hint for the marker);
2. a candidate named unambiguously elsewhere in the message (an ISO code, `R$`, `₹`...);
3. the sender's country domain (`.br`, `.in`, `.ph`, `.ng`, `.jp`, `.cn`...);
4. words that belong to one candidate (`NEFT` is Indian, `M.N.` Mexican, `GCash` Philippine);
5. the scripts and letters of the text (kana is Japanese, hanzi without kana Chinese, `ã`
   Portuguese, Persian letters Iranian...), weighted toward the most specific;
6. the marker's default in `currency_marks.toml` (low confidence), or no currency at all.

There is no global default currency: a bare `$` is US dollars only through the `$` entry's
own default, with a low confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from fincoach.parsing.currencies import (
    CURRENCIES,
    EVIDENCE_DATA,
    MARKERS,
    Marker,
    currency_of_territory,
)

_CODES = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")
_COUNTRY_DOMAINS = {"uk": "GB"}
_GENERIC_PESOS = re.compile(r"(?<![^\W\d_])pesos?(?![^\W\d_])", re.IGNORECASE)


def _words_pattern(words: list[str]) -> re.Pattern[str]:
    # \b is safe here: these are Latin words, and a Latin word is not written glued to CJK text
    parts = []
    for word in words:
        head = r"\b" if word[:1].isascii() and word[:1].isalpha() else ""
        tail = (
            r"\b"
            if word.rstrip("?.\\")[-1:].isascii() and word.rstrip("?.\\")[-1:].isalpha()
            else ""
        )
        parts.append(f"{head}{word}{tail}")
    return re.compile("|".join(parts), re.IGNORECASE)


@cache
def _currency_words() -> dict[str, re.Pattern[str]]:
    return {code: _words_pattern(words) for code, words in EVIDENCE_DATA["words"].items()}


@cache
def _scripts() -> tuple[tuple[str, re.Pattern[str], tuple[str, ...], str | None], ...]:
    return tuple(
        (name, re.compile(f"[{entry['chars']}]"), tuple(entry["territories"]), entry.get("unless"))
        for name, entry in EVIDENCE_DATA["scripts"].items()
    )


@cache
def _languages() -> tuple[re.Pattern[str], dict[str, tuple[str, tuple[str, ...]]]]:
    """One pattern for every language's words (one pass over the text), and word -> language."""
    owner = {}
    for name, entry in EVIDENCE_DATA["languages"].items():
        for word in entry["words"]:
            owner[word] = (name, tuple(entry["territories"]))
    words = sorted(owner, key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(words)})\b", re.IGNORECASE), {
        w.lower(): v for w, v in owner.items()
    }


def _spoken(text: str) -> list[tuple[str, ...]]:
    """Territories of the languages whose words the text uses (two distinct words at least:
    one word shared with another language proves nothing)."""
    pattern, owner = _languages()
    spoken: dict[str, set[str]] = {}
    for word in pattern.findall(text):
        language, _where = owner.get(word.lower(), ("", ()))
        spoken.setdefault(language, set()).add(word.lower())
    return [
        next(where for name, where in owner.values() if name == language)
        for language, words in spoken.items()
        if language and len(words) >= 2
    ]


@cache
def _language_territories() -> frozenset[str]:
    return frozenset(t for _n, where in _languages()[1].values() for t in where)


def country_of_sender(address: str | None) -> str | None:
    """ISO territory of the sender's country domain ("alerts@itau.com.br" -> "BR"), or None."""
    if not address or "@" not in address:
        return None
    label = address.rsplit(".", 1)[-1].lower().strip("> ")
    if len(label) != 2 or not label.isalpha():
        return None
    return _COUNTRY_DOMAINS.get(label, label.upper())


class Evidence:
    """The evidence one message offers; each part is computed only when a sign needs it."""

    def __init__(
        self,
        text: str,
        *,
        sender_address: str | None = None,
        hint: str | None = None,
        hints: dict[str, str] | None = None,
    ) -> None:
        self.text = text
        self.hint = hint
        self.hints = hints or {}
        self.country = country_of_sender(sender_address)
        self.named: set[str] = set()  # currencies written unambiguously next to an amount
        self._codes: set[str] | None = None
        self._scripts: list[tuple[str, ...]] | None = None
        self._spoken: list[tuple[str, ...]] | None = None
        self._implied: tuple[str | None, float] | None = None
        self._resolved: dict[str, tuple[str | None, float] | None] = {}
        self._words: dict[str, bool] = {}

    def mentioned(self) -> set[str]:
        if self._codes is None:
            found = {c for c in _CODES.findall(self.text) if c in MARKERS}
            self._codes = {MARKERS[c].currencies[0] for c in found if MARKERS[c].code}
        return self._codes | self.named

    def territories(self, *, words: bool = True) -> dict[str, float]:
        """Territory -> weight the text's scripts (and, with `words`, its words) give it; each
        clue spreads a weight of 1 over the territories it points to."""
        if self._scripts is None:
            # the distinct characters are few: test each script against them, not the text
            chars = "" if self.text.isascii() else "".join(set(self.text))
            seen = {n for n, pattern, _t, _u in _scripts() if chars and pattern.search(chars)}
            self._scripts = [
                t for n, _p, t, unless in _scripts() if n in seen and unless not in seen
            ]
        clues = list(self._scripts)
        if words:
            if self._spoken is None:
                self._spoken = _spoken(self.text[:3000])
            clues += self._spoken
        weights: dict[str, float] = {}
        for where in clues:
            for territory in where:
                weights[territory] = weights.get(territory, 0.0) + 1 / len(where)
        return weights

    def points_to(self, territories: frozenset[str]) -> bool:
        if self.country in territories:
            return True
        if any(territory in territories for territory in self.territories()):
            return True
        return any(
            info.territories & territories
            for c in self.mentioned()
            if (info := CURRENCIES.get(c)) is not None
        )

    def resolve(self, text: str, marker: Marker) -> tuple[str | None, float] | None:
        """(currency, confidence) for a marker as printed; None when it is no marker here."""
        if not marker.ambiguous:
            return marker.currencies[0], 1.0
        if text not in self._resolved:
            self._resolved[text] = self._resolve(text, marker)
        return self._resolved[text]

    def _resolve(self, text: str, marker: Marker) -> tuple[str | None, float] | None:
        if marker.requires and not self.points_to(marker.requires):
            return None
        candidates = marker.currencies
        if len(candidates) == 1:
            return candidates[0], 1.0
        forced = self.hints.get(text) or self.hint
        if forced in candidates or (forced and text == "$"):
            return forced, 1.0
        for picked, confidence in (
            (self._single(c for c in candidates if c in self.mentioned()), 0.95),
            (self._single(c for c in candidates if self.is_local(c)), 0.95),
            (self._single(c for c in candidates if self._worded(c)), 0.9),
            (self._by_script(candidates), 0.85),
        ):
            if picked:
                return picked, confidence
        if "MXN" in candidates and _GENERIC_PESOS.search(self.text):
            return "MXN", 0.7  # "pesos" with a bare $ and no country: Mexico, the largest market
        return marker.default, 0.6 if marker.default else 0.5

    def implied(self) -> tuple[str | None, float]:
        """The currency of an amount printed without a marker: the one currency the message
        names, else its country's, else its script's when that points to one country."""
        if self._implied is None:
            self._implied = self._imply()
        return self._implied

    def _imply(self) -> tuple[str | None, float]:
        named = self.mentioned()
        if len(named) == 1:
            return next(iter(named)), 0.8
        if not named and self.country and (local := currency_of_territory(self.country)):
            return local, 0.7
        weights = self.territories()
        if not named and weights:
            ranked = sorted(weights.items(), key=lambda kv: -kv[1])
            if ranked[0][1] >= 0.5 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
                local = currency_of_territory(ranked[0][0])
                if local:
                    return local, 0.6
        return None, 0.0

    def is_local(self, code: str) -> bool:
        """The sender's country uses this currency."""
        info = CURRENCIES.get(code)
        return self.country is not None and info is not None and self.country in info.territories

    def _worded(self, code: str) -> bool:
        if code not in self._words:
            pattern = _currency_words().get(code)
            self._words[code] = pattern is not None and pattern.search(self.text) is not None
        return self._words[code]

    def _by_script(self, candidates: list[str]) -> str | None:
        # words are read only when a candidate is used where those languages are spoken
        used = {t for c in candidates if (info := CURRENCIES.get(c)) for t in info.territories}
        weights = self.territories(words=bool(used & _language_territories()))
        if not weights:
            return None
        scores = sorted(
            ((sum(w for t, w in weights.items() if t in CURRENCIES[c].territories), c)
             for c in candidates if c in CURRENCIES),
            reverse=True,
        )  # fmt: skip
        if scores and scores[0][0] > 0 and (len(scores) == 1 or scores[1][0] < scores[0][0]):
            return scores[0][1]
        return None

    @staticmethod
    def _single(codes: Iterable[str]) -> str | None:
        found = list(dict.fromkeys(codes))
        return found[0] if len(found) == 1 else None
