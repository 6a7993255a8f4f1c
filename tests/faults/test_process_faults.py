"""Processes die and servers restart mid-sync; the ledger must still come out exact.

Each test runs the whole service (tests/faults/stack.py) on private PostgreSQL and Redis
servers, injects one fault while the initial syncs are half way, and ends with `finish`: the
exact expected ledger, every job completed, none failed, none stuck pending or processing.
"""

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.faults.servers import PrivatePostgres, PrivateRedis
from tests.faults.stack import (
    FaultServices,
    Stack,
    connect_users,
    finish,
    progressed,
    running_stack,
    start_syncs,
    start_worker,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
T = TypeVar("T")

# Slow enough answers that a kill lands inside a batch, not between two.
LATENCY_MS = 150
RECEIVED = re.compile(r"Task sync\.process_batch\[([0-9a-f-]+)\] received")


def _logs(services: FaultServices) -> str:
    return "".join(
        path.read_text(errors="replace") for path in sorted(services.logs.glob("worker*.log"))
    )


def count(services: FaultServices, text: str) -> int:
    return _logs(services).count(text)


def resumed_by_reaper(services: FaultServices) -> int:
    """Rounds in which a reaper resent jobs: on a worker, or in Beat's own process."""
    beats = "".join(
        path.read_text(errors="replace") for path in sorted(services.logs.glob("beat*.log"))
    )
    return (_logs(services) + beats).count("sync.stalled_jobs_resumed")


def repeated_deliveries(services: FaultServices) -> int:
    """Deliveries of a process_batch message beyond its first (redeliveries and retries)."""
    seen = Counter(RECEIVED.findall(_logs(services)))
    return sum(n - 1 for n in seen.values())


def _kill_children_until_a_task_is_lost(services: FaultServices, worker: str) -> int:
    # A child may be between two tasks when it dies; kill again until one dies mid-task.
    kills = 0
    while count(services, "WorkerLostError") == 0 and kills < 10:
        for pid in services.pool_children(worker):
            os.kill(pid, signal.SIGKILL)
            kills += 1
        time.sleep(1.0)
    assert count(services, "WorkerLostError") >= 1, "no kill landed inside a task"
    return kills


def _disrupted_sync(stack: Stack, disrupt: Callable[[], T]) -> tuple[T, dict[str, Any]]:
    """Start every user's sync with slow Gmail answers, `disrupt` once a batch is in progress,
    then let it finish: `finish` asserts the exact ledger and every job completed."""
    connect_users(stack)
    stack.faults(latency_ms=LATENCY_MS)
    started = datetime.now(UTC)
    jobs = start_syncs(stack)
    wait_until("a batch in progress", stack, lambda: progressed(stack, at_least=20))
    outcome = disrupt()
    stack.faults(latency_ms=0)
    return outcome, finish(stack, jobs, started=started, extra={})


def test_sigkill_of_the_pool_child_running_a_batch(
    private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    with running_stack(private_postgres, private_redis, tmp_path) as stack:
        kills, report = _disrupted_sync(
            stack, lambda: _kill_children_until_a_task_is_lost(stack.services, "worker1")
        )
        # reject_on_worker_lost gave the message back: the lost task ran again, elsewhere.
        assert repeated_deliveries(stack.services) >= 1
        print(
            f"\nSIGKILL pool child: {kills} kill(s), "
            f"{count(stack.services, 'WorkerLostError: Worker exited')} task(s) lost with their "
            f"process, {repeated_deliveries(stack.services)} redelivered at once; "
            f"reaper resumes: {resumed_by_reaper(stack.services)}; {report}"
        )


def test_sigkill_of_a_whole_worker_mid_batch(
    private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    with running_stack(private_postgres, private_redis, tmp_path) as stack:
        # Main process and pool child at once: nobody is left to give the message back, and
        # Redis would redeliver it only after the visibility timeout (2 h). The reaper must.
        def kill_whole_worker() -> None:
            stack.services.kill_group("worker2")
            start_worker(stack.services, "worker3")  # what a supervisor does; changes nothing

        _, report = _disrupted_sync(stack, kill_whole_worker)
        resumed = resumed_by_reaper(stack.services)
        assert resumed >= 1, "the killed worker's job was not resumed by the reaper"
        print(f"\nSIGKILL whole worker: reaper resumed jobs {resumed} time(s); {report}")


def _worker_processes(services: FaultServices) -> dict[str, int]:
    """Each worker's main process id, checked alive (a worker that exited fails here)."""
    services.check_alive()
    return {name: proc.pid for name, proc in services.procs if name.startswith("worker")}


def test_redis_restart_mid_sync_loses_the_queue_not_the_ledger(
    private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    # The deployed concurrency (docker-compose, docs): several unacknowledged messages per
    # worker when the broker goes away, which is what used to kill the worker (issue 10).
    with running_stack(private_postgres, private_redis, tmp_path, concurrency=4) as stack:
        workers = _worker_processes(stack.services)
        # No persistence: every queued and unacknowledged message is gone after the restart.
        # The workers are left alone: no supervisor restarts them, no test replaces them.
        _, report = _disrupted_sync(stack, lambda: private_redis.restart(down_seconds=2.0))
        assert _worker_processes(stack.services) == workers, "a worker was replaced"
        assert all(stack.services.pool_children(name) for name in workers)
        assert count(stack.services, "Unrecoverable error") == 0
        reconnects = count(stack.services, "Connected to redis")
        assert reconnects >= 2 * len(workers), "a worker did not reconnect to the broker"
        resumed = resumed_by_reaper(stack.services)
        assert resumed >= 1, "jobs whose messages Redis lost were not resumed"
        print(
            f"\nRedis restart (2 s down, queue lost), workers left alone: reaper resumed jobs "
            f"{resumed} time(s), broker (re)connects: {reconnects}; {report}"
        )


def test_postgres_restart_mid_sync(
    private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    with running_stack(private_postgres, private_redis, tmp_path) as stack:
        _, report = _disrupted_sync(stack, lambda: private_postgres.restart(down_seconds=3.0))
        retries = count(stack.services, "retry: Retry in")
        assert retries >= 1, "no task met the database restart"
        print(
            f"\nPostgreSQL restart (3 s down): {retries} task retries with back-off, "
            f"reaper resumes: {resumed_by_reaper(stack.services)}; {report}"
        )
