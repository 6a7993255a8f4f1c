import uuid

import psycopg
from sqlalchemy import inspect

from fincoach.db import make_engine
from fincoach.migrations import runner
from tests.conftest import ADMIN_URL, _with_database

TABLES = {
    "users",
    "mailboxes",
    "transactions",
    "email_sync_jobs",
    "merchant_categories",
    "api_keys",
    "parse_candidates",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_postgres_upgrade_then_downgrade_to_base() -> None:
    name = f"fincoach_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(ADMIN_URL, name)
    try:
        runner.upgrade(url)
        assert _tables(url) == TABLES
        runner.downgrade(url, "base")
        assert _tables(url) == set()
        runner.upgrade(url)
        assert _tables(url) == TABLES
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sqlite_upgrade_then_downgrade_to_base(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    runner.upgrade(url)
    assert _tables(url) == TABLES
    runner.downgrade(url, "base")
    assert _tables(url) == set()
