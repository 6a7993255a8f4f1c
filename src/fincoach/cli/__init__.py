"""The `fincoach` command line: each slice registers its commands on one Typer app."""

import sys

import typer
from pydantic import ValidationError

app = typer.Typer(
    name="fincoach",
    help="FinCoach: turn a mailbox into a correct, categorised ledger of your money.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help: Typer's rich help gives every option a type column, and a flag such as
    # `--wait` then reads `--wait <bool>`, as if it took a value.
    rich_markup_mode=None,
)


def _register_commands() -> None:
    # Each module adds its commands to `app` when imported; imported here, not at the top,
    # because they import `app` from this module.
    from fincoach.cli import (  # noqa: F401
        admin,
        categories,
        corpus,
        database,
        demo,
        emulator,
        parse,
        service,
        stack,
        users,
    )


def main() -> None:
    """The `fincoach` entry point. Settings that are refused (e.g. weak keys in production)
    end it with exit code 2 and their reasons, without a traceback and without the values."""
    try:
        _register_commands()  # the worker module reads the settings when imported
        app()
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        reasons = "; ".join(
            str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()
        )
        print(f"fincoach: refusing to start: {reasons}", file=sys.stderr)
        raise SystemExit(2) from None
