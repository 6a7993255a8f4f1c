"""`fincoach mailbox remove` and `fincoach user delete`: the way out, for operators.

The same services as `DELETE /api/v1/mailboxes/{id}` and `DELETE /api/v1/users/{id}`; each
command is one database transaction, committed only when everything in it succeeded.
"""

import uuid

import typer

from fincoach.cli import app
from fincoach.kit.errors import FincoachError
from fincoach.oauth.revocation import Revocation
from fincoach.users import removal
from fincoach.users.service import get_mailbox, get_user
from fincoach.worker import runtime

mailbox_app = typer.Typer(help="Mailbox connections.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their data.", no_args_is_help=True)
app.add_typer(mailbox_app, name="mailbox")
app.add_typer(user_app, name="user")

_YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")
_REVOKE_BY_HAND = (
    "google could not be reached to end the grant; the stored token is deleted, and the owner "
    "can remove FinCoach at https://myaccount.google.com/permissions"
)


@mailbox_app.command("remove")
def remove_mailbox(
    mailbox_id: uuid.UUID = typer.Argument(..., help="The mailbox's id."),
    keep_transactions: bool = typer.Option(
        ...,
        "--keep-transactions/--delete-transactions",
        help="Keep its transactions (the mailbox stays, disconnected) or delete them with it.",
    ),
    yes: bool = _YES,
) -> None:
    """End MAILBOX_ID's Google grant, delete its credentials and stop its sync."""
    what = "keeping" if keep_transactions else "deleting"
    if not yes:
        typer.confirm(f"Remove mailbox {mailbox_id}, {what} its transactions?", abort=True)
    rt = runtime()
    try:
        with rt.sessions() as session:
            mailbox = get_mailbox(session, mailbox_id)
            done = removal.remove_mailbox(
                session, rt.settings, mailbox=mailbox, keep_transactions=keep_transactions
            )
            session.commit()
    except FincoachError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None
    if done.token_revocation is Revocation.FAILED:
        typer.echo(_REVOKE_BY_HAND, err=True)
    typer.echo(
        f"mailbox {done.mailbox_id} {done.mailbox.value}: google grant "
        f"{done.token_revocation.value}, {done.transactions_deleted} transactions deleted, "
        f"{done.transactions_kept} kept, {done.sync_jobs_cancelled} sync jobs stopped"
    )


@user_app.command("delete")
def delete_user(
    user_id: uuid.UUID = typer.Argument(..., help="The user's id."),
    yes: bool = _YES,
) -> None:
    """Delete USER_ID and all their data: mailboxes (Google grants ended), transactions, jobs,
    categories, API keys."""
    if not yes:
        typer.confirm(f"Delete user {user_id} and all their data?", abort=True)
    rt = runtime()
    try:
        with rt.sessions() as session:
            user = get_user(session, user_id)
            done = removal.delete_user(session, rt.settings, user=user)
            session.commit()
    except FincoachError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None
    if Revocation.FAILED in done.token_revocations.values():
        typer.echo(_REVOKE_BY_HAND, err=True)
    typer.echo(
        f"user {done.user_id} deleted: {done.mailboxes} mailboxes, {done.transactions} "
        f"transactions, {done.sync_jobs} sync jobs, {done.merchant_categories} merchant "
        f"categories, {done.api_keys} API keys"
    )
