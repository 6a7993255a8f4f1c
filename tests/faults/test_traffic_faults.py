"""Gmail misbehaves, Beat runs twice, fifty start requests race: the ledger stays exact.

Same harness and closing checks as test_process_faults.py (tests/faults/stack.py).
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from fincoach.db import make_session_factory
from fincoach.models import ACTIVE_STATUSES, EmailSyncJob
from tests.faults.servers import PrivatePostgres, PrivateRedis
from tests.faults.stack import (
    MONTHS,
    connect_users,
    finish,
    progressed,
    running_stack,
    start_syncs,
    wait_until,
)
from tests.integration.gmail import expected_ledger

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

STALL_MS = 3000  # answers this slow for a while: longer than the queue wait the reaper allows
STALL_SECONDS = 6.0
NEW_MAIL = 15
STARTS = 50


def test_gmail_drops_connections_answers_5xx_and_429_and_stalls(
    private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    with running_stack(private_postgres, private_redis, tmp_path) as stack:
        connect_users(stack)
        stack.gmail.admin("DELETE", "/counters")
        # From the first listing call on: every kind of call meets every kind of fault.
        stack.faults(drop_rate=0.1, error_5xx_rate=0.1, rate_429_rate=0.1)
        started = datetime.now(UTC)
        jobs = start_syncs(stack)
        wait_until("a batch in progress", stack, lambda: progressed(stack, at_least=20))
        # A stall: every answer takes seconds, longer than JOB_STALL_SECONDS. A job whose
        # worker is waiting on Gmail holds its row lock, so the reaper must leave it alone.
        stack.faults(latency_ms=STALL_MS)
        time.sleep(STALL_SECONDS)
        stack.faults(latency_ms=0)
        report = finish(stack, jobs, started=started, extra={})
        counters = stack.counters()
        assert counters["injected_5xx"] > 0
        assert counters["injected_429"] > 0
        assert counters["dropped_connections"] > 0
        print(
            f"\nGmail faults (10 % drops, 10 % 5xx, 10 % 429, then {STALL_MS} ms answers for "
            f"{STALL_SECONDS:.0f} s): {counters['dropped_connections']} dropped connections, "
            f"{counters['injected_5xx']} x 5xx, {counters['injected_429']} x 429 over "
            f"{counters['api_calls']} calls; reaper resumes: "
            f"{_count_logs(tmp_path, 'sync.stalled_jobs_resumed')}; {report}"
        )


def test_two_beats_at_once_create_no_duplicate_job(
    private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    with running_stack(private_postgres, private_redis, tmp_path, beats=2) as stack:
        connect_users(stack)
        started = datetime.now(UTC)
        jobs = start_syncs(stack)
        doubled: list[int] = []
        stop = threading.Event()

        def watch() -> None:
            # Sampled all along: never two active jobs on one mailbox.
            sessions = make_session_factory(stack.engine)
            while not stop.is_set():
                with sessions() as session:
                    doubled.append(
                        len(
                            session.execute(
                                select(EmailSyncJob.mailbox_id)
                                .where(EmailSyncJob.status.in_(ACTIVE_STATUSES))
                                .group_by(EmailSyncJob.mailbox_id)
                                .having(func.count() > 1)
                            ).all()
                        )
                    )
                time.sleep(0.1)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            wait_until(
                "initial syncs",
                stack,
                lambda: all(
                    j.status.value == "completed" for j in stack.jobs() if j.kind.value == "initial"
                ),
            )
            # New mail, found only by the incremental syncs both Beats keep scheduling.
            extra = {}
            for user_id, address in stack.address_of.items():
                added = stack.gmail.add_mail(address, NEW_MAIL)
                extra[user_id] = expected_ledger(stack.gmail.fetch_raw(address, added))
            report = finish(stack, jobs, started=started, extra=extra)
        finally:
            stop.set()
            watcher.join()
        assert doubled and not any(doubled)
        schedules = _count_logs(tmp_path, "sync.schedule_incremental_sync", prefix="beat")
        per_mailbox = Counter((str(j.mailbox_id)[:8], j.kind.value) for j in stack.jobs())
        print(
            f"\nTwo Beats: {schedules} schedule rounds sent by both, {len(doubled)} samples with "
            f"never two active jobs on one mailbox; jobs per (mailbox, kind): "
            f"{dict(per_mailbox)}; {report}"
        )


def test_fifty_concurrent_start_requests_create_one_job(
    private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    with running_stack(private_postgres, private_redis, tmp_path) as stack:
        connect_users(stack)
        target = next(iter(stack.clients))
        token = stack.clients[target].headers["Authorization"]
        barrier = threading.Barrier(STARTS)

        def start(_: int) -> httpx.Response:
            with httpx.Client(
                base_url=stack.api_url, headers={"Authorization": token}, timeout=60
            ) as client:
                barrier.wait()
                return client.post(f"/api/v1/email-sync/start/{target}?months={MONTHS}")

        started = datetime.now(UTC)
        with ThreadPoolExecutor(STARTS) as pool:
            answers = list(pool.map(start, range(STARTS)))
        codes = Counter(a.status_code for a in answers)
        # One request created the job (202); every other one got that same job back (200).
        # The per-user start limit counts jobs, not requests, so none of them is a 429.
        assert codes == {202: 1, 200: STARTS - 1}, codes
        assert len({a.json()["job_id"] for a in answers}) == 1
        jobs = {target: answers[0].json()["job_id"]}
        others = {u: c for u, c in stack.clients.items() if u != target}
        for user_id, client in others.items():
            answer = client.post(f"/api/v1/email-sync/start/{user_id}?months={MONTHS}")
            assert answer.status_code == 202, answer.text
            jobs[user_id] = answer.json()["job_id"]
        report = finish(stack, jobs, started=started, extra={})
        with make_session_factory(stack.engine)() as session:
            initial = session.scalar(
                text(
                    "SELECT count(*) FROM email_sync_jobs WHERE user_id = :u AND kind = 'initial'"
                ),
                {"u": target},
            )
        assert initial == 1
        print(f"\n{STARTS} concurrent starts for one user: answers {dict(codes)}, 1 job; {report}")


def _count_logs(logs: Path, needle: str, *, prefix: str = "worker") -> int:
    return sum(
        path.read_text(errors="replace").count(needle) for path in logs.glob(f"{prefix}*.log")
    )
