"""Hypothesis-driven fuzzing of the whole parsing pipeline with hostile email.

The run is FUZZ_EXAMPLES messages (default 100,000, the issue's floor) across the strategies of
`hostile.py`. Every message must either parse or raise MalformedEmail with a short reason, and
none may hang. Memory is checked apart from hypothesis (whose own bookkeeping grows with every
example): thousands of distinct hostile messages parsed after a warm-up must not grow the
process. A soak with more examples: FUZZ_EXAMPLES=1000000.
"""

import contextlib
import gc
import os
import random
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from fincoach.kit.errors import MalformedEmail
from fincoach.parsing import ParsedTransaction, parse
from tests.fuzz.hostile import hostile_message, hostile_messages

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100000"))
# A hang detector, not a speed goal: the slowest message seen is far below this.
HANG_SECONDS = 10.0
# After a warm-up, what thousands more distinct hostile messages may leave allocated. Bounded
# caches (the re module's, our codec names') account for a little; a leak for far more.
LEAK_LIMIT_KIB = 1024

stats = {"messages": 0, "malformed": 0, "slowest": 0.0}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(raw=hostile_messages)
def _fuzz(raw: bytes) -> None:
    started = time.perf_counter()
    reason = None
    try:
        result = parse(raw)
    except MalformedEmail as exc:
        stats["malformed"] += 1
        reason, result = exc.message, []
    if reason is not None:
        assert len(reason) <= 120  # a short reason that never quotes the message
        assert len(raw) < 8 or raw[:40] not in reason.encode()
    elapsed = time.perf_counter() - started
    stats["slowest"] = max(stats["slowest"], elapsed)
    assert elapsed < HANG_SECONDS, f"one message took {elapsed:.1f} s"
    assert all(isinstance(t, ParsedTransaction) for t in result)
    stats["messages"] += 1


# 100,000 examples take several minutes: more than the suite's per-test default.
@pytest.mark.timeout(3600)
def test_hostile_messages_never_crash_or_hang() -> None:
    _fuzz()
    print(
        f"\nfuzzed {stats['messages']} hostile messages: {stats['malformed']} malformed, "
        f"slowest {stats['slowest'] * 1000:.0f} ms"
    )
    assert stats["messages"] >= EXAMPLES * 0.95  # hypothesis may stop a little short


def _parse_quietly(raw: bytes) -> None:
    with contextlib.suppress(MalformedEmail):
        parse(raw)


def test_parsing_hostile_messages_does_not_grow_memory() -> None:
    rng = random.Random(99)
    for _ in range(3_000):  # warm-up: caches fill up to their bounds
        _parse_quietly(hostile_message(rng))
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(6_000):
            _parse_quietly(hostile_message(rng))
        gc.collect()
        growth, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\nmemory kept after 6,000 more hostile messages: {growth / 1024:.0f} KiB")
    assert growth / 1024 < LEAK_LIMIT_KIB
