"""`fincoach extract` and `fincoach eval`: run the parser over a labelled corpus and score it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fincoach.cli import app
from fincoach.evaluation.corpus import Record, message_text, read_corpus
from fincoach.evaluation.extract import ExtractStats, predict
from fincoach.evaluation.language import detect_language
from fincoach.evaluation.scoring import SCORES, Report, record_currency, score, score_by


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
    for name in SCORES:
        value = report.accuracy(name)
        table.add_row(name, _share(value), str(report.field_total[name]))
    table.add_row("all labelled fields", _share(report.all_fields), str(report.transactions))
    return table


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


class Grouping(StrEnum):
    language = "language"
    currency = "currency"


_GROUP_FIELDS = ("amount", "currency", "direction", "merchant", "merchant_written", "account")


def _group_table(grouping: Grouping, reports: dict[str, Report]) -> Table:
    table = Table(title=f"By {grouping.value} (field cells: score/n)")
    table.add_column(grouping.value)
    for column in ("records", "tx", "P", "R", "F1", *_GROUP_FIELDS, "all"):
        table.add_column(column, justify="right")
    for name, report in reports.items():
        cells = [
            f"{_share(report.accuracy(f))}/{n}" if (n := report.field_total[f]) else "-"
            for f in _GROUP_FIELDS
        ]
        table.add_row(
            name,
            str(report.records),
            str(report.transactions),
            f"{report.precision:.3f}",
            f"{report.recall:.3f}",
            f"{report.f1:.3f}",
            *cells,
            _share(report.all_fields),
        )
    return table


def _grouping_key(grouping: Grouping, texts: dict[str, str]) -> Callable[[Record], str]:
    if grouping is Grouping.language:
        return lambda record: detect_language(texts[record.id])
    return lambda record: record_currency(record, texts[record.id])


@app.command(name="eval")
def evaluate(
    corpus: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines corpus")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="exit 1 when below the acceptance thresholds")
    ] = False,
    min_f1: Annotated[float | None, typer.Option(help="exit 1 when F1 is lower")] = None,
    show_misses: Annotated[bool, typer.Option(help="list the records that were wrong")] = False,
    by: Annotated[
        list[Grouping] | None,
        typer.Option(
            help="also score per language (guessed from the text) or per currency; repeatable"
        ),
    ] = None,
) -> None:
    """Score the parser on a labelled corpus: detection and per-field accuracy."""
    records = list(read_corpus(corpus))
    predictions = {p["id"]: p["transactions"] for p in predict(records)}
    texts = {record.id: message_text(record) for record in records}
    report = score(records, predictions, texts)
    groups = {
        grouping: score_by(records, predictions, _grouping_key(grouping, texts), texts)
        for grouping in dict.fromkeys(by or [])
    }
    if as_json:
        result = report.as_dict()
        if groups:
            result["by"] = {
                grouping.value: {name: r.as_dict() for name, r in reports.items()}
                for grouping, reports in groups.items()
            }
        typer.echo(json.dumps(result, indent=2))
    else:
        console = Console()
        console.print(_table(report))
        # The breakdown is wide: printed whole even when stdout is no terminal (80 columns).
        wide = Console(width=max(console.width, 160))
        for grouping, reports in groups.items():
            wide.print(_group_table(grouping, reports))
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
