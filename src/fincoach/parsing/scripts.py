"""Writing systems: which ones a message uses, how a word of each is bounded, case folding.

A language's vocabulary is only compiled into the patterns run over a message when the message
contains that language's script (Latin-script languages share one set of patterns), so a
message in English pays nothing for Thai or Chinese words.

Word boundaries differ by script. Latin, Cyrillic, Greek, Devanagari, Bengali and Ethiopic put
spaces between words: a word matches only between non-letters (`\\b` is not enough for Indic
scripts, whose vowel signs are not `\\w`). Arabic script attaches pronouns and particles to the
end of a word ("رصيدك", your balance): only the start is bounded. Thai, Chinese, Japanese and
Korean alerts run words together: no boundary at all.
"""

from __future__ import annotations

import re

LATIN = "latin"

# Unicode ranges of each script (the main blocks banks write in).
_RANGES: dict[str, str] = {
    "cyrillic": "\u0400-\u052f",
    "greek": "\u0370-\u03ff",
    "arabic": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff",
    "devanagari": "\u0900-\u097f",
    "bengali": "\u0980-\u09ff",
    "thai": "\u0e00-\u0e7f",
    "ethiopic": "\u1200-\u139f",
    "hangul": "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af",
    "kana": "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f",
    "han": "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
}
SCRIPTS = frozenset({LATIN, *_RANGES})
_ANY_OTHER = re.compile("[" + "".join(_RANGES.values()) + "]")
_EACH = tuple((name, re.compile(f"[{chars}]")) for name, chars in _RANGES.items())
ONLY_LATIN = frozenset({LATIN})
# Scripts read only once they appear in the first part of a message.
_SCAN = 4000


def scripts_of(text: str) -> frozenset[str]:
    """The scripts the text is written in; Latin is always included (codes, brands, digits)."""
    head = text[:_SCAN]
    if _ANY_OTHER.search(head) is None:
        return ONLY_LATIN
    return frozenset({LATIN, *(name for name, pattern in _EACH if pattern.search(head))})


def _letters(script: str) -> str:
    return r"\w" + _RANGES.get(script, "")


_PLAIN = re.compile(r"[^\\\[\](){}|?*+.^$]")


def grouped(words: list[str]) -> str:
    """An alternation of `words` (regex fragments) grouped by their first character when it is
    a plain one: `ab|ac|x[yz]` -> `a(?:b|c)|x(?:[yz])`. Python's regex engine tries each
    alternative in turn; grouped, a position is rejected after one test per first character
    instead of one per word (several hundred words: about ten times faster). The order of the
    words is kept within each group; words that start with a class or a group come first."""
    heads: dict[str, list[str]] = {}
    others: list[str] = []
    for word in words:
        if word and _PLAIN.match(word) and (len(word) == 1 or word[1] not in "?*+{"):
            heads.setdefault(word[0], []).append(word[1:])
        elif word:
            others.append(word)
    parts = others + [
        re.escape(head) + (f"(?:{'|'.join(rest)})" if rest != [""] else "")
        for head, rest in heads.items()
    ]
    return "|".join(parts)


def bounded(words: str, script: str) -> str:
    """`words` (a regex alternation) as whole words of `script` (see the module docstring)."""
    if script in ("thai", "han", "kana", "hangul"):
        return f"(?:{words})"
    letters = _letters(script)
    if script == LATIN:
        # `\b` first (not `(?<!\w)`): patterns that all start with it are factorised
        return rf"\b(?:{words})(?![{letters}])"
    if script in ("arabic", "ethiopic"):  # Ethiopic: its punctuation sits in its own block
        return rf"(?<![{letters}])(?:{words})"
    return rf"(?<![{letters}])(?:{words})(?![{letters}])"


def _fold_table() -> dict[int, int]:
    """Upper case to lower case, one character for one (so offsets survive folding), for the
    Latin, Greek and Cyrillic letters whose lower case is a single character."""
    table: dict[int, int] = {}
    for block in ((0x41, 0x5B), (0xC0, 0x250), (0x370, 0x530), (0x1E00, 0x1F00)):
        for code in range(*block):
            lower = chr(code).lower()
            if len(lower) == 1 and lower != chr(code):
                table[code] = ord(lower)
    table[0x130] = ord("i")  # Turkish dotted capital I (its lower() is two characters)
    for code in range(0xFF21, 0xFF3B):  # full-width Latin capitals
        table[code] = code + 32
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """The text in lower case, character for character (offsets are kept)."""
    if text.isascii():
        # the table's only ASCII entries are A-Z, and lower() does just that, many times faster
        return text.lower()
    return text.translate(_FOLD)
