import email
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from email import policy
from email.header import decode_header, make_header

from fincoach.demo import TAXONOMY, DemoMailbox, DemoMessage, money
from fincoach.demo.families import FAMILIES

TRANSACTION_PREFIXES = ("in.", "us.", "eu.", "world.", "wallet.", "receipt.")
INSTRUMENTS = {"card", "upi", "bank_transfer", "ach", "wire", "wallet", "cash_withdrawal", "other"}


def _text_parts(raw: bytes) -> list[tuple[str, str, str]]:
    """(content type, charset, decoded text) of each text part, decoded by hand."""
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    out = []
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        charset = part.get_content_charset()
        assert charset, "every text part declares its charset"
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        out.append((part.get_content_type(), charset, payload.decode(charset)))
    return out


def test_every_message_parses_and_decodes(messages: list[DemoMessage]) -> None:
    for m in messages:
        parts = _text_parts(m.raw)
        assert parts, m.index
        modern = email.message_from_bytes(m.raw, policy=policy.default)
        assert not modern.defects, (m.index, modern.defects)
        for name in ("Date", "From", "To", "Subject", "Message-ID", "MIME-Version"):
            assert modern[name], (m.index, name)
        assert str(make_header(decode_header(modern["Subject"]))) == m.subject
        assert m.sender in str(modern["From"])
        body = modern.get_body(preferencelist=("html", "plain"))
        assert body is not None
        assert body.get_content().strip()


def test_lines_are_crlf_and_short(messages: list[DemoMessage]) -> None:
    for m in messages[:500]:
        assert b"\n" not in m.raw.replace(b"\r\n", b"")
        assert max(len(line) for line in m.raw.split(b"\r\n")) <= 998


def test_share_of_transactions(messages: list[DemoMessage]) -> None:
    with_truth = sum(1 for m in messages if m.truth)
    assert 0.35 <= with_truth / len(messages) <= 0.41
    two = sum(1 for m in messages if len(m.truth) == 2)
    assert 0.004 <= two / len(messages) <= 0.02
    assert all(len(m.truth) <= 2 for m in messages)


def test_every_family_is_present(mailbox: DemoMailbox) -> None:
    seen = Counter(mailbox.family(i) for i in range(len(mailbox)))
    assert set(seen) == {name for name, _, _ in FAMILIES}


def test_families_and_truth_agree(mailbox: DemoMailbox, messages: list[DemoMessage]) -> None:
    for m in messages:
        family = mailbox.family(m.index)
        assert bool(m.truth) == family.startswith(TRANSACTION_PREFIXES), (m.index, family)


def test_charsets_encodings_and_shapes_vary(messages: list[DemoMessage]) -> None:
    charsets: Counter[str] = Counter()
    encodings: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    encoded_headers = 0
    for m in messages:
        msg = email.message_from_bytes(m.raw, policy=policy.compat32)
        shapes[msg.get_content_type()] += 1
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                charsets[str(part.get_content_charset())] += 1
                encodings[str(part["Content-Transfer-Encoding"]).lower()] += 1
        encoded_headers += b"=?" in m.raw.split(b"\r\n\r\n", 1)[0]
    assert {"utf-8", "iso-8859-1", "windows-1252", "iso-8859-15", "us-ascii"} <= set(charsets)
    assert set(encodings) == {"7bit", "8bit", "quoted-printable", "base64"}
    assert {"text/plain", "text/html", "multipart/alternative"} <= set(shapes)
    assert encoded_headers > 50
    assert any("text/calendar" in m.raw.decode("ascii", "replace") for m in messages)


def test_non_ascii_survives(messages: list[DemoMessage]) -> None:
    texts = [t for m in messages for _, _, t in _text_parts(m.raw)]
    assert any("₹" in t for t in texts)
    assert any("€" in t for t in texts)
    assert any("é" in t or "ó" in t for t in texts)


def test_labels_are_gmail_label_ids(messages: list[DemoMessage]) -> None:
    categories = {
        "CATEGORY_UPDATES",
        "CATEGORY_PROMOTIONS",
        "CATEGORY_SOCIAL",
        "CATEGORY_PERSONAL",
        "CATEGORY_FORUMS",
    }
    seen = set()
    for m in messages:
        assert m.labels[0] == "INBOX"
        cats = categories & set(m.labels)
        assert len(cats) == 1, m.labels
        seen |= cats
    assert seen == categories


def test_truth_is_well_formed(messages: list[DemoMessage]) -> None:
    currencies = set()
    for m in messages:
        assert [t.position for t in m.truth] == list(range(len(m.truth)))
        for t in m.truth:
            assert isinstance(t.amount, Decimal) and t.amount > 0
            assert t.amount == t.amount.quantize(Decimal("0.01"))
            assert t.direction in ("debit", "credit")
            assert t.category in TAXONOMY
            assert t.instrument in INSTRUMENTS
            assert t.merchant.strip()
            assert t.account is None or t.account.isdigit()
            assert t.occurred_at.utcoffset() is not None
            assert t.occurred_at <= m.internal_date
            assert m.internal_date - t.occurred_at < timedelta(hours=3)
            currencies.add(t.currency)
    assert {"INR", "USD", "GBP", "EUR", "AED", "MXN", "KES"} <= currencies


def _renderings(amount: Decimal) -> set[str]:
    return {money.us(amount), money.indian(amount), money.eu(amount), money.plain(amount)}


def test_truth_is_what_the_message_says(messages: list[DemoMessage]) -> None:
    """The amount and the last digits of every truth transaction are written in the message."""
    for m in messages:
        if not m.truth:
            continue
        text = " ".join(t for _, _, t in _text_parts(m.raw))
        for t in m.truth:
            assert any(r in text for r in _renderings(t.amount)), (m.index, t.amount)
            if t.account is not None:
                assert t.account in text, (m.index, t.account)


def test_both_directions_and_many_categories(messages: list[DemoMessage]) -> None:
    truth = [t for m in messages for t in m.truth]
    directions = Counter(t.direction for t in truth)
    assert directions["credit"] > 0.1 * len(truth)
    assert directions["debit"] > 0.5 * len(truth)
    assert len({t.category for t in truth}) >= 15
    assert {t.instrument for t in truth} == INSTRUMENTS
