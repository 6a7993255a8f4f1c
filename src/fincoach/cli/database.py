"""`fincoach db ...`: schema migrations."""

import typer

from fincoach.cli import app
from fincoach.config import get_settings
from fincoach.devstack.database import ensure_database
from fincoach.migrations import runner

db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(
    revision: str = typer.Argument("head"),
    database_url: str | None = typer.Option(None, "--database-url", help="Default: DATABASE_URL."),
    create: bool = typer.Option(
        False, "--create", help="Create the PostgreSQL database first when it does not exist."
    ),
) -> None:
    """Migrate the schema up to REVISION (default: head)."""
    url = database_url or get_settings().database_url
    if create and ensure_database(url):
        typer.echo("database created", err=True)
    runner.upgrade(url, revision)
    typer.echo(f"database upgraded to {revision}")


@db_app.command("downgrade")
def downgrade(
    revision: str = typer.Argument("base"),
    database_url: str | None = typer.Option(None, "--database-url", help="Default: DATABASE_URL."),
) -> None:
    """Migrate the schema down to REVISION (default: base, an empty database)."""
    runner.downgrade(database_url or get_settings().database_url, revision)
    typer.echo(f"database downgraded to {revision}")
