"""Scale benchmark: N Gmail mailboxes x M emails synced by the real stack; prints a report.

    make bench-scale USERS=1000 EMAILS=1500      # the acceptance run (about 20 minutes)
    make bench-quick                             # the same, small, in under 3 minutes

Starts the Gmail emulator (scale_emulator.py: generated mail on demand, Gmail's per-user quota,
100 ms a request), a fresh migrated PostgreSQL database, a dedicated Redis database, Celery
worker processes and the API; stores each user's Gmail refresh token encrypted on a mailbox
(as the OAuth callback does), starts every user's initial sync with POST
/api/v1/email-sync/start/{user_id}, waits for the last job, then reports wall time, emails/s,
CPU per email by process group (from /proc), peak RSS per worker process, rows and size in
PostgreSQL, the emulator's 429 counters, and whether the ledger is exact (scale_verify.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis
from pydantic import SecretStr
from scale_stack import (
    ROOT,
    CpuMeter,
    Stack,
    drop_database,
    free_port,
    fresh_database,
    machine_busy_seconds,
    processes_named,
    wait_until,
)
from scale_verify import verify
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from fincoach.config import Settings
from fincoach.kit.crypto import TokenCipher, generate_key
from fincoach.models import MailboxStatus, MailProvider
from fincoach.users.service import get_or_create_mailbox, get_or_create_user

ADMIN_URL = os.environ.get(
    "BENCH_DATABASE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
# The benchmark's own database, flushed before and after (the tests use 11, 12 and 13).
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "15"))


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--emails", type=int, default=1500)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--latency-ms", type=int, default=100)
    p.add_argument("--concurrency", type=int, default=8, help="worker processes (prefork)")
    p.add_argument("--batch-size", type=int, default=250, help="EMAIL_BATCH_SIZE: emails a task")
    p.add_argument("--gmail-batch-size", type=int, default=50, help="calls per Gmail batch")
    p.add_argument("--sample", type=int, default=20, help="users whose ledger is checked exactly")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for the syncs")
    p.add_argument("--worker-loglevel", default="WARNING")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--json", type=Path, help="also write the report here")
    return p.parse_args()


def _users(database_url: str, settings: Settings, creds: list[dict[str, str]]) -> list[str]:
    """Users with a connected Gmail mailbox, the refresh token encrypted as the callback does."""
    cipher = TokenCipher(settings.token_encryption_keys)
    engine = create_engine(settings.database_url)
    ids = []
    with Session(engine) as session:
        for line in creds:
            user = get_or_create_user(session, email=line["address"])
            mailbox = get_or_create_mailbox(
                session, user=user, provider=MailProvider.GMAIL, address=line["address"]
            )
            mailbox.credentials_encrypted = cipher.encrypt(line["refresh_token"])
            mailbox.status = MailboxStatus.ACTIVE
            ids.append(str(user.id))
        session.commit()
    engine.dispose()
    return ids


def _api_key(settings: Settings) -> str | None:
    """An admin API key when the API wants authentication (None on a build without auth)."""
    try:
        from fincoach.auth.api_keys import create_api_key
        from fincoach.models import Role
    except ImportError:  # imported here: a build without the auth slice has no key to make
        return None
    engine = create_engine(settings.database_url)
    with Session(engine) as session:
        admin = get_or_create_user(session, email="bench-admin@fincoach.example")
        admin.role = Role.ADMIN
        key = create_api_key(session, user_id=admin.id, name="bench").key
        session.commit()
    engine.dispose()
    return key


def _progress(database_url: str) -> tuple[dict[str, int], int]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT status, count(*), coalesce(sum(processed_emails), 0)"
            " FROM email_sync_jobs GROUP BY status"
        ).fetchall()
    return {s: int(n) for s, n, _ in rows}, sum(int(p) for _, _, p in rows)


def _database_facts(database_url: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT count(*) FROM transactions").fetchone()
        table = conn.execute("SELECT pg_total_relation_size('transactions')").fetchone()
        database = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        last = conn.execute("SELECT max(completed_at) FROM email_sync_jobs").fetchone()
    return {
        "rows": rows[0] if rows else 0,
        "table_mb": round((table[0] if table else 0) / 2**20, 1),
        "database_mb": round((database[0] if database else 0) / 2**20, 1),
        "last_completed": last[0] if last else None,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    # Logs and the emulator's credentials stay out of the repository.
    logs = Path(tempfile.mkdtemp(prefix="fincoach-bench-"))
    print(f"logs in {logs}", flush=True)
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
    db_name, database_url = fresh_database(ADMIN_URL)
    _CREATED.append(db_name)
    broker_url = f"{REDIS_URL}/{REDIS_DB}"
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    creds_path = logs / "credentials.jsonl"
    # BENCH_SRC runs the stack from another copy of the sources (a before/after comparison).
    src = os.environ.get("BENCH_SRC", str(ROOT / "src"))
    env = {**os.environ, "PYTHONPATH": f"{src}:{ROOT / 'bench'}"}
    stack = Stack(env, logs)
    report: dict[str, Any] = {"users": args.users, "emails_per_user": args.emails}
    try:
        started_setup = time.monotonic()
        stack.start(
            "emulator",
            [
                sys.executable,
                str(ROOT / "bench" / "scale_emulator.py"),
                f"--users={args.users}",
                f"--emails={args.emails}",
                f"--seed={args.seed}",
                f"--end={int(end.timestamp())}",
                f"--latency-ms={args.latency_ms}",
                f"--credentials={creds_path}",
            ],
            stdout_pipe=True,
        )
        emulator_out = stack.procs["emulator"].stdout
        assert emulator_out is not None
        base = json.loads(emulator_out.readline())["base_url"]
        creds = [json.loads(line) for line in creds_path.read_text().splitlines()]
        env.update(
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker_url,
            CELERY_RESULT_BACKEND=broker_url,
            GMAIL_API_ENDPOINT=base,
            GOOGLE_TOKEN_URI=f"{base}/token",
            GOOGLE_CLIENT_ID=creds[0]["client_id"],
            GOOGLE_CLIENT_SECRET=creds[0]["client_secret"],
            TOKEN_ENCRYPTION_KEYS=generate_key(),
            EMAIL_BATCH_SIZE=str(args.batch_size),
            GMAIL_BATCH_SIZE=str(args.gmail_batch_size),
            EMAIL_FETCH_DAYS="180",
            # Every message is fetched and parsed: the heavier case, and the one whose ledger
            # can be checked against the whole mailbox.
            GMAIL_PREFILTER_QUERY="",
            ENVIRONMENT="test",
            LOG_LEVEL="WARNING",
        )
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            token_encryption_keys=[SecretStr(env["TOKEN_ENCRYPTION_KEYS"])],
        )
        user_ids = _users(database_url, settings, creds)
        key = _api_key(settings)
        port = free_port()
        stack.fincoach("api", "api", "--port", str(port))
        stack.fincoach(
            "worker",
            "worker",
            f"--concurrency={args.concurrency}",
            f"--loglevel={args.worker_loglevel}",
            "--hostname=bench@%h",
        )
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, headers=headers)
        wait_until(
            lambda: client.get("/health").status_code == 200,
            timeout=60,
            what="the API",
            stack=stack,
        )
        wait_until(
            lambda: len(CpuMeter({"w": stack.pid("worker")}).peak_rss("w")) > args.concurrency,
            timeout=60,
            what="the worker processes",
            stack=stack,
        )
        time.sleep(1.0)  # let the prefork children finish importing before the meter starts
        report["setup_s"] = round(time.monotonic() - started_setup, 1)

        groups = {name: stack.pid(name) for name in ("worker", "emulator", "api")}
        for i, pid in enumerate(processes_named("postgres")):
            groups[f"postgres{i}"] = pid
        for i, pid in enumerate(processes_named("redis-server")):
            groups[f"redis{i}"] = pid
        meter = CpuMeter(groups)
        meter.sample()
        busy0 = machine_busy_seconds()
        t0 = time.monotonic()
        wall0 = datetime.now(UTC)

        def start(user_id: str) -> int:
            return client.post(f"/api/v1/email-sync/start/{user_id}?months=6").status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(start, user_ids))
        bad = [c for c in codes if c != 202]
        if bad:
            raise RuntimeError(f"{len(bad)} sync starts were refused: {sorted(set(bad))}")
        report["start_requests_s"] = round(time.monotonic() - t0, 1)

        total = args.users * args.emails
        last_print = 0.0
        while True:
            stack.check_alive()
            meter.sample()
            statuses, processed = _progress(database_url)
            active = statuses.get("pending", 0) + statuses.get("processing", 0)
            elapsed = time.monotonic() - t0
            if elapsed - last_print >= 10:
                last_print = elapsed
                print(
                    f"  {elapsed:6.0f} s  {processed:>9,}/{total:,} emails  "
                    f"{processed / elapsed:7.0f}/s  jobs {statuses}",
                    flush=True,
                )
            if active == 0 and sum(statuses.values()) >= args.users:
                break
            if elapsed > args.timeout:
                raise TimeoutError(f"not done after {args.timeout:.0f} s: {statuses}")
            time.sleep(2.0)
        meter.sample()
        busy = machine_busy_seconds() - busy0
        facts = _database_facts(database_url)
        wall = (facts.pop("last_completed") - wall0).total_seconds()
        counters = client.get(f"{base}/admin/counters").json()
        cpu = meter.by_group()
        worker_cpu = cpu["worker"]
        ours = sum(cpu.values())
        rss = meter.peak_rss("worker")
        report.update(
            wall_s=round(wall, 1),
            emails=processed,
            emails_per_s=round(processed / wall, 1),
            worker_cpu_ms_per_email=round(1000 * worker_cpu / max(processed, 1), 3),
            emulator_cpu_ms_per_email=round(1000 * cpu["emulator"] / max(processed, 1), 3),
            postgres_cpu_ms_per_email=round(
                1000
                * sum(v for k, v in cpu.items() if k.startswith("postgres"))
                / max(processed, 1),
                3,
            ),
            redis_cpu_s=round(sum(v for k, v in cpu.items() if k.startswith("redis")), 1),
            api_cpu_s=round(cpu["api"], 1),
            emulator_share_of_cpu=round(cpu["emulator"] / max(busy, 1e-9), 3),
            machine_busy_cores=round(busy / wall, 2),
            other_processes_cores=round(max(busy - ours, 0) / wall, 2),
            peak_rss_mb_per_worker_process=round(max(rss.values(), default=0.0), 1),
            worker_processes=len(rss),
            **facts,
            http_requests=counters["http_requests"],
            batches=counters["batches"],
            messages_served=counters["messages_served"],
            rate_limited_429=counters["rate_limited_total"] + counters["injected_429"],
            jobs=statuses,
        )
        client.close()
    finally:
        stack.stop()
        broker.flushdb()
        broker.close()
    started = time.monotonic()
    verdict = verify(
        database_url,
        seed=args.seed,
        users=args.users,
        emails=args.emails,
        end=end,
        sample=min(args.sample, args.users),
    )
    report.update(
        ledger_exact=verdict.ok,
        ledger_problems=verdict.problems,
        jobs_completed=verdict.jobs_completed,
        sample_users_checked_exactly=verdict.sample_users,
        sample_rows=verdict.sample_rows,
        sample_generator_truth=verdict.sample_truth,
        verify_s=round(time.monotonic() - started, 1),
    )
    if args.keep:
        report["database_kept"] = db_name
    return report


_CREATED: list[str] = []


def _drop_leftovers(keep: bool) -> None:
    if not keep:
        for name in _CREATED:
            drop_database(ADMIN_URL, name)


def print_report(report: dict[str, Any]) -> None:
    print("\nscale benchmark")
    for key, value in report.items():
        print(f"  {key:<34} {value}")


def main() -> None:
    args = _args()
    try:
        report = run(args)
    finally:
        _drop_leftovers(args.keep)
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str))
    sys.exit(0 if report["ledger_exact"] else 1)


if __name__ == "__main__":
    main()
