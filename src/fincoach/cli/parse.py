"""`fincoach parse FILE.eml...`: what the parser finds in each message."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from fincoach.cli import app
from fincoach.evaluation.extract import transaction_json
from fincoach.kit.errors import MalformedEmail
from fincoach.parsing import parse_detailed


@app.command(name="parse")
def parse_file(
    paths: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help=".eml files (one or more)")
    ],
) -> None:
    """Print the transactions found in each email as JSON, with the rule that matched.

    One file: one indented JSON object. Several: one JSON object per line (JSON Lines), each
    naming its file. An unreadable email is reported on stderr, the others are still parsed,
    and the exit code is 2.
    """
    unreadable = 0
    for path in paths:
        try:
            out = {"file": str(path), **_parsed(path)}
        except MalformedEmail as exc:
            typer.echo(f"cannot read {path.name}: {exc.message}", err=True)
            unreadable += 1
            continue
        indent = 2 if len(paths) == 1 else None
        typer.echo(json.dumps(out, indent=indent, ensure_ascii=False))
    if unreadable:
        raise typer.Exit(code=2)


def _parsed(path: Path) -> dict[str, Any]:
    # The file's time stands in for the receive time, as for a local mailbox (mail/local.py).
    received_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    result = parse_detailed(path.read_bytes(), received_at=received_at)
    return {
        "message_id": result.message_id,
        "from": result.sender,
        "subject": result.subject,
        "date": result.date.isoformat() if result.date else None,
        "is_transaction": result.is_transaction,
        "rule": result.rule,
        "transactions": [
            {
                **transaction_json(t),
                "merchant_normalized": t.merchant_normalized,
                "confidence": t.confidence,
            }
            for t in result.transactions
        ],
    }
