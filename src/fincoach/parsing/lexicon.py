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
    balance: re.Pattern[str]
    balance_value: re.Pattern[str]
    fee: re.Pattern[str]
    minor: re.Pattern[str]
    label: re.Pattern[str]

    def blank(self, text: str) -> str:
        """The text with masked phrases replaced by spaces (offsets are preserved)."""
        return self.mask.sub(lambda m: " " * len(m.group()), text)

    def verbs(self, text: str) -> list[Verb]:
        found: list[Verb] = []
        for m in self.direction.finditer(text):
            index = int((m.lastgroup or "d0")[1:])
            direction, strong = self.direction_meta[index]
            found.append(Verb(m.start(), m.end(), direction, strong))
        return found

    def soft_penalty(self, text: str) -> float:
        """Sum of the weights of the soft-negative kinds present in the text."""
        return sum(weight for _, pattern, weight in self.soft if pattern.search(text))


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
        soft=tuple(
            (name, re.compile(p, _FLAGS), float(data["negative"]["weights"].get(name, 2.0)))
            for name, p in data["negative"]["soft"].items()
        ),
        balance=re.compile(context["balance"], _FLAGS),
        balance_value=re.compile(context["balance_value"], _FLAGS),
        fee=re.compile(context["fee"], _FLAGS),
        minor=re.compile(context["minor"], _FLAGS),
        label=re.compile(context["label"], _FLAGS),
    )
