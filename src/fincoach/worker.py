"""The Celery app (`celery -A fincoach.worker ...`) and the Beat schedule.

The Celery object is cheap and connects lazily, so it lives at module level as Celery expects;
the database engine does not: `runtime()` builds it on first use in each worker process (after
the prefork fork), never at import.
"""

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from celery import Celery
from celery.beat import PersistentScheduler, ScheduleEntry
from celery.signals import setup_logging, worker_process_init
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from fincoach.config import Settings, get_settings
from fincoach.db import make_engine, make_session_factory
from fincoach.monitoring.logs import configure_logging

# A batch of 100 emails takes about a second here and tens of seconds against Gmail; the soft
# limit raises SoftTimeLimitExceeded (the batch is rolled back and retried), the hard one kills.
BATCH_SOFT_TIME_LIMIT = 300
BATCH_TIME_LIMIT = 360
# Longest countdown a retry may ask for (quota waits, back-off).
MAX_COUNTDOWN = 900
# Redis redelivers unacknowledged messages after this; it must exceed the longest task and the
# longest countdown, or a running or waiting task would be delivered twice.
VISIBILITY_TIMEOUT = 2 * 3600
# The reaper (sync.reaper) as Beat runs it, in Beat's own process: see BeatScheduler.
REAPER_TASK = "sync.resume_stalled_jobs"

log = structlog.get_logger(__name__)


def celery_config(settings: Settings) -> dict[str, Any]:
    return {
        "broker_url": settings.celery_broker_url,
        "result_backend": settings.celery_result_backend,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "result_expires": 24 * 3600,
        "timezone": "UTC",
        "enable_utc": True,
        # Tasks are idempotent, so a message is acknowledged only once its work is committed,
        # and a worker killed mid-task (OOM, SIGKILL) gives it back; the delivery count kept on
        # the job (sync.tasks) bounds how often a poison batch can come back.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": BATCH_SOFT_TIME_LIMIT,
        "task_time_limit": BATCH_TIME_LIMIT,
        "broker_transport_options": {"visibility_timeout": VISIBILITY_TIMEOUT},
        "result_backend_transport_options": {"visibility_timeout": VISIBILITY_TIMEOUT},
        "broker_connection_retry_on_startup": True,
        "task_track_started": True,
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "beat_scheduler": "fincoach.worker:BeatScheduler",
        "beat_schedule": {
            "incremental-sync": {
                "task": "sync.schedule_incremental_sync",
                "schedule": timedelta(seconds=schedule_seconds(settings)),
            },
            "resume-stalled-jobs": {
                "task": REAPER_TASK,
                "schedule": timedelta(seconds=reaper_seconds(settings)),
            },
        },
    }


def schedule_seconds(settings: Settings) -> float:
    """SYNC_INTERVAL_MINUTES, or SYNC_INTERVAL_SECONDS when set (tests need seconds)."""
    override = os.environ.get("SYNC_INTERVAL_SECONDS")
    if override:
        return max(float(override), 1.0)
    return settings.sync_interval_minutes * 60.0


def reaper_seconds(settings: Settings) -> float:
    """How often Beat looks for stalled jobs: a third of JOB_STALL_SECONDS, at most as seldom
    as the incremental schedule and at least every second, so that a job that lost its message
    waits little longer than JOB_STALL_SECONDS."""
    return max(min(schedule_seconds(settings), settings.job_stall_seconds / 3), 1.0)


