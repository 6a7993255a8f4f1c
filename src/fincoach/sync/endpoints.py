"""HTTP endpoints of email sync: endpoint -> service -> repository, a few lines each."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from fincoach.auth.openapi import PROTECTED, error_responses
from fincoach.auth.ratelimit import check_sync_start_rate
from fincoach.deps import AdminPrincipal, OwnedUserId, SessionDep, SettingsDep
from fincoach.kit.errors import NotFound
from fincoach.models import JobKind
from fincoach.sync import repository, service, tasks
from fincoach.sync.schemas import JobHistory, JobOut, SyncStarted, SyncStats
from fincoach.users.service import get_user, mailboxes_of

router = APIRouter(prefix="/api/v1/email-sync", tags=["email-sync"], responses=PROTECTED)


@router.post(
    "/start/{user_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"model": SyncStarted, "description": "A job is already running: that job."},
        **error_responses(429),
    },
)
def start_sync(
    user_id: OwnedUserId,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    months: Annotated[int, Query(ge=1, le=24)] = 6,
) -> SyncStarted:
    """Start an initial sync of the user's mailboxes (202), or return the running job (200)."""
    service.check_months(months, fetch_days=settings.email_fetch_days)
    return _start(session, settings, response, user_id, JobKind.INITIAL, months)


@router.post(
    "/reparse/{user_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"model": SyncStarted, "description": "A job is already running: that job."},
        **error_responses(429),
    },
)
def start_reparse(
    user_id: OwnedUserId, session: SessionDep, settings: SettingsDep, response: Response
) -> SyncStarted:
    """Re-extract the messages an older parser version judged (202), fetching only those."""
    return _start(session, settings, response, user_id, JobKind.REPARSE, None)


def _start(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    user_id: OwnedUserId,
    kind: JobKind,
    months: int | None,
) -> SyncStarted:
    user = get_user(session, user_id)
    check_sync_start_rate(
        session,
        user_id=user.id,
        limit=settings.sync_start_limit,
        window_seconds=settings.sync_start_window_seconds,
    )
    started = service.start_for_mailboxes(
        session, mailboxes=mailboxes_of(session, user.id), kind=kind, months=months
    )
    for item in started:
        if item.created:
            tasks.send_job(item.job)  # sent once the request's transaction commits
    created = any(item.created for item in started)
    if not created:
        response.status_code = status.HTTP_200_OK
    first = started[0].job
    what = "re-extraction" if kind is JobKind.REPARSE else "email sync"
    return SyncStarted(
        message=f"{what} started" if created else "email sync already running",
        task_id=first.task_id,
        user_id=user.id,
        months=first.months or months,
        job_id=first.id,
        job_ids=[item.job.id for item in started],
        created=created,
    )


@router.get("/status/{user_id}")
def sync_status(user_id: OwnedUserId, session: SessionDep) -> JobOut:
    """The user's latest sync job, with progress and a summary of its error log."""
    get_user(session, user_id)
    job = repository.latest_job(session, user_id)
    if job is None:
        raise NotFound("no sync job for this user yet")
    return JobOut.of(job)


@router.get("/history/{user_id}")
def sync_history(
    user_id: OwnedUserId, session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> JobHistory:
    """The user's sync jobs, newest first."""
    get_user(session, user_id)
    jobs = repository.history(session, user_id, limit=limit)
    return JobHistory(user_id=user_id, jobs=[JobOut.of(job) for job in jobs])


@router.get("/stats")
def sync_stats(_: AdminPrincipal, session: SessionDep) -> SyncStats:
    """Admins only: jobs by status, totals, and throughput (emails/s) of recent jobs."""
    return SyncStats.of(repository.job_stats(session))
