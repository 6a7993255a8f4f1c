"""The amount parser reads back every notation a Decimal can be printed in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fincoach.parsing.currencies import digits_of
from fincoach.parsing.money import find_money, format_amount, parse_number

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


def _group(integer: str, sep: str, indian: bool = False) -> str:
    if indian and len(integer) > 3:
        head, tail = integer[:-3], integer[-3:]
        parts = []
        while len(head) > 2:
            parts.insert(0, head[-2:])
            head = head[:-2]
        if head:
            parts.insert(0, head)
        return sep.join([*parts, tail])
    out = []
    while len(integer) > 3:
        out.insert(0, integer[-3:])
        integer = integer[:-3]
    out.insert(0, integer)
    return sep.join(out)


NOTATIONS = {
    "us": lambda i, f: f"{_group(i, ',')}.{f}",
    "india": lambda i, f: f"{_group(i, ',', indian=True)}.{f}",
    "europe": lambda i, f: f"{_group(i, '.')},{f}",
    "space": lambda i, f: f"{_group(i, ' ')},{f}",
    "swiss": lambda i, f: f"{_group(i, chr(39))}.{f}",
    "plain": lambda i, f: f"{i}.{f}",
}


@pytest.mark.parametrize("notation", sorted(NOTATIONS))
@given(value=amounts)
def test_notation_round_trip(notation: str, value: Decimal) -> None:
    integer, fraction = f"{value:.2f}".split(".")
    printed = NOTATIONS[notation](integer, fraction)
    assert parse_number(printed) == value
    # and inside a sentence, with a currency marker
    found = find_money(f"Paid EUR {printed} at the shop")
    assert [m.amount for m in found if m.marked] == [value]


@given(
    value=amounts,
    marker=st.sampled_from(
        ["₹", "Rs.", "Rs ", "INR ", "$", "US$", "€", "£", "AED ", "KES ", "Ksh", "R$ "]
    ),
)
def test_prefixed_markers(value: Decimal, marker: str) -> None:
    found = find_money(f"Debited {marker}{value:.2f} today")
    assert found[0].amount == value
    assert found[0].currency is not None


# --- every notation, script and marker, written by a writer and read back ----------------------

# digit scripts: ASCII, Arabic-Indic, Persian, Devanagari, Bengali, Thai, full-width
SCRIPTS = ["0", "٠", "۰", "०", "০", "๐", "０"]
# grouping name -> (group mark, decimal mark, Indian lakh grouping)
GROUPINGS = {
    "us": (",", ".", False),
    "europe": (".", ",", False),
    "space": (" ", ",", False),
    "nbsp": ("\u00a0", ",", False),
    "thin": ("\u202f", ",", False),
    "narrow": ("\u2009", ".", False),
    "swiss": ("'", ".", False),
    "swiss_curly": ("’", ".", False),
    "india": (",", ".", True),
    "arabic": ("٬", "٫", False),
    "none": ("", ".", False),
}
# currency -> markers that name it whatever the rest of the message says
MARKERS = {
    "USD": ["USD", "US$"],
    "EUR": ["EUR", "€"],
    "INR": ["INR", "₹"],
    "JPY": ["JPY", "円"],
    "CNY": ["CNY", "人民币"],
    "KWD": ["KWD", "د.ك"],
    "OMR": ["OMR", "ر.ع"],
    "BHD": ["BHD"],
    "THB": ["THB", "บาท"],
    "RUB": ["RUB", "₽"],
    "BRL": ["BRL", "R$"],
    "KZT": ["KZT", "₸"],
    "TRY": ["TRY", "TL"],
    "CZK": ["CZK", "Kč"],
    "NGN": ["NGN", "₦"],
    "BDT": ["BDT", "৳"],
    "SAR": ["SAR", "ر.س"],
    "IRR": ["IRR"],
    "KRW": ["KRW", "원"],
}


def _write(
    value: Decimal, currency: str, grouping: str, script: str, marker: str, prefix: bool, sign: str
) -> str:
    """Render `value` as a bank might: grouped, in a digit script, with a marker and a sign."""
    group, decimal, lakh = GROUPINGS[grouping]
    places = digits_of(currency) or 0
    integer, _, fraction = f"{abs(value):.{places}f}".partition(".")
    body = _group(integer, group, indian=lakh) if group else integer
    if fraction:
        body = f"{body}{decimal}{fraction}"
    zero = ord(script)
    body = "".join(chr(zero + int(c)) if c.isdigit() else c for c in body)
    if sign == "trailing":
        body += "-"
    if sign == "inner":
        body = "−" + body
    amount = f"{marker} {body}" if prefix else f"{body} {marker}"
    if sign == "leading":
        amount = "-" + amount
    if sign == "parens":
        amount = f"({amount})"
    return amount


@given(
    data=st.data(),
    currency=st.sampled_from(sorted(MARKERS)),
    grouping=st.sampled_from(sorted(GROUPINGS)),
    script=st.sampled_from(SCRIPTS),
    prefix=st.booleans(),
    sign=st.sampled_from(["", "leading", "inner", "trailing", "parens"]),
)
def test_any_notation_reads_back_exactly(
    data: st.DataObject, currency: str, grouping: str, script: str, prefix: bool, sign: str
) -> None:
    places = digits_of(currency) or 0
    value = data.draw(
        st.decimals(min_value=0, max_value=Decimal("999999999"), places=places), label="value"
    )
    marker = data.draw(st.sampled_from(MARKERS[currency]), label="marker")
    integer = f"{value:.{places}f}".partition(".")[0]
    # Documented ambiguities, read by the currency's conventions instead (tested below):
    # a lone separator before exactly three digits ("12.500", "1,000") and, before the
    # number, an integer grouped by ordinary spaces ("Rs 500 123" is 500).
    assume(not (places == 3 and len(integer) <= 3 and GROUPINGS[grouping][0]))
    assume(not (places == 0 and len(integer) in (4, 5, 6) and grouping in ("us", "europe")))
    assume(not (grouping == "space" and places == 0 and prefix and len(integer) > 3))
    assume(sign != "trailing" or prefix)  # "12.00- EUR": the dash then reads as a separator
    text = f"Amount\n{_write(value, currency, grouping, script, marker, prefix, sign)}\nRef 1"
    found = [m for m in find_money(text) if m.marked]
    assert [(m.amount, m.currency) for m in found] == [(value, currency)], text
    assert found[0].negative == bool(sign), text


# --- each notation, by example ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Rs.1,23,456.78 debited", Decimal("123456.78"), "INR"),
        ("you got 1.234,56 EUR", Decimal("1234.56"), "EUR"),
        ("Importe: $2,754.00 MN", Decimal("2754.00"), "MXN"),
        ("charged $5.00 in pesos", Decimal("5.00"), "MXN"),
        ("paid KWD 12.500 at", Decimal("12.500"), "KWD"),
        ("15000INR credited", Decimal("15000"), "INR"),
        ("Refund (£12.00) issued", Decimal("12.00"), "GBP"),
        ("a purchase of 500.00 was made", Decimal("500.00"), None),
        ("Betrag 1 234,56 EUR", Decimal("1234.56"), "EUR"),
        ("Betrag 1\u00a0234,56 EUR", Decimal("1234.56"), "EUR"),
        ("Montant 1\u202f234,56 €", Decimal("1234.56"), "EUR"),
        ("Betrag CHF 1'234.56", Decimal("1234.56"), "CHF"),
        ("Betrag CHF 1’234.56", Decimal("1234.56"), "CHF"),
        ("مبلغ ١٢٬٣٤٥٫٦٧ ر.س", Decimal("12345.67"), "SAR"),
        ("मूल्य ₹ १,२३,४५६.७८", Decimal("123456.78"), "INR"),
        ("টাকা ৳ ১,২৫০.০০", Decimal("1250.00"), "BDT"),
        ("ยอด ๑,๒๕๐.๕๐ บาท", Decimal("1250.50"), "THB"),
        ("金額 １，２８０円", Decimal("1280"), "JPY"),
        ("EUR .93 back", Decimal("0.93"), "EUR"),
        ("OMR 0.650 paid", Decimal("0.650"), "OMR"),
        ("Rs. 5.000 credited", Decimal("5"), "INR"),
        ("Rs 6000.000 debited", Decimal("6000"), "INR"),
        ("PKR 55.000.00 sent", Decimal("55000.00"), "PKR"),
        ("EUR 1.234 paid", Decimal("1234"), "EUR"),
        ("BHD 1.234 paid", Decimal("1.234"), "BHD"),
        ("Avl Bal Rs 0,87,695.52.", Decimal("87695.52"), "INR"),
        ("支付38.50元，余额", Decimal("38.50"), "CNY"),
        ("12,000원 결제", Decimal("12000"), "KRW"),
        ("paid 500 euros today", Decimal("500"), "EUR"),
        ("Total\n$\n45.20\nThanks", Decimal("45.20"), "USD"),  # HTML cells, one per line
        ("חיוב 120.50 ש״ח בכרטיס", Decimal("120.50"), "ILS"),
    ],
)
def test_examples(text: str, amount: Decimal, currency: str | None) -> None:
    first = find_money(text)[0]
    assert (first.amount, first.currency) == (amount, currency)


@pytest.mark.parametrize(
    ("text", "negative", "dr_cr"),
    [
        ("-$4.50 at Tesco", True, None),
        ("(£12.00) refund", True, None),
        ("$4.50 at Tesco", False, None),
        ("Sum: -1,100,000 UZS", True, None),
        ("EUR 1,100,000-\n", True, None),
        ("EUR −12.00 fee", True, None),
        ("R$ -28,60.", True, None),
        ("USD 50.00DR posted", False, "DR"),
        ("USD 50.00 CR posted", False, "CR"),
        ("INR 50.00 Dr. posted", False, "DR"),
        ("INR 3456.45 Cr -Bank", False, "CR"),
        ("Bal Rs:29467.70- Union Bank", False, None),
        ("INR 15,00,000.00-SBI", False, None),
    ],
)
def test_signs_and_suffixes(text: str, negative: bool, dr_cr: str | None) -> None:
    first = find_money(text)[0]
    assert (first.negative, first.dr_cr) == (negative, dr_cr)


@pytest.mark.parametrize(
    "text",
    [
        "Prize pool 12,07,00,000 (Rs 12.07Cr)",  # crores: a figure in a story
        "a $4.2 billion deal",
        "Transaction ID: 63411784DY648811R",  # a reference, not R 648,811
        "ID O-5WH41178KD779064T",  # not KD 779,064
        "see RFC 2046, $5.1.5",  # a section number
        "ALL 3 items shipped",  # a currency code that is also a word
        "PLUS 5.00 points",  # US inside a word
        "Order P1 shipped",  # P needs an amount shaped like money
    ],
)
def test_not_amounts(text: str) -> None:
    assert [m for m in find_money(text) if m.marked] == []


def test_a_code_ending_its_cell_does_not_mark_the_next_line() -> None:
    found = find_money("Trip\n6.00 PLN\n1\n6.00 PLN\nSubtotal")
    assert [(m.amount, m.currency) for m in found] == [(Decimal("6.00"), "PLN")] * 2


def test_unreadable_numbers() -> None:
    assert parse_number("") is None
    assert parse_number("abc") is None
    assert parse_number("1.2.3") is None


@pytest.mark.parametrize(
    ("printed", "currency", "value"),
    [
        ("12.500", "KWD", "12.500"),
        ("12.500", "EUR", "12500"),
        ("12,500", "USD", "12500"),
        ("1.234,56", None, "1234.56"),
        ("1 234,56", "EUR", "1234.56"),
        ("١٢٬٣٤٥٫٦٧", None, "12345.67"),
        ("۲۵۰,۰۰۰", "IRR", "250000"),
        ("1,23,456", "INR", "123456"),
        ("5.000", "INR", "5"),
        ("5.000", "EUR", "5000"),
        ("185.0", None, "185.0"),
    ],
)
def test_parse_number(printed: str, currency: str | None, value: str) -> None:
    assert parse_number(printed, currency) == Decimal(value)


@pytest.mark.parametrize(
    ("amount", "currency", "written"),
    [
        ("1280.0000", "JPY", "1280"),
        ("12.5000", "KWD", "12.500"),
        ("9.1700", "USD", "9.17"),
        ("1177.5400", "INR", "1177.54"),
        ("1177.5400", None, "1177.54"),
        ("0.1234", "USD", "0.1234"),  # beyond the precision: kept, never rounded
        ("1280.5000", "JPY", "1280.5"),
        ("5", "EUR", "5.00"),
        ("7.5", "XYZ", "7.50"),
    ],
)
def test_format_amount(amount: str, currency: str | None, written: str) -> None:
    assert format_amount(Decimal(amount), currency) == written


NOISY = st.text(
    alphabet=st.sampled_from(
        list("0123456789٠١٢۳۴०১๒０.,'’ -−+()$€£¥₹₽円元บาทر.سRsNPkrDRCr\n\u00a0\u202f\u200fa")
    ),
    max_size=60,
)


@given(text=st.one_of(NOISY, st.text(max_size=80)), currency=st.sampled_from([None, "JPY", "KWD"]))
def test_any_text_reads_without_error(text: str, currency: str | None) -> None:
    """Whatever the text, the reader returns amounts (exact Decimals inside the text) or none."""
    for money in find_money(text, sender_address="a@b.com.br"):
        assert 0 <= money.start < money.end <= len(text)
        assert money.amount.is_finite() and money.amount >= 0
        assert 0.0 <= money.confidence <= 1.0
    value = parse_number(text, currency)
    assert value is None or value.is_finite()


@pytest.mark.parametrize(
    ("text", "amount", "currency", "negative"),
    [
        ("۱,۲۵۰,۰۰۰- ریال", "1250000", "IRR", True),  # a trailing sign before the currency word
        ("مبلغ: ۸۵,۰۰۰,۰۰۰+", "85000000", "IRR", False),  # a trailing plus: a credit, not a minus
        ("승인취소 김*수 12,500원 03/12 20:10", "12500", "KRW", False),  # 원 glued to its number
    ],
)
def test_trailing_signs_and_glued_markers(
    text: str, amount: str, currency: str, negative: bool
) -> None:
    [money] = find_money(text)
    assert (money.amount, money.currency, money.negative) == (Decimal(amount), currency, negative)
