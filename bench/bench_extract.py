"""Throughput of the whole pipeline (`parse`) over a corpus on one core; prints messages/s.

PYTHONPATH=src .venv/bin/python bench/bench_extract.py [/work/shared/corpus/dev.jsonl]
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

from fincoach.evaluation.corpus import read_corpus, to_raw_email
from fincoach.kit.errors import MalformedEmail
from fincoach.parsing import parse

DEFAULT = Path("/work/shared/corpus/dev.jsonl")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    raws = [to_raw_email(r) for r in read_corpus(path)]
    for raw in raws:  # warm the compiled-pattern caches
        with contextlib.suppress(MalformedEmail):
            parse(raw)
    rounds = 5
    start = time.perf_counter()
    for _ in range(rounds):
        for raw in raws:
            with contextlib.suppress(MalformedEmail):
                parse(raw)
    elapsed = time.perf_counter() - start
    total = rounds * len(raws)
    print(f"{total / elapsed:,.0f} msgs/s ({total} messages, {elapsed * 1000 / total:.3f} ms each)")


if __name__ == "__main__":
    main()
