"""`fincoach parse FILE.eml`: what the parser finds in one message."""

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
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="an .eml file")],
) -> None:
    """Print the transactions found in one email as JSON, with the rule that matched."""
    try:
        # The file's time stands in for the receive time, as for a local mailbox (mail/local.py).
        received_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        result = parse_detailed(path.read_bytes(), received_at=received_at)
    except MalformedEmail as exc:
        typer.echo(f"cannot read {path.name}: {exc.message}", err=True)
        raise typer.Exit(code=2) from None
    out: dict[str, Any] = {
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
    typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
