"""`fincoach extract` and `fincoach eval`: run the parser over a labelled corpus and score it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fincoach.cli import app
from fincoach.evaluation.corpus import read_corpus
from fincoach.evaluation.extract import ExtractStats, predict
from fincoach.evaluation.scoring import FIELDS, Report, score


@app.command()
def extract(
    corpus: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines corpus")],
    output: Annotated[Path, typer.Option("-o", "--output", help="predictions, JSON Lines")],
) -> None:
    """Parse every record of a corpus and write one prediction line per record."""
    stats = ExtractStats()
    with output.open("w", encoding="utf-8") as handle:
        for prediction in predict(read_corpus(corpus), stats):
            handle.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    print(f"{stats.records} records, {stats.failures} failed", file=sys.stderr)


def _table(report: Report) -> Table:
    table = Table(title="Extraction on the corpus")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("n", justify="right")
    table.add_row("precision", f"{report.precision:.3f}", str(report.tp + report.fp))
    table.add_row("recall", f"{report.recall:.3f}", str(report.tp + report.fn))
    table.add_row("F1", f"{report.f1:.3f}", str(report.records))
    table.add_row(
        "false-positive rate", f"{report.false_positive_rate:.3f}", str(report.fp + report.tn)
    )
    for name in FIELDS:
        value = report.accuracy(name)
        table.add_row(name, "-" if value is None else f"{value:.3f}", str(report.field_total[name]))
    share = report.all_right / report.records if report.records else 0.0
    table.add_row("all labelled fields", f"{share:.3f}", str(report.records))
    return table


@app.command(name="eval")
def evaluate(
    corpus: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines corpus")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="exit 1 when below the acceptance thresholds")
    ] = False,
    min_f1: Annotated[float | None, typer.Option(help="exit 1 when F1 is lower")] = None,
    show_misses: Annotated[bool, typer.Option(help="list the records that were wrong")] = False,
) -> None:
    """Score the parser on a labelled corpus: detection and per-field accuracy."""
    records = list(read_corpus(corpus))
    predictions = {p["id"]: p["transactions"] for p in predict(records)}
    report = score(records, predictions)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        console = Console()
        console.print(_table(report))
        if show_misses:
            for record_id, what in report.misses:
                console.print(f"{record_id}: {what}", markup=False)
    problems = report.failures() if check else []
    if min_f1 is not None and report.f1 < min_f1:
        problems.append(f"f1 {report.f1:.3f} < {min_f1}")
    if problems:
        for problem in problems:
            typer.echo(f"below threshold: {problem}", err=True)
        raise typer.Exit(code=1)
