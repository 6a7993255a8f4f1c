"""Removal runs against the same database, Redis and in-process tasks as the worker tests."""

from tests.worker.conftest import (  # noqa: F401 (fixtures)
    broker,
    engine,
    sessions,
    task_runtime,
    task_settings,
)
