"""The emulator's fast snippet for `format=raw` equals the one read through the full parser."""

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import compat32
from pathlib import Path

import pytest

from fincoach.demo import DemoMailbox
from fincoach.mail.gmail_emulator.formats import raw_snippet, snippet
from fincoach.parsing.multipart import leaf_parts

FIXTURES = sorted((Path(__file__).parents[1] / "fixtures" / "emails").rglob("*.eml"))


def _full(raw: bytes) -> str:
    return snippet(message_from_bytes(raw, policy=compat32))


def test_demo_mail_is_split_without_the_feed_parser_and_gives_the_same_snippets() -> None:
    box = DemoMailbox(seed=5, count=1500, end=datetime(2026, 6, 1, tzinfo=UTC))
    raws = [m.raw for m in box]
    assert all(leaf_parts(raw) is not None for raw in raws)
    assert [raw_snippet(raw) for raw in raws] == [_full(raw) for raw in raws]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_mail_gives_the_same_snippet(path: Path) -> None:
    raw = path.read_bytes()
    assert raw_snippet(raw) == _full(raw)


def test_unusual_mime_falls_back_to_the_full_parser() -> None:
    inner = b"From: a@b.example\r\nSubject: inner\r\n\r\nForwarded words here.\r\n"
    forwarded = (
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\npreamble\r\n--XX\r\n'
        b"Content-Type: message/rfc822\r\n\r\n" + inner + b"--XX--\r\n"
    )
    unclosed = b'Content-Type: multipart/alternative; boundary="YY"\r\n\r\n--YY\r\n\r\nhi\r\n'
    for raw in (forwarded, unclosed):
        assert leaf_parts(raw) is None
        assert raw_snippet(raw) == _full(raw)
    assert "Forwarded words here." in raw_snippet(forwarded)
