"""`fincoach category set|list|remove`: a user's own merchant categories.

The same services as `PUT|GET /api/v1/users/{id}/merchant-categories` and
`DELETE /api/v1/users/{id}/merchant-categories/{merchant}`; each command is one transaction.
"""

import uuid

import typer

from fincoach.cli import app
from fincoach.kit.errors import FincoachError
from fincoach.parsing.categories import CATEGORIES
from fincoach.transactions import categories
from fincoach.users.service import get_user
from fincoach.worker import runtime

category_app = typer.Typer(help="Your own merchant categories.", no_args_is_help=True)
app.add_typer(category_app, name="category")

_USER = typer.Argument(..., help="The user's id.")
_MERCHANT = typer.Argument(..., help="The merchant, in any spelling (e.g. 'SWIGGY BANGALORE IN').")


@category_app.command(
    "set", epilog=f"Categories: {', '.join(CATEGORIES)}. (See README, 'Categories'.)"
)
def category_set(
    user_id: uuid.UUID = _USER,
    merchant: str = _MERCHANT,
    category: str = typer.Argument(..., help="One of the categories listed below."),
) -> None:
    """Put MERCHANT in CATEGORY for USER_ID: now for the past, and for every later sync."""
    rt = runtime()
    try:
        with rt.sessions() as session:
            get_user(session, user_id)
            result = categories.set_merchant_category(
                session, user_id=user_id, merchant=merchant, category=category
            )
            session.commit()
    except FincoachError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{result.merchant_normalized} -> {result.category}: "
        f"{result.updated_transactions} transactions re-categorised"
    )


@category_app.command("list")
def category_list(user_id: uuid.UUID = _USER) -> None:
    """Print USER_ID's own categories, one `merchant -> category` line each."""
    rt = runtime()
    try:
        with rt.sessions() as session:
            get_user(session, user_id)
            overrides = [
                (o.merchant_normalized, o.category)
                for o in categories.list_merchant_categories(session, user_id)
            ]
    except FincoachError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None
    if not overrides:
        typer.echo("no categories of your own yet (fincoach category set ...)", err=True)
    for merchant, category in overrides:
        typer.echo(f"{merchant} -> {category}")


@category_app.command("remove")
def category_remove(user_id: uuid.UUID = _USER, merchant: str = _MERCHANT) -> None:
    """Stop using USER_ID's own category for MERCHANT; later syncs categorise it by default.

    Transactions already stored keep the category they have.
    """
    rt = runtime()
    try:
        with rt.sessions() as session:
            get_user(session, user_id)
            key = categories.remove_merchant_category(session, user_id=user_id, merchant=merchant)
            session.commit()
    except FincoachError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{key}: your category removed; stored transactions keep theirs")
