"""The amount parser reads back every notation a Decimal can be printed in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fincoach.parsing.money import find_money, parse_number

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
    ],
)
def test_examples(text: str, amount: Decimal, currency: str | None) -> None:
    first = find_money(text)[0]
    assert (first.amount, first.currency) == (amount, currency)


def test_negative_sign_and_parentheses() -> None:
    assert find_money("-$4.50 at Tesco")[0].negative
    assert find_money("(£12.00) refund")[0].negative
    assert not find_money("$4.50 at Tesco")[0].negative


def test_unreadable_numbers() -> None:
    assert parse_number("") is None
    assert parse_number("abc") is None
