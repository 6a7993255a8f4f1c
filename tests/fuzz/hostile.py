"""Hypothesis strategies for hostile email: everything a sender can get wrong, or do on purpose.

Broken MIME (missing or lying boundaries, truncated parts), huge headers, deep multipart and
message/rfc822 nesting, unknown and lying charsets, transfer encodings that do not decode,
enormous base64 and HTML bodies, and binary garbage — mixed with fragments of real alerts so the
extractor is exercised, not just the decoder.
"""

import base64
import random

from hypothesis import strategies as st

ALERT_TEXT = [
    b"Rs 1,250.00 debited from A/c XX1234 on 01-02-26 to VPA shop@okaxis UPI Ref 612345678901",
    b"You spent $45.20 at COFFEE SHOP with your card ending 4821",
    b"\xe2\x82\xb9 999 credited to your account",
    b"Purchase of AED 1.234,56 at MALL",
    b"<td>Order total:</td><td>$12.00</td>",
]

CHARSETS = [
    "utf-8",
    "iso-8859-1",
    "windows-1252",
    "x-unknown-charset",
    "utf-7",
    "utf-16",
    "gb2312",
    "shift_jis",
    "koi8-r",
    "",
    "utf-8\x00",
    '"broken',
]
ENCODINGS = ["base64", "quoted-printable", "7bit", "8bit", "binary", "x-uuencode", "bogus", ""]
CONTENT_TYPES = [
    "text/plain",
    "text/html",
    "multipart/mixed",
    "multipart/alternative",
    "message/rfc822",
    "application/octet-stream",
    "text/calendar",
    "multipart/related",
    "garbage",
    "",
]


def _header(name: bytes, value: bytes) -> bytes:
    return name + b": " + value + b"\r\n"


encoded_words = st.builds(
    lambda cs, enc, data: f"=?{cs}?{enc}?".encode() + data + b"?=",
    st.sampled_from(CHARSETS),
    st.sampled_from(["B", "Q", "X", ""]),
    st.binary(max_size=40),
)

header_values = st.one_of(
    st.binary(max_size=80).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    encoded_words,
    st.integers(1_000, 20_000).map(lambda n: b"A" * n),  # a huge header line
    st.integers(1, 500).map(lambda n: b"x\r\n " * n),  # a header folded thousands of times
)

headers = st.lists(
    st.builds(
        _header,
        st.sampled_from([b"Subject", b"From", b"Date", b"Content-Type", b"Message-ID", b"X-Y"]),
        header_values,
    ),
    max_size=8,
)


@st.composite
def leaf(draw: st.DrawFn) -> bytes:
    content_type = draw(st.sampled_from(CONTENT_TYPES[:2] + CONTENT_TYPES[5:]))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    body = draw(
        st.one_of(
            st.sampled_from(ALERT_TEXT),
            st.binary(max_size=300),
            st.integers(1, 2_000).map(lambda n: b"<div>" * n + b"$5.00 paid" + b"</div>" * n),
            st.integers(1, 30_000).map(lambda n: base64.b64encode(b"\x00" * n)),
            st.integers(1, 5_000).map(lambda n: b"=" * n),  # a QP body that never decodes
        )
    )
    head = f"Content-Type: {content_type}; charset={charset}\r\n".encode(errors="replace")
    head += f"Content-Transfer-Encoding: {encoding}\r\n".encode()
    return head + b"\r\n" + body


def _multipart(children: list[bytes], boundary: bytes, close: bool, subtype: str) -> bytes:
    out = f'Content-Type: multipart/{subtype}; boundary="'.encode() + boundary + b'"\r\n\r\n'
    for child in children:
        out += b"--" + boundary + b"\r\n" + child + b"\r\n"
    return out + (b"--" + boundary + b"--\r\n" if close else b"")


parts = st.recursive(
    leaf(),
    lambda inner: st.one_of(
        st.builds(
            _multipart,
            st.lists(inner, min_size=0, max_size=6),
            st.sampled_from([b"b1", b"", b"--", b"b1 b2", b"x" * 200]),
            st.booleans(),
            st.sampled_from(["mixed", "alternative", "related", "digest"]),
        ),
        inner.map(lambda child: b"Content-Type: message/rfc822\r\n\r\n" + child),
    ),
    max_leaves=12,
)


def _nested(depth: int, rfc822: bool) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\nRs 100 debited from A/c XX1234\r\n"
    for level in range(depth):
        if rfc822:
            body = b"Content-Type: message/rfc822\r\n\r\n" + body
        else:
            boundary = f"n{level}".encode()
            body = _multipart([body], boundary, True, "mixed")
    return body


deep_nesting = st.builds(_nested, st.integers(9, 120), st.booleans())

many_parts = st.integers(65, 300).map(
    lambda n: _multipart([b"Content-Type: text/plain\r\n\r\nRs 1 paid"] * n, b"b", True, "mixed")
)

hostile_messages = st.one_of(
    st.builds(lambda h, p: b"".join(h) + p, headers, parts),
    st.builds(lambda h, b: b"".join(h) + b"\r\n" + b, headers, st.binary(max_size=2_000)),
    deep_nesting,
    many_parts,
    st.binary(max_size=500),
)


def hostile_message(rng: random.Random) -> bytes:
    """A hostile message from a plain seeded generator (no hypothesis bookkeeping): distinct
    charsets, boundaries, nesting and sizes every time, for memory checks."""
    charset = rng.choice(CHARSETS) + str(rng.randrange(10**6))  # a new unknown charset name
    encoding = rng.choice(ENCODINGS)
    body = rng.choice(ALERT_TEXT) + rng.randbytes(rng.randrange(0, 2_000))
    leaf_part = (
        f"Content-Type: {rng.choice(CONTENT_TYPES)}; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode(errors="replace") + body
    shape = rng.randrange(4)
    if shape == 0:
        return leaf_part
    if shape == 1:
        boundary = f"b{rng.randrange(10**9)}".encode()
        return _multipart([leaf_part] * rng.randrange(1, 80), boundary, rng.random() < 0.5, "mixed")
    if shape == 2:
        return _nested(rng.randrange(1, 60), rng.random() < 0.5)
    subject = b"Subject: =?" + charset.encode(errors="replace") + b"?B?" + rng.randbytes(30) + b"?="
    return subject + b"\r\n" + leaf_part
