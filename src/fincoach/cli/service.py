"""`fincoach api|worker|beat`, `fincoach sync start` and `fincoach reparse`: the service.

Each command calls the same services the API and the tasks call.
"""

import time
import uuid
from pathlib import Path

import typer
from prometheus_client import start_http_server
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fincoach.cli import app
from fincoach.config import get_settings
from fincoach.kit.errors import FincoachError
from fincoach.models import ACTIVE_STATUSES, EmailSyncJob, JobKind
from fincoach.monitoring import metrics
from fincoach.monitoring.logs import configure_logging
from fincoach.sync import service, tasks
from fincoach.users.service import get_user, mailboxes_of
from fincoach.worker import beat_schedule_file, celery_app, runtime

sync_app = typer.Typer(help="Email sync jobs.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")


@app.command()
def api(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 in a container)."),
    port: int = typer.Option(8000, min=1, max=65535),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes."),
) -> None:
    """Serve the REST API with uvicorn."""
    import uvicorn  # imported here: only this command needs the server

    get_settings()  # refused settings (weak production keys...) stop us here, plainly
    uvicorn.run(
        "fincoach.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
    )


_LOGLEVEL = typer.Option(None, help="DEBUG, INFO, WARNING... (default: LOG_LEVEL).")


def _celery_argv(command: str, loglevel: str | None) -> list[str]:
    """`celery` arguments: the level, and no plain-text banner when logs are JSON lines."""
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    quiet = ["--quiet"] if settings.log_json else []
    return [*quiet, command, f"--loglevel={loglevel or settings.log_level}"]


@app.command()
def worker(
    concurrency: int = typer.Option(4, min=1, help="Worker processes (prefork)."),
    queues: str = typer.Option("celery", help="Comma-separated queues to consume."),
    loglevel: str | None = _LOGLEVEL,
    hostname: str | None = typer.Option(None, help="Node name (default: celery@HOST)."),
    metrics_port: int | None = typer.Option(
        None, help="Serve this worker's Prometheus metrics (set PROMETHEUS_MULTIPROC_DIR)."
    ),
) -> None:
    """Run a Celery worker for sync tasks."""
    argv = [
        *_celery_argv("worker", loglevel),
        f"--concurrency={concurrency}",
        f"--queues={queues}",
        "--without-gossip",
        "--without-mingle",
    ]
    if metrics_port is not None:
        # The prefork children write to PROMETHEUS_MULTIPROC_DIR; the parent serves the sum.
        start_http_server(metrics_port, registry=metrics.process_registry())
    if hostname:
        argv.append(f"--hostname={hostname}")
    celery_app.worker_main(argv)


@app.command()
def beat(
    schedule: Path | None = typer.Option(
        None,
        help="Beat's state file (default: BEAT_SCHEDULE_FILE, else "
        "$XDG_STATE_HOME/fincoach/celerybeat-schedule, private to you).",
    ),
    loglevel: str | None = _LOGLEVEL,
) -> None:
    """Run Celery Beat (exactly one per deployment; the database stops duplicate jobs anyway)."""
    argv = _celery_argv("beat", loglevel)
    state = schedule or beat_schedule_file(get_settings())
    celery_app.start([*argv, f"--schedule={state}"])


@sync_app.command("start")
def sync_start(
    user_id: uuid.UUID = typer.Argument(..., help="The user's id."),
    months: int = typer.Option(6, min=1, max=24, help="How far back (30-day months)."),
    wait: bool = typer.Option(False, "--wait", help="Show live progress until the job ends."),
    inline: bool = typer.Option(False, "--inline", help="Run here instead of on the workers."),
) -> None:
    """Start an initial sync of USER_ID's mailboxes (on the workers, or --inline)."""
    _start_jobs(user_id, JobKind.INITIAL, months=months, wait=wait, inline=inline)


@app.command()
def reparse(
    user_id: uuid.UUID = typer.Argument(..., help="The user's id."),
    wait: bool = typer.Option(False, "--wait", help="Show live progress until the job ends."),
    inline: bool = typer.Option(False, "--inline", help="Run here instead of on the workers."),
) -> None:
    """Re-extract USER_ID's messages that an older parser judged (fetches only those)."""
    _start_jobs(user_id, JobKind.REPARSE, months=None, wait=wait, inline=inline)


def _start_jobs(
    user_id: uuid.UUID, kind: JobKind, *, months: int | None, wait: bool, inline: bool
) -> None:
    rt = runtime()
    console = Console()
    try:
        if months is not None:
            service.check_months(months, fetch_days=rt.settings.email_fetch_days)
        with rt.sessions() as session:
            user = get_user(session, user_id)
            started = service.start_for_mailboxes(
                session, mailboxes=mailboxes_of(session, user.id), kind=kind, months=months
            )
            if not inline:
                for item in started:
                    if item.created:
                        tasks.send_job(item.job)
            session.commit()
    except FincoachError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    job_ids = [item.job.id for item in started]
    for item in started:
        state = "started" if item.created else "already running"
        console.print(f"job {item.job.id} ({state}) for mailbox {item.job.mailbox_id}")
    if inline:
        for item in started:
            if item.created:
                tasks.process_batch(str(item.job.id))
    if wait or inline:
        _show_progress(console, job_ids)


def _show_progress(console: Console, job_ids: list[uuid.UUID]) -> None:
    sessions = runtime().sessions
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "{task.fields[found]} transactions ({task.fields[new]} new), "
            "{task.fields[failed]} failed"
        ),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        bars = {
            job_id: progress.add_task(str(job_id)[:8], total=None, found=0, new=0, failed=0)
            for job_id in job_ids
        }
        while True:
            with sessions() as session:
                jobs = [service.get_job(session, job_id) for job_id in job_ids]
            for job in jobs:
                progress.update(
                    bars[job.id],
                    total=job.total_emails or None,
                    completed=job.processed_emails,
                    found=job.parsed_transactions,
                    new=job.new_transactions,
                    failed=job.failed_emails,
                    description=f"{str(job.id)[:8]} {job.status.value}",
                )
            if all(job.status not in ACTIVE_STATUSES for job in jobs):
                break
            time.sleep(0.5)
    _print_outcome(console, jobs)


def _print_outcome(console: Console, jobs: list[EmailSyncJob]) -> None:
    for job in jobs:
        line = (
            f"job {job.id}: {job.status.value}, {job.processed_emails}/{job.total_emails} "
            f"emails, {job.parsed_transactions} transactions ({job.new_transactions} new), "
            f"{job.failed_emails} failed"
        )
        console.print(line + (f" ({job.error_message})" if job.error_message else ""))
