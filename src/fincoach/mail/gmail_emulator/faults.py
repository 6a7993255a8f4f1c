"""Faults injected on purpose, so clients prove their retries and back-off against them."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class FaultSettings:
    latency_ms: int = 0  # added to every HTTP request (a batch counts once)
    error_5xx_rate: float = 0.0  # share of calls answered 503 backendError
    rate_429_rate: float = 0.0  # share of calls answered 429 rateLimitExceeded
    drop_rate: float = 0.0  # share of HTTP requests whose connection is cut mid-response
    # Message ids whose messages.get answers 500 backendError every time: the message Gmail
    # cannot serve (issue 10 met one in a 3,000-level multipart), among others it serves.
    failing_messages: list[str] = field(default_factory=list)
    # Message ids that make a whole batch request fail (500 on the envelope), as a front end
    # that chokes on one part does: every part of that batch fails with it.
    batch_failing_messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise ValueError(f"unknown fault setting {name}")
            current = getattr(self, name)
            if isinstance(current, list):
                if not isinstance(value, list):
                    raise ValueError(f"{name} must be a list of message ids")
                setattr(self, name, [str(v) for v in value])
                continue
            new = type(current)(value)
            if name.endswith("_rate") and not 0.0 <= new <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
            setattr(self, name, new)


class Faults:
    """Draws faults from a seeded generator: the same seed gives the same sequence of faults."""

    def __init__(self, settings: FaultSettings, *, seed: int = 0) -> None:
        self.settings = settings
        self._random = random.Random(seed)

    def call_fault(self) -> int | None:
        """The status to fail one API call with (503 or 429), or None to let it through."""
        settings = self.settings
        if settings.error_5xx_rate and self._random.random() < settings.error_5xx_rate:
            return 503
        if settings.rate_429_rate and self._random.random() < settings.rate_429_rate:
            return 429
        return None

    def fails_message(self, message_id: str) -> bool:
        return message_id in self.settings.failing_messages

    def fails_batch(self, paths: list[str]) -> bool:
        poison = self.settings.batch_failing_messages
        return bool(poison) and any(path.rsplit("/", 1)[-1] in poison for path in paths)

    def drop(self) -> bool:
        rate = self.settings.drop_rate
        return bool(rate) and self._random.random() < rate
