"""Institution rule files: validated when loaded, and the documented groups are read."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from fincoach.parsing import parse
from fincoach.parsing.rules import compile_rule, rules


def _rule(**extra: object) -> dict[str, object]:
    return {"id": "acme", "senders": ["acme.example"], **extra}


def test_every_shipped_rule_file_is_valid() -> None:
    assert {r.id for r in rules()} >= {"axis", "banorte", "mpesa"}


def test_an_unknown_key_is_rejected_naming_the_file() -> None:
    with pytest.raises(ValueError, match=r"(?s)acme\.toml.*sender_domains"):
        compile_rule(_rule(sender_domains=["acme.example"]), "acme.toml")


def test_an_unknown_key_in_a_pattern_is_rejected() -> None:
    pattern = {"id": "p", "regex": r"(?P<amount>\d+)", "merchent": "x"}
    with pytest.raises(ValueError, match="merchent"):
        compile_rule(_rule(patterns=[pattern]), "acme.toml")


def test_a_pattern_without_an_amount_group_is_rejected() -> None:
    pattern = {"id": "p", "regex": r"Paid (?P<total>\d+)"}
    with pytest.raises(ValueError, match="amount"):
        compile_rule(_rule(patterns=[pattern]), "acme.toml")


def test_a_regex_that_does_not_compile_is_rejected() -> None:
    pattern = {"id": "p", "regex": r"(?P<amount>\d+"}
    with pytest.raises(ValueError, match="compile"):
        compile_rule(_rule(patterns=[pattern]), "acme.toml")


def test_a_bad_direction_is_rejected() -> None:
    pattern = {"id": "p", "regex": r"(?P<amount>\d+)", "direction": "sideways"}
    with pytest.raises(ValueError, match="direction"):
        compile_rule(_rule(patterns=[pattern]), "acme.toml")


def test_the_date_group_dates_the_transaction() -> None:
    """M-Pesa's rule captures `date`: it wins over an earlier date elsewhere in the text."""
    body = (
        "Statement period 01/02/2026 - 28/02/2026 is ready in the app.\n"
        "QCK7H2LM9P Confirmed. Ksh1,250.00 sent to JANE WANJIKU 0712345678 on 12/3/26 "
        "at 2:14 PM. New M-PESA balance is Ksh4,310.55."
    )
    date = format_datetime(datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
    raw = (
        f"From: M-PESA <mpesa@safaricom.example>\r\nDate: {date}\r\n"
        "Message-ID: <r@x>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode() + body.encode()
    (t,) = parse(raw)
    assert t.rule == "mpesa.sent"
    assert t.occurred_at.date() == datetime(2026, 3, 12).date()
