"""`fincoach stack`: the whole service on this machine, in one step, with no Google account.

The Gmail emulator, migrations, the API, a worker and Beat as subprocesses (devstack), with
the settings that join them; then a user whose emulated mailbox is connected through the real
OAuth flow over HTTP and synced. It stays in the foreground until Ctrl-C or SIGTERM, then stops
every process it started.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import typer

from fincoach.cli import app
from fincoach.config import get_settings
from fincoach.devstack.connect import connect_gmail
from fincoach.devstack.database import ensure_database
from fincoach.devstack.emulator import CALLBACK_PATH, EmulatorInfo, emulator_env, write_env_file
from fincoach.devstack.processes import Services
from fincoach.migrations import runner

SYNC_DEADLINE = 300.0  # seconds for the first sync; the default mailbox takes well under 30


@app.command()
def stack(
    api_port: int = typer.Option(8000, min=1, max=65535, help="The API's port."),
    emulator_port: int = typer.Option(8765, min=0, max=65535, help="The emulator's (0: any)."),
    emails: int = typer.Option(600, min=1, max=20_000, help="Messages in the emulated mailbox."),
    months: int = typer.Option(6, min=1, max=6, help="How far back the first sync reads."),
    concurrency: int = typer.Option(2, min=1, help="The worker's processes."),
    database_url: str | None = typer.Option(None, help="Default: DATABASE_URL."),
    state_dir: Path = typer.Option(
        Path(".fincoach-stack"), file_okay=False, help="Logs, Beat's state, stack.env."
    ),
) -> None:
    """Run the whole service here: Gmail emulator, API, worker, Beat; a connected, synced user.

    PostgreSQL and Redis must be running (`make services`); the database is created when it
    does not exist. Ctrl-C stops everything.
    """
    settings = get_settings()
    db_url = database_url or settings.database_url
    logs = state_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    say = _Say()
    if ensure_database(db_url):
        say("created the database")
    runner.upgrade(db_url)
    say("schema migrated")
    services = Services({**os.environ, "PYTHONUNBUFFERED": "1"}, logs)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        services.start(
            "emulator",
            "gmail-emulator",
            *("--port", str(emulator_port), "--users", "1", "--emails-per-user", str(emails)),
        )
        gmail = EmulatorInfo.from_lines(services.json_lines("emulator", until_key="base_url"))
        services.wait_http(f"{gmail.base_url}/admin/counters", name="emulator")
        say(f"gmail emulator at {gmail.base_url}")
        api_url = f"http://127.0.0.1:{api_port}"
        service_env = {
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": settings.celery_broker_url,
            "CELERY_RESULT_BACKEND": settings.celery_result_backend,
            "ENVIRONMENT": "development",
            # Throwaway: tokens of this run die with it; nothing else is signed with it.
            "SECRET_KEY": secrets.token_urlsafe(48),
            "GOOGLE_REDIRECT_URI": api_url + CALLBACK_PATH,
            **emulator_env(
                gmail.base_url, client_id=gmail.client_id, client_secret=gmail.client_secret
            ),
        }
        env_file = state_dir / "stack.env"
        write_env_file(env_file, service_env)
        services.env = {**services.env, **service_env}
        services.start("api", "api", "--port", str(api_port))
        services.start("worker", "worker", "--concurrency", str(concurrency))
        services.start("beat", "beat", "--schedule", str(state_dir / "celerybeat-schedule"))
        services.wait_http(f"{api_url}/health", name="api")
        say(f"API at {api_url}, a worker and Beat running")
        [address] = gmail.addresses
        user_id = _cli(services.env, "admin", "create-user", address)
        token = _cli(services.env, "admin", "token", user_id, "--ttl", str(7 * 24 * 60))
        connected = connect_gmail(api_url, token=token, user_id=user_id, login_hint=address)
        say(f"user {address} ({user_id}): gmail connected through OAuth ({connected['status']})")
        job = _sync(services, api_url, token, user_id, months=months, say=say)
        _print_ready(api_url, gmail.base_url, user_id, token, job, env_file, logs)
        while True:
            services.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        say("stopping")
    finally:
        services.stop()


class _Say:
    """Progress lines on stderr, with the seconds since the start."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, text: str) -> None:
        typer.echo(f"[{time.monotonic() - self.started:5.1f}s] {text}", err=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _cli(env: dict[str, str], *args: str) -> str:
    """What `fincoach ARGS` prints last on stdout (admin commands print just the value)."""
    command = [sys.executable, "-c", "from fincoach.cli import main; main()", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    if done.returncode != 0:
        raise typer.BadParameter(f"fincoach {args[0]} {args[1]} failed: {done.stderr[-1000:]}")
    return done.stdout.strip().splitlines()[-1]


def _sync(
    services: Services, api_url: str, token: str, user_id: str, *, months: int, say: _Say
) -> dict[str, Any]:
    """Start the user's sync over HTTP and wait until its job ends; the job's JSON."""
    with httpx.Client(
        base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        started = client.post(f"/api/v1/email-sync/start/{user_id}", params={"months": months})
        if started.status_code not in (200, 202):
            raise typer.BadParameter(f"sync start: {started.status_code} {started.text[:500]}")
        job_id = started.json()["job_id"]
        say(f"sync job {job_id} started")
        deadline = time.monotonic() + SYNC_DEADLINE
        while True:
            services.check_alive()
            jobs = client.get(f"/api/v1/email-sync/history/{user_id}", params={"limit": 100})
            job: dict[str, Any] = next(j for j in jobs.json()["jobs"] if j["job_id"] == job_id)
            if job["status"] not in ("pending", "processing"):
                return job
            if time.monotonic() > deadline:
                say(f"sync job still {job['status']} after {SYNC_DEADLINE:.0f}s; see the logs")
                return job
            time.sleep(1)


def _print_ready(
    api_url: str,
    gmail_url: str,
    user_id: str,
    token: str,
    job: dict[str, Any],
    env_file: Path,
    logs: Path,
) -> None:
    typer.echo(
        f"""
FinCoach is running.
  API:            {api_url}  (OpenAPI: {api_url}/docs)
  Gmail emulator: {gmail_url}
  user id:        {user_id}
  token:          {token}
  first sync:     {job["status"]}: {job["processed_emails"]}/{job["total_emails"]} emails, \
{job["parsed_transactions"]} transactions ({job["new_transactions"]} new), \
{job["failed_emails"]} failed
  logs:           {logs}/ (JSON lines)

Try:
  export USER_ID={user_id} TOKEN={token}
  curl -H "Authorization: Bearer $TOKEN" "{api_url}/api/v1/transactions/$USER_ID?limit=5"
The CLI against this stack: set -a; . {env_file}; set +a; fincoach category list $USER_ID
Beat checks the mailbox for new mail every SYNC_INTERVAL_MINUTES (30).

Stop: Ctrl-C here (or kill -TERM {os.getpid()}): every process above stops with it.
""".rstrip()
    )
