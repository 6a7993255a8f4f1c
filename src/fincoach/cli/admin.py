"""`fincoach admin ...`: users, roles, tokens and API keys; re-encrypting stored credentials.

The first admin can only come from here: the API creates users only for an admin. Commands
print just the value asked for on stdout (an id, a token, a key), so scripts can capture it;
everything else goes to stderr.
"""

import uuid
from datetime import timedelta

import typer

from fincoach.auth import api_keys, service
from fincoach.auth.rotation import rotate_credentials
from fincoach.cli import app
from fincoach.kit.crypto import TokenCipher
from fincoach.kit.errors import FincoachError
from fincoach.models import Role
from fincoach.users.service import get_user
from fincoach.worker import runtime

admin_app = typer.Typer(help="Users, roles, tokens, API keys, key rotation.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


def _fail(exc: FincoachError) -> typer.Exit:
    typer.echo(exc.message, err=True)
    return typer.Exit(2)


@admin_app.command("create-user")
def create_user(
    email: str = typer.Argument(..., help="The user's email address."),
    admin: bool = typer.Option(False, "--admin", help="Give the user the admin role."),
) -> None:
    """Create the user with EMAIL (or find it; --admin promotes it) and print its id."""
    if "@" not in email or len(email) > 320:
        typer.echo("not an email address", err=True)
        raise typer.Exit(2)
    with runtime().sessions() as session:
        user = service.ensure_user(session, email=email, role=Role.ADMIN if admin else None)
        session.commit()
        typer.echo(f"user {user.email}: role {user.role.value}", err=True)
        typer.echo(str(user.id))


@admin_app.command("token")
def token(
    user_id: uuid.UUID = typer.Argument(..., help="The user's id."),
    ttl: int | None = typer.Option(
        None, "--ttl", min=1, max=60 * 24 * 365, help="Minutes (default ACCESS_TOKEN_TTL_MINUTES)."
    ),
    admin: bool = typer.Option(False, "--admin", help="An admin token (the user must be one)."),
) -> None:
    """Print a signed access token for USER_ID: send it as `Authorization: Bearer <token>`."""
    rt = runtime()
    try:
        with rt.sessions() as session:
            value, expires_at = service.token_for_user(
                session,
                rt.settings,
                user_id=user_id,
                role=Role.ADMIN if admin else Role.USER,
                ttl=timedelta(minutes=ttl) if ttl is not None else None,
            )
    except FincoachError as exc:
        raise _fail(exc) from None
    typer.echo(f"expires at {expires_at.isoformat()}", err=True)
    typer.echo(value)


@admin_app.command("api-key")
def api_key(
    user_id: uuid.UUID = typer.Argument(..., help="The user's id."),
    name: str = typer.Option("cli", "--name", help="What the key is for."),
) -> None:
    """Print a new API key for USER_ID (shown once; only its hash is stored)."""
    try:
        with runtime().sessions() as session:
            get_user(session, user_id)
            created = api_keys.create_api_key(session, user_id=user_id, name=name[:100])
            session.commit()
    except FincoachError as exc:
        raise _fail(exc) from None
    typer.echo(f"api key {created.row.prefix} for user {user_id}", err=True)
    typer.echo(created.key)


@admin_app.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every stored credential under the first key of TOKEN_ENCRYPTION_KEYS."""
    rt = runtime()
    cipher = TokenCipher(rt.settings.token_encryption_keys)
    with rt.sessions() as session:
        result = rotate_credentials(session, cipher)
        session.commit()
    typer.echo(f"{result.rotated} credentials re-encrypted under the newest key")
    if result.unreadable:
        # Ids only: which mailboxes need their owner to connect again, or an old key restored.
        ids = ", ".join(str(mailbox_id) for mailbox_id in result.unreadable)
        typer.echo(f"{len(result.unreadable)} credentials match no key: mailboxes {ids}", err=True)
        raise typer.Exit(1)
