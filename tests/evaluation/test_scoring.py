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
from fincoach.evaluation.scoring import field_matches, loose, record_currency, score, score_by
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
        # merchants in any script, compared after NFKC, case folding and punctuation removal
        ("merchant", "美团外卖", "在美团外卖", True),
        ("merchant", "美团外卖", "饿了么", False),
        ("merchant", "ファミリーマート", "ﾌｧﾐﾘｰﾏｰﾄ", True),  # half-width katakana
        ("merchant", "ПЯТЕРОЧКА 1821", "пятерочка-1821", True),
        ("merchant", "ПЯТЕРОЧКА", "МАГНИТ", False),
        ("merchant", "بن داود", "بن داود ماركت", True),
        ("merchant", "بن داود", "العثيم", False),
        ("merchant", "ＲＥＷＥ ＭＡＲＫＴ", "rewe markt gmbh", True),  # full-width Latin
        ("merchant", "STRAẞE 5", "strasse 5", True),  # case folding, not just lower()
        ("merchant", "เซเว่น อีเลฟเว่น", "เซเว่นอีเลฟเว่น", True),  # Thai vowel marks kept
        ("merchant", "เซเว่น", "เซว", False),
        ("reference", "ТР-4471", "тр4471", True),
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


def test_loose_keeps_letters_marks_and_digits_of_every_script() -> None:
    assert loose("  Café «Ünal» №7 ") == "caféünalno7"
    assert loose("ค่า-ไฟ") == "ค่าไฟ"
    assert loose("¡Hola!") == "hola"


def _transaction(rid: str, text: str, **expected: object) -> Record:
    return Record(id=rid, content_type="text/plain", text=text, expected=expected)


def test_all_fields_is_over_transactions_only() -> None:
    records = [
        _transaction("t1", "paid 10.00 at SHOP", is_transaction=True, amount="10"),
        _transaction("t2", "paid 20.00 at SHOP", is_transaction=True, amount="20"),
        *(_transaction(f"n{i}", "hello", is_transaction=False) for i in range(8)),
    ]
    report = score(records, {"t1": [{"amount": "10.00"}], "t2": [{"amount": "2.00"}]})
    # One of two transactions fully right: 0.5, however many negatives were predicted empty.
    assert report.transactions == 2
    assert report.all_fields == 0.5
    assert report.as_dict()["all_fields"] == 0.5
    assert report.accuracy("amount") == 0.5


def test_merchant_written_counts_only_labels_the_message_shows() -> None:
    records = [
        _transaction("w", "Списание 250 ₽ в ПЯТЕРОЧКА", is_transaction=True, merchant="Пятерочка"),
        _transaction("r", "Card purchase AMZN MKTP 12.00", is_transaction=True, merchant="Amazon"),
        _transaction("n", "Card purchase 12.00", is_transaction=True, merchant=None),
    ]
    predictions = {
        "w": [{"merchant": "ПЯТЕРОЧКА"}],
        "r": [{"merchant": "AMZN MKTP"}],
        "n": [{"merchant": None}],
    }
    report = score(records, predictions)
    assert (report.field_right["merchant"], report.field_total["merchant"]) == (2, 3)
    assert (report.field_right["merchant_written"], report.field_total["merchant_written"]) == (
        1,
        1,
    )


def test_score_by_groups_and_orders_by_size() -> None:
    records = [
        _transaction("a", "x", is_transaction=True, amount="1"),
        _transaction("b", "x", is_transaction=True, amount="2"),
        _transaction("c", "y", is_transaction=False),
    ]
    reports = score_by(records, {"a": [{"amount": "1"}]}, key=lambda r: r.text)
    assert list(reports) == ["x", "y"]
    assert (reports["x"].tp, reports["x"].fn, reports["y"].tn) == (1, 1, 1)


def test_record_currency_is_the_label_then_a_code_in_the_text() -> None:
    labelled = _transaction("a", "USD 5", is_transaction=True, currency="mxn")
    assert record_currency(labelled, labelled.text) == "MXN"
    plain = _transaction("b", "POS ATM paid KES 500", is_transaction=True)
    assert record_currency(plain, plain.text) == "KES"  # POS and ATM are no currencies
    assert record_currency(plain, "paid 500") == "unlabelled"


def test_cli_eval_by_language_and_currency(tmp_path: Path) -> None:
    lines = [
        *RECORDS,
        {
            "id": "ru1",
            "content_type": "text/plain",
            "text": "Списание 1 249,90 RUB в ПЯТЕРОЧКА 1821. Карта *3307. Баланс 18 402,15 RUB",
            "expected": {"is_transaction": True, "merchant": "Пятерочка 1821"},
        },
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    runner = CliRunner()
    by = ["--by", "language", "--by", "currency"]
    result = runner.invoke(app, ["eval", str(path), "--json", *by])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["by"]["language"]) == {"en", "es", "ru"}
    russian = report["by"]["language"]["ru"]
    assert russian["records"] == 1 and russian["detection"]["tp"] + russian["detection"]["fn"] == 1
    assert set(report["by"]["currency"]) >= {"MXN", "RUB"}
    result = runner.invoke(app, ["eval", str(path), "--by", "language"])
    assert result.exit_code == 0, result.output
    assert "By language" in result.stdout and "merchant_written" in result.stdout
