"""Corpus reading, wrapping and scoring, on a small corpus written by the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fincoach.cli import app
from fincoach.cli import corpus as _corpus_commands  # noqa: F401  (registers the commands)
from fincoach.evaluation.corpus import Record, read_corpus, to_raw_email
from fincoach.evaluation.extract import predict
from fincoach.evaluation.scoring import field_matches, score
from fincoach.parsing import parse

RECORDS = [
    {
        "id": "t1",
        "kind": "sms",
        "content_type": "text/plain",
        "transfer_encoding": None,
        "sender": "VM-TESTBK",
        "subject": None,
        "text": (
            "Rs.640.00 debited from A/c XX9921 on 02-03-25 to VPA corner.shop@okaxis. "
            "Ref 509911223344"
        ),
        "expected": {
            "is_transaction": True,
            "amount": "640",
            "direction": "debit",
            "merchant": "corner.shop",
            "account": "9921",
        },
    },
    {
        "id": "t2",
        "kind": "email",
        "content_type": "text/html",
        "transfer_encoding": "quoted-printable",
        "sender": "alerts@bank.example",
        "subject": "Crédito recibido",
        "text": "<p>Recibiste un abono de $ 1,200.00 MN de JUAN P=C3=89REZ</p>",
        "expected": {
            "is_transaction": True,
            "amount": "1200.00",
            "currency": "MXN",
            "direction": "credit",
        },
    },
    {
        "id": "n1",
        "kind": "sms",
        "content_type": "text/plain",
        "transfer_encoding": None,
        "sender": None,
        "subject": None,
        "text": "Your OTP for the payment of Rs 99 is 123456. Do not share it.",
        "expected": {"is_transaction": False},
    },
]


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    return path


def test_read_and_wrap(corpus_file: Path) -> None:
    records = list(read_corpus(corpus_file))
    assert [r.id for r in records] == ["t1", "t2", "n1"]
    raw = to_raw_email(records[1])
    assert b"Content-Transfer-Encoding: quoted-printable" in raw
    (t,) = parse(raw)
    assert t.merchant is not None and "PÉREZ" in t.merchant


def test_rfc822_records_are_used_as_they_are() -> None:
    record = Record(id="x", content_type="message/rfc822", text="Subject: hi\r\n\r\nhello")
    assert to_raw_email(record) == b"Subject: hi\r\n\r\nhello"


def test_score_perfect_on_small_corpus(corpus_file: Path) -> None:
    records = list(read_corpus(corpus_file))
    predictions = {p["id"]: p["transactions"] for p in predict(records)}
    report = score(records, predictions)
    assert (report.tp, report.fp, report.fn, report.tn) == (2, 0, 0, 1)
    assert report.accuracy("amount") == 1.0
    assert report.accuracy("merchant") == 1.0
    assert report.failures() == []


def test_score_counts_mistakes() -> None:
    records = [
        Record(id="a", content_type="text/plain", text="", expected={"is_transaction": False})
    ]
    report = score(records, {"a": [{"amount": "1"}]})
    assert report.fp == 1 and report.false_positive_rate == 1.0
    assert report.failures()


@pytest.mark.parametrize(
    ("name", "expected", "predicted", "ok"),
    [
        ("amount", "2000", "2000.00", True),
        ("amount", "2000", "200.00", False),
        ("merchant", "user941", "user941@ybl", True),
        ("merchant", "9686714029 axl", "9686714029_axl", True),
        ("merchant", None, None, True),
        ("merchant", "Amazon", "Flipkart", False),
        ("account", "810", "810", True),
        ("account", "6715", "436715", True),
        ("account", "1234", None, False),
        ("account", None, None, True),
        ("currency", "inr", "INR", True),
    ],
)
def test_field_matching(name: str, expected: object, predicted: object, ok: bool) -> None:
    assert field_matches(name, expected, predicted) is ok


def test_cli_extract_and_eval(corpus_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(corpus_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["t1", "t2", "n1"]
    assert lines[0]["transactions"][0]["amount"] == "640.00"
    assert lines[2]["transactions"] == []
    result = runner.invoke(app, ["eval", str(corpus_file), "--json", "--check"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["detection"]["f1"] == 1.0
