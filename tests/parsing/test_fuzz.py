"""Hostile MIME never escapes as anything but MalformedEmail."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fincoach.kit.errors import MalformedEmail
from fincoach.parsing import ParsedTransaction, parse

HEADERS = st.sampled_from(
    [
        b"Content-Type: multipart/mixed; boundary=XX\r\n",
        b"Content-Type: text/html; charset=x-no-such-charset\r\n",
        b"Content-Type: text/plain; charset=utf-7\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Subject: =?utf-8?B?!!!invalid?=\r\n",
        b"Subject: =?x-unknown?Q?=E9t=E9?=\r\n",
        b"Date: Mon, 99 Foo 99999 25:61:61 +9999\r\n",
        b"From: =?utf-8?q?Bank?= <a@b>\r\n",
        b"Content-Disposition: attachment\r\n",
    ]
)
BODIES = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.just(b"--XX\r\nContent-Type: text/plain\r\n\r\nRs 500 debited\r\n--XX--"),
    st.just(b"PGh0bWw+PGJvZHk+JDUuMDAgcGFpZDwvYm9keT48L2h0bWw+"),
    st.just(b"<html><body>" * 200 + b"Rs 12 spent at X"),
)


@settings(max_examples=300, deadline=None)
@given(headers=st.lists(HEADERS, max_size=6), body=BODIES)
def test_parse_never_crashes(headers: list[bytes], body: bytes) -> None:
    raw = b"".join(headers) + b"\r\n" + body
    try:
        result = parse(raw)
    except MalformedEmail as exc:
        reason = exc.message
        result = []
        assert len(reason) < 80  # a short reason, never the content
    assert all(isinstance(t, ParsedTransaction) for t in result)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=600))
def test_arbitrary_bytes(raw: bytes) -> None:
    with contextlib.suppress(MalformedEmail):
        assert isinstance(parse(raw), list)


def test_nesting_is_bounded() -> None:
    inner = b"Content-Type: text/plain\r\n\r\nRs 100 debited from A/c XX1234\r\n"
    for _ in range(50):
        inner = b"Content-Type: message/rfc822\r\n\r\n" + inner
    assert parse(inner) == []  # deeper than MAX_DEPTH: not read, and no recursion error


def test_empty_is_malformed() -> None:
    with pytest.raises(MalformedEmail, match="empty"):
        parse(b"   ")
