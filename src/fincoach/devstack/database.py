"""A PostgreSQL database for the service, created when it does not exist yet."""

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from fincoach.config import normalize_database_url


def ensure_database(url: str) -> bool:
    """Create the database `url` names unless it exists; True when it was created.

    Connects to the server's `postgres` database with the same credentials. Only PostgreSQL
    URLs are handled; others (SQLite files are made on first use) are left alone.
    """
    parsed = make_url(normalize_database_url(url))
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        return False
    maintenance = parsed.set(drivername="postgresql", database="postgres")
    conninfo = maintenance.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if found:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.database)))
    return True
