"""The `fincoach` command line: each slice registers its commands on one Typer app."""

import typer

app = typer.Typer(
    name="fincoach",
    help="FinCoach: turn a mailbox into a correct, categorised ledger of your money.",
    no_args_is_help=True,
    add_completion=False,
)


def _register_commands() -> None:
    # Each module adds its commands to `app` when imported; imported here, not at the top,
    # because they import `app` from this module.
    from fincoach.cli import (  # noqa: F401
        admin,
        corpus,
        database,
        demo,
        emulator,
        parse,
        service,
        users,
    )


def main() -> None:
    _register_commands()
    app()
