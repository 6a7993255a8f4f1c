"""`/health` for orchestrators and `/metrics` for Prometheus."""

import hmac
from typing import Any

import redis
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from fincoach.auth.errors import Unauthenticated
from fincoach.auth.principal import bearer_credential
from fincoach.config import Settings
from fincoach.monitoring import metrics

router = APIRouter(tags=["monitoring"])


@router.get("/health", responses={503: {"description": "A dependency is down; named in checks."}})
def health(request: Request) -> JSONResponse:
    """PostgreSQL and Redis answer: 200; otherwise 503 naming what is down."""
    checks: dict[str, Any] = {}
    try:
        with request.app.state.sessions() as session:
            session.execute(text("SELECT 1"))
        checks["postgres"] = "ok"
    except SQLAlchemyError as exc:
        checks["postgres"] = f"down: {type(exc).__name__}"
    try:
        request.app.state.redis.ping()
        checks["redis"] = "ok"
    except redis.RedisError as exc:
        checks["redis"] = f"down: {type(exc).__name__}"
    down = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "ok" if not down else "unhealthy", "down": down, "checks": checks}
    return JSONResponse(body, status_code=503 if down else 200)


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(request: Request) -> Response:
    """Prometheus text exposition; with METRICS_TOKEN set, only for that bearer token."""
    settings: Settings = request.app.state.settings
    expected = settings.metrics_token.get_secret_value()
    if expected:
        given = bearer_credential(request.headers.get("authorization"))
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthenticated("/metrics needs the METRICS_TOKEN bearer token")
    return Response(metrics.render(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)
