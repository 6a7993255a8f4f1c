"""Prometheus metrics.

Workers and the API are separate processes (and containers), so there are two kinds:
- per-process instruments below, observed where the work happens; under prefork they are
  aggregated through prometheus_client's multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set;
- job-derived gauges computed by the API from the database at scrape time (`collector.py`),
  which are correct however many workers run.
"""

import os

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

EMAILS_PROCESSED = Counter("fincoach_worker_emails_processed", "Emails processed by this worker.")
TRANSACTIONS_PARSED = Counter(
    "fincoach_worker_transactions_parsed", "Transactions extracted by this worker."
)
EMAILS_FAILED = Counter("fincoach_worker_emails_failed", "Emails that failed to fetch or parse.")
JOBS_FINISHED = Counter("fincoach_worker_jobs_finished", "Sync jobs finished.", ["status"])
BATCH_SECONDS = Histogram(
    "fincoach_sync_batch_seconds",
    "Wall time of one sync batch (fetch, parse, insert).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)


def observe_batch(processed: int, transactions: int, failed: int, seconds: float) -> None:
    EMAILS_PROCESSED.inc(processed)
    TRANSACTIONS_PARSED.inc(transactions)
    EMAILS_FAILED.inc(failed)
    BATCH_SECONDS.observe(seconds)


def process_registry() -> CollectorRegistry:
    """The registry to expose: all prefork children's files in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return DEFAULT_REGISTRY


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
