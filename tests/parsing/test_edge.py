"""The parser's edge (issue 10): amounts the ledger cannot hold are refused with a reason, and
text fields leave the parser without control or bidi-override characters."""

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fincoach.kit.errors import MalformedEmail
from fincoach.kit.types import Money
from fincoach.parsing import parse
from fincoach.parsing.edge import clean_text
from fincoach.parsing.limits import LEDGER_CAPACITY, AmountOutOfRange, maximum_for
from tests.fuzz.poison import CLEANED, POISON, REFUSED, card_alert

BIDI_CONTROLS = {chr(c) for c in [0x61C, 0x200E, 0x200F, *range(0x202A, 0x202F)]} | {
    chr(c) for c in range(0x2066, 0x206A)
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_an_amount_or_balance_beyond_the_bound_is_refused_with_a_reason(name: str) -> None:
    with pytest.raises(AmountOutOfRange) as raised:
        parse(POISON[name])
    # The reason names the bound, never the figure the email carried.
    assert "1,000,000,000,000 in INR" in raised.value.message
    assert "1000000000" not in raised.value.message
    assert isinstance(raised.value, MalformedEmail)  # callers that skip bad mail skip it too


def test_the_bound_sits_inside_the_ledger_column_with_margin() -> None:
    impl = Money().impl
    integer_digits = impl.precision - impl.scale  # type: ignore[attr-defined]
    assert Decimal(10) ** integer_digits == LEDGER_CAPACITY
    for currency in (None, "INR", "USD", "EUR", "JPY", "IRR", "VND", "IDR"):
        assert maximum_for(currency) * 10 <= LEDGER_CAPACITY


def test_amounts_at_the_bound_are_kept() -> None:
    [inside] = parse(card_alert(amount="999999999999.99"))
    assert inside.amount == Decimal("999999999999.99")


@pytest.mark.parametrize("name", sorted(CLEANED))
def test_merchants_lose_nul_and_bidi_overrides(name: str) -> None:
    [transaction] = parse(POISON[name])
    assert transaction.merchant == CLEANED[name]
    assert transaction.merchant_normalized == CLEANED[name].lower()


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60))
def test_clean_text_leaves_no_control_bidi_or_unencodable_character(value: str) -> None:
    cleaned = clean_text(value)
    if cleaned is None:
        return
    assert cleaned == cleaned.strip() and cleaned
    for char in cleaned:
        assert unicodedata.category(char) not in {"Cc", "Cs"}, repr(char)
        assert char not in BIDI_CONTROLS
    cleaned.encode("utf-8")  # PostgreSQL's text takes it
    assert clean_text(cleaned) == cleaned


def test_clean_text_keeps_joiners_and_letters() -> None:
    hindi = "\u0928\u094d\u200d\u092f"  # a conjunct that needs its zero-width joiner
    assert clean_text(f"  Caf\u00e9 {hindi}  ") == f"Caf\u00e9 {hindi}"
    assert clean_text("A\tB\r\nC") == "A B  C"
    assert clean_text("\x00\u202e") is None
