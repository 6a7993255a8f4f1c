"""The FastAPI application: `create_app(settings)` wires lifespan, routers and error handlers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from fincoach.auth import endpoints as auth
from fincoach.auth.errors import RateLimited, Unauthenticated
from fincoach.auth.redaction import quiet_secret_loggers
from fincoach.config import Settings, get_settings
from fincoach.db import make_engine, make_session_factory
from fincoach.kit.body_limit import RequestBodyLimit
from fincoach.kit.errors import FincoachError
from fincoach.monitoring import collector
from fincoach.monitoring import endpoints as monitoring
from fincoach.monitoring.access_log import strip_query_strings_from_access_log
from fincoach.monitoring.logs import configure_logging
from fincoach.oauth import endpoints as oauth
from fincoach.sync import endpoints as sync
from fincoach.transactions import endpoints as transactions
from fincoach.users import endpoints as users
from fincoach.worker import configure_celery, install_after_commit

# Seconds a client should wait before retrying while the database is unavailable.
DATABASE_RETRY_AFTER_S = 5


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    quiet_secret_loggers()
    strip_query_strings_from_access_log()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.settings = settings
        app.state.sessions = install_after_commit(make_session_factory(engine))
        app.state.redis = redis.Redis.from_url(
            settings.celery_broker_url, socket_connect_timeout=2, socket_timeout=2
        )
        registry = CollectorRegistry()
        registry.register(collector.ServiceCollector(app.state.sessions, app.state.redis))
        app.state.registry = registry
        configure_celery(settings)
        try:
            yield
        finally:
            app.state.redis.close()
            engine.dispose()

    app = FastAPI(
        title="FinCoach",
        summary="Turn a mailbox into a correct, categorised ledger of your money.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(monitoring.router)
    app.include_router(auth.router)
    app.include_router(users.router)
    app.include_router(users.mailboxes_router)
    app.include_router(sync.router)
    app.include_router(transactions.router)
    app.include_router(oauth.router)
    app.add_middleware(RequestBodyLimit, max_bytes=settings.max_request_body_bytes)
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FincoachError)
    async def fincoach_error(_: Request, exc: FincoachError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
        # RFC 6750 §3: no error code when no credentials were sent; invalid_token otherwise.
        challenge = 'Bearer realm="fincoach"'
        if not exc.missing:
            challenge += ', error="invalid_token"'
        return JSONResponse(
            {"detail": exc.message}, status_code=401, headers={"WWW-Authenticate": challenge}
        )

    @app.exception_handler(RateLimited)
    async def rate_limited(_: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.message},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # The reasons, without echoing the input back (it may be personal data).
        errors = [
            {
                "loc": list(error.get("loc", ())),
                "msg": error.get("msg", ""),
                "type": error.get("type", ""),
            }
            for error in exc.errors()
        ]
        reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return JSONResponse({"detail": reason, "errors": errors}, status_code=422)

    async def database_error(_: Request, exc: Exception) -> JSONResponse:
        # The reason is ours, never the driver's message: that can quote row values.
        if isinstance(exc, DataError):
            # A value that passed validation but not the database (e.g. a NUL character).
            return JSONResponse(
                {"detail": "a value in the request is not acceptable"}, status_code=400
            )
        if isinstance(exc, IntegrityError):
            # A uniqueness race the service did not absorb: the other request won.
            return JSONResponse(
                {"detail": "the request conflicts with data written meanwhile; read and retry"},
                status_code=409,
            )
        # OperationalError, InterfaceError, pool timeout: PostgreSQL is down, restarting or
        # overloaded (also a deadlock or serialization failure). Like /health, a 503.
        return JSONResponse(
            {"detail": "the database is unavailable; retry shortly"},
            status_code=503,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )

    for kind in (DataError, IntegrityError, OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(kind, database_error)


def app_factory() -> FastAPI:
    """For `uvicorn --factory fincoach.app:app_factory`: settings and logs from the environment."""
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return create_app(settings)
