"""`fincoach demo` end to end: the real CLI, a generated mailbox, a SQLite ledger vs the truth."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from fincoach.cli import _register_commands, app

Key = tuple[str, int]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    _register_commands()
    db = tmp_path_factory.mktemp("demo") / "ledger.db"
    result = CliRunner().invoke(app, ["demo", "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db, result.output


def _truth(db: Path) -> dict[Key, dict[str, str]]:
    truth_file = db.with_name(db.stem + "-mailbox") / "truth.jsonl"
    rows = [json.loads(line) for line in truth_file.read_text().splitlines() if line.strip()]
    return {(r["message_id"], int(r["position"])): r for r in rows}


def _ledger(db: Path) -> dict[Key, dict[str, str]]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = (
            conn.execute(
                text("SELECT message_id, position, amount, currency, direction FROM transactions")
            )
            .mappings()
            .all()
        )
    engine.dispose()
    return {(r["message_id"], r["position"]): dict(r) for r in rows}


def _matches(found: dict[str, str], expected: dict[str, str]) -> bool:
    return (
        Decimal(found["amount"]) == Decimal(expected["amount"])
        and found["currency"] == expected["currency"]
        and found["direction"] == expected["direction"]
    )


def test_demo_prints_progress_summary_and_where_the_database_is(demo_run: tuple[Path, str]) -> None:
    db, output = demo_run
    assert "emails scanned" in output
    assert "Spend by month" in output
    assert "Spend by category" in output
    assert "Top merchants" in output
    assert str(db.resolve()) in output.replace("\n", "")


def test_demo_ledger_matches_the_generator_truth(demo_run: tuple[Path, str]) -> None:
    db, _ = demo_run
    truth, ledger = _truth(db), _ledger(db)
    assert len(truth) > 500
    correct = sum(1 for key, row in ledger.items() if key in truth and _matches(row, truth[key]))
    precision = correct / len(ledger)
    recall = correct / len(truth)
    assert precision >= 0.99, f"precision {precision:.4f}"
    assert recall >= 0.99, f"recall {recall:.4f}"


def test_running_the_demo_again_adds_nothing(demo_run: tuple[Path, str]) -> None:
    db, _ = demo_run
    before = _ledger(db)
    result = CliRunner().invoke(app, ["demo", "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "(0 new;" in " ".join(result.output.split())
    assert _ledger(db) == before


def test_another_size_or_seed_replaces_the_mailbox_and_its_ledger(tmp_path: Path) -> None:
    _register_commands()
    db = tmp_path / "small.db"

    def demo(*args: str) -> str:
        result = CliRunner().invoke(app, ["demo", "--db", str(db), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    demo("--emails", "150")
    first = _ledger(db)
    assert "Re-syncing the demo mailbox" in demo("--emails", "150")  # same one: reused
    assert _ledger(db) == first

    output = demo("--emails", "60")
    # Not a silent re-sync of the 150-message mailbox: it says so, and the ledger is the new one.
    assert "has 150 emails, seed 7; replacing it with 60 emails, seed 7" in output
    assert "60 emails scanned" in output
    ledger, truth = _ledger(db), _truth(db)
    assert ledger and set(ledger) <= set(truth)
    assert len(list(db.with_name("small-mailbox").glob("*.eml"))) == 60

    output = demo("--emails", "60", "--seed", "8")
    assert "replacing it with 60 emails, seed 8" in output
    assert set(_ledger(db)) <= set(_truth(db)) and _ledger(db) != ledger
