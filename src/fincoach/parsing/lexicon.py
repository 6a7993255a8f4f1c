"""The generic extractor's vocabulary, compiled once from `lexicon.toml`."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from fincoach.parsing.types import Direction

_FLAGS = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class Verb:
    start: int
    end: int
    direction: Direction
    strong: bool


@dataclass(frozen=True, slots=True)
class Lexicon:
    mask: re.Pattern[str]
    direction: re.Pattern[str]
    direction_meta: tuple[tuple[Direction, bool], ...]
    hard: re.Pattern[str]
    soft: tuple[tuple[str, re.Pattern[str], float], ...]
    headline: tuple[tuple[str, re.Pattern[str], float], ...]
    balance: re.Pattern[str]
    balance_value: re.Pattern[str]
    fee: re.Pattern[str]
    minor: re.Pattern[str]
    label: re.Pattern[str]

    def blank(self, text: str) -> str:
        """The text with masked phrases replaced by spaces (offsets are preserved)."""
        return self.mask.sub(lambda m: " " * len(m.group()), text)

    def verbs(self, text: str, offset: int = 0) -> list[Verb]:
        """The direction words in the text; `offset` is added to their positions."""
        found: list[Verb] = []
        for m in self.direction.finditer(text):
            index = int((m.lastgroup or "d0")[1:])
            direction, strong = self.direction_meta[index]
            found.append(Verb(m.start() + offset, m.end() + offset, direction, strong))
        return found

    def soft_penalty(self, text: str, headline: str = "") -> float:
        """Sum of the weights of the soft-negative kinds present in the text (near the amount)
        and of the headline kinds present in the headline (subject and first lines)."""
        near = sum(weight for _, pattern, weight in self.soft if pattern.search(text))
        return near + sum(
            weight for _, pattern, weight in self.headline if pattern.search(headline)
        )


def _kinds(
    patterns: dict[str, str], weights: dict[str, float]
) -> tuple[tuple[str, re.Pattern[str], float], ...]:
    return tuple(
        (name, re.compile(p, _FLAGS), float(weights.get(name, 2.0))) for name, p in patterns.items()
    )


@cache
def lexicon() -> Lexicon:
    data = tomllib.loads(
        resources.files("fincoach.parsing").joinpath("lexicon.toml").read_text("utf-8")
    )
    entries = data["direction"]
    alternation = "|".join(f"(?P<d{i}>{e['pattern']})" for i, e in enumerate(entries))
    meta = tuple((Direction(e["direction"]), bool(e["strong"])) for e in entries)
    context = data["context"]
    return Lexicon(
        mask=re.compile("|".join(f"(?:{p})" for p in data["mask"]["patterns"]), _FLAGS),
        direction=re.compile(alternation, _FLAGS),
        direction_meta=meta,
        hard=re.compile("|".join(f"(?:{p})" for p in data["negative"]["hard"]), _FLAGS),
        soft=_kinds(data["negative"]["soft"], data["negative"]["weights"]),
        headline=_kinds(data["negative"]["headline"], data["negative"]["weights"]),
        balance=re.compile(context["balance"], _FLAGS),
        balance_value=re.compile(context["balance_value"], _FLAGS),
        fee=re.compile(context["fee"], _FLAGS),
        minor=re.compile(context["minor"], _FLAGS),
        label=re.compile(context["label"], _FLAGS),
    )
