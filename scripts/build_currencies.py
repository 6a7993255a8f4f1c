"""Build `src/fincoach/parsing/currencies.json` from CLDR (through Babel).

    .venv/bin/python scripts/build_currencies.py

What it writes, for every currency legal tender somewhere today (CLDR `territory_currencies`):
- `currencies`: code -> [minor digits (ISO 4217 as CLDR carries it), territories using it,
  number conventions of those territories' locales ("decimal+group" pairs, "L" when a locale
  groups in lakhs)];
- `symbols`: every symbol CLDR gives the currency in any locale (bidi marks stripped), mapped
  to the currencies it stands for, most-used first;
- `names`: display names (singular and plural forms, lower-cased) in the locales of the
  territories that use the currency, and in English.

The parser loads the file at import (a few milliseconds); Babel itself is not imported at run
time. Bank abbreviations that CLDR lacks live by hand in `currency_marks.toml`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import babel
from babel import Locale, localedata
from babel.core import get_global

OUT = Path(__file__).resolve().parents[1] / "src/fincoach/parsing/currencies.json"
_BIDI = str.maketrans("", "", "\u200e\u200f\u061c\u200b")
_MAX_NAME = 32


def _current() -> dict[str, set[str]]:
    """Currency -> territories where it is legal tender today."""
    used: dict[str, set[str]] = defaultdict(set)
    for territory, entries in get_global("territory_currencies").items():
        for code, _start, end, tender in entries:
            if end is None and tender and code != "XXX":
                used[code].add(territory)
    return used


def _territory(locale: Locale) -> str | None:
    if locale.territory:
        return str(locale.territory)
    likely = get_global("likely_subtags").get(str(locale.language), "")
    return likely.rsplit("_", 1)[-1] if likely.count("_") >= 1 else None


def _clean(text: str) -> str:
    return " ".join(text.translate(_BIDI).split())


def _heavier(weights: Counter[str], key: str, weight: float) -> None:
    weights[key] = max(weights[key], weight)  # type: ignore[assignment]


def main() -> None:
    used = _current()
    fractions = get_global("currency_fractions")
    symbols: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, set[str]] = defaultdict(set)
    # convention -> the largest share of a territory's population whose locale writes it
    conventions: dict[str, Counter[str]] = defaultdict(Counter)
    speakers = get_global("territory_languages")
    for identifier in localedata.locale_identifiers():
        locale = Locale.parse(identifier)
        territory = _territory(locale)
        local = {code for code, where in used.items() if territory in where}
        plural = locale._data["currency_names_plural"]
        number_systems = {"latn", locale._data.get("default_numbering_system", "latn")}
        lakh = "#,##,##0" in (locale.decimal_formats[None].pattern or "")
        share = speakers.get(territory or "", {}).get(str(locale.language), {})
        weight = float(share.get("population_percent", 0.0)) + 0.001
        for code in used:
            symbol = _clean(locale.currency_symbols.get(code, ""))
            if (
                symbol
                and symbol != code
                and not (symbol.isascii() and symbol.isupper() and len(symbol) == 3)
            ):
                symbols[symbol][code] += 1
            if code in local or identifier == "en":
                for name in (locale.currencies.get(code, ""), *dict(plural.get(code, {})).values()):
                    name = _clean(name).lower()
                    if name and len(name) <= _MAX_NAME and not name.isupper():
                        names[name].add(code)
            if code in local:
                for system in number_systems:
                    marks = locale.number_symbols.get(system)
                    if marks and "decimal" in marks and "group" in marks:
                        pair = _clean(marks["decimal"]) + (marks["group"].translate(_BIDI) or " ")
                        _heavier(conventions[code], pair, weight)
                if lakh:
                    _heavier(conventions[code], "L", weight)
    table = {
        "cldr": f"babel {babel.__version__}",
        "currencies": {
            code: [
                fractions.get(code, fractions["DEFAULT"])[0],
                sorted(where),
                [pair for pair, _w in conventions[code].most_common()],
            ]
            for code, where in sorted(used.items())
        },
        "symbols": {
            s: [c for c, _n in counts.most_common()] for s, counts in sorted(symbols.items())
        },
        "names": {n: sorted(codes) for n, codes in sorted(names.items())},
    }
    OUT.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(
        f"{OUT}: {len(table['currencies'])} currencies, {len(table['symbols'])} symbols, "
        f"{len(table['names'])} names"
    )


if __name__ == "__main__":
    main()