class BeatScheduler(PersistentScheduler):  # type: ignore[misc]
    """Celery's persistent scheduler, except that the reaper runs inside Beat's own process.

    Workers reap too (sync.schedule_incremental_sync), but only while they are alive and their
    broker still holds the message that asks them to; Beat reaping on its own means a job whose
    message a broker restart lost is sent again even when no worker could be told to look.
    Two reapers at once are safe: each locks the rows it resends (FOR UPDATE SKIP LOCKED).
    """

    def apply_async(
        self,
        entry: ScheduleEntry,
        producer: Any = None,
        advance: bool = True,
        **kwargs: Any,
    ) -> Any:
        if entry.task != REAPER_TASK:
            return super().apply_async(entry, producer, advance, **kwargs)
        entry = self.reserve(entry) if advance else entry
        try:
            # A plain call, not Task.apply(): Celery's tracer would log the error's text.
            return self.app.tasks[REAPER_TASK]()
        except Exception as exc:  # Beat must keep ticking; the next round is the retry
            # The class only: a database error's text can quote row values.
            log.error("sync.reaper_failed", error=type(exc).__name__)
            return None


def beat_schedule_file(settings: Settings) -> Path:
    """Where Beat keeps its state: BEAT_SCHEDULE_FILE, else the user's own state directory.

    `$XDG_STATE_HOME/fincoach/celerybeat-schedule` (`~/.local/state/...` when unset): per
    user and private (the directory is created 0700), never a name in /tmp that every user of
    the machine shares and can pre-create.
    """
    if settings.beat_schedule_file is not None:
        path = settings.beat_schedule_file
    else:
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        path = Path(state) / "fincoach" / "celerybeat-schedule"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


@setup_logging.connect  # type: ignore[untyped-decorator]
def _structlog_for_celery(loglevel: int | str | None = None, **_: Any) -> None:
    """Workers and Beat log JSON lines like the API (monitoring.logs), not Celery's text.

    A receiver of this signal replaces Celery's own logging set-up (its root handler, its
    format); `loglevel` is the command's --loglevel.
    """
    settings = get_settings()
    level = logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel
    configure_logging(level or settings.log_level, json=settings.log_json)


_AFTER_COMMIT = "fincoach.after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction commits; drop it if it rolls back.

    Tasks are sent this way so that a worker can never receive a job id before the row that
    the id names is visible (Celery's task guide: enqueue after commit).
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


def _drop_after_rollback(session: Session, previous: SessionTransaction) -> None:
    # A rolled-back savepoint (a lost race in start_job) keeps what the outer transaction sent.
    if not previous.nested and previous.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


def install_after_commit(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    event.listen(factory, "after_commit", _run_after_commit)
    event.listen(factory, "after_soft_rollback", _drop_after_rollback)
    return factory


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


_runtime: Runtime | None = None


def runtime() -> Runtime:
    """This process's settings and session factory, built on first use."""
    global _runtime
    if _runtime is None:
        settings = get_settings()
        engine = make_engine(settings.database_url)
        _runtime = Runtime(settings, engine, install_after_commit(make_session_factory(engine)))
    return _runtime


def use_settings(settings: Settings) -> Runtime:
    """Point tasks and task sending at these settings (the API, the CLI and tests call this)."""
    global _runtime
    if _runtime is not None:
        _runtime.engine.dispose()
    engine = make_engine(settings.database_url)
    _runtime = Runtime(settings, engine, install_after_commit(make_session_factory(engine)))
    configure_celery(settings)
    return _runtime


def configure_celery(settings: Settings) -> None:
    """Send (and run) tasks with these settings' broker and result backend."""
    celery_app.conf.update(celery_config(settings))
    # Pooled broker connections and the cached result backend were made with the previous
    # settings; Celery drops them the same way after a fork (Celery._after_fork).
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app._local.__dict__.pop("backend", None)


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _fresh_engine_after_fork(**_: Any) -> None:
    # A pooled connection inherited through fork would be shared by two processes.
    global _runtime
    if _runtime is not None:
        _runtime.engine.dispose(close=False)
        _runtime = None


celery_app = Celery("fincoach")
celery_app.conf.update(celery_config(get_settings()))
# Task modules register themselves on import; listed here so a worker always has them.
celery_app.conf.imports = ("fincoach.sync.tasks",)
app = celery_app  # `celery -A fincoach.worker` finds `app`
