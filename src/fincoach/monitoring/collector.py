"""Gauges the API computes from PostgreSQL and Redis when Prometheus scrapes `/metrics`."""

from collections.abc import Iterator

import redis
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from fincoach.sync import repository

# The default Celery queue: its Redis list length is the backlog of messages.
QUEUE_NAME = "celery"


class ServiceCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session], broker: redis.Redis) -> None:
        self._sessions = sessions
        self._broker = broker

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._sessions() as session:
            stats = repository.job_stats(session)
        jobs = GaugeMetricFamily("fincoach_sync_jobs", "Sync jobs by status.", labels=["status"])
        for status, count in sorted(stats.by_status.items()):
            jobs.add_metric([status], count)
        yield jobs
        yield GaugeMetricFamily(
            "fincoach_emails_processed",
            "Emails processed by all sync jobs.",
            value=stats.processed_emails,
        )
        yield GaugeMetricFamily(
            "fincoach_emails_failed",
            "Emails that failed in all sync jobs.",
            value=stats.failed_emails,
        )
        yield GaugeMetricFamily(
            "fincoach_transactions", "Transactions in the ledger.", value=stats.transactions
        )
        yield GaugeMetricFamily(
            "fincoach_sync_throughput_emails_per_second",
            "Emails per second over recently completed jobs.",
            value=stats.throughput_emails_per_second,
        )
        try:
            depth = float(self._broker.llen(QUEUE_NAME))
        except redis.RedisError:
            depth = float("nan")
        yield GaugeMetricFamily(
            "fincoach_celery_queue_length", "Messages waiting in the Celery queue.", value=depth
        )
