"""The currency table (CLDR via Babel, plus the hand-kept bank marks) and how ambiguous signs
are resolved from the evidence in a message."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources

import pytest
from babel.numbers import get_currency_precision

from fincoach.parsing.currencies import CURRENCIES, MARKERS, digits_of
from fincoach.parsing.money import currency_of, dollar_for_sender, find_money


def test_minor_units_are_cldrs() -> None:
    assert len(CURRENCIES) > 140
    for code in CURRENCIES:
        assert digits_of(code) == get_currency_precision(code), code
    assert (digits_of("JPY"), digits_of("KWD"), digits_of("OMR"), digits_of("USD")) == (0, 3, 3, 2)


def test_hand_marks_are_valid_data() -> None:
    marks = tomllib.loads(
        resources.files("fincoach.parsing").joinpath("currency_marks.toml").read_text("utf-8")
    )
    for entry in marks["mark"]:
        assert entry["why"].strip(), entry["text"]
        assert set(entry["currencies"]) <= set(CURRENCIES), entry["text"]
        assert entry.get("default") in (None, *entry["currencies"]), entry["text"]
    for code in marks["words"]:
        assert code in CURRENCIES


def test_cldr_symbols_and_bank_abbreviations_are_markers() -> None:
    expected = {
        "₹": "INR", "₦": "NGN", "৳": "BDT", "Kč": "CZK", "₸": "KZT", "Tk": "BDT", "TL": "TRY",
        "MT": "MZN", "Birr": "ETB", "KSh": "KES", "TSh": "TZS", "SR": "SAR", "ر.س": "SAR",
        "ر.ع": "OMR", "جنيه": "EGP", "т": "KZT", "р.": "RUB", "руб": "RUB", "บาท": "THB",
        "円": "JPY", "人民币": "CNY",
    }  # fmt: skip
    for marker, code in expected.items():
        assert code in MARKERS[marker].currencies, marker


@pytest.mark.parametrize(
    ("text", "sender", "currency"),
    [
        ("ご利用金額 ¥1,280", None, "JPY"),  # kana
        ("消费金额 ¥38.50", None, "CNY"),  # hanzi without kana
        ("您消费38.50元", None, "CNY"),
        ("您消费38.50元", "alerts@bank.com.tw", "TWD"),
        ("Rs 500 debited", "alerts@hbl.com.pk", "PKR"),
        ("Rs 500 debited, PKR account", None, "PKR"),
        ("Rs 500 debited by NEFT", None, "INR"),
        ("valor RS 42,90 no cartão", None, "BRL"),
        ("valor RS 42,90", "avisos@itau.com.br", "BRL"),
        ("Köp 500 kr på ICA, saldo återstår", None, "SEK"),
        ("Kjøp 500 kr", "varsel@dnb.no", "NOK"),
        ("Compra por $1,250.00", "alertas@banorte.com.mx", "MXN"),
        ("Compra por $1,250.00 M.N.", None, "MXN"),
        ("Sent P1,500.00 to JOHN", "alerts@fnb.co.bw", "BWP"),
    ],
)
def test_ambiguous_signs_follow_the_evidence(text: str, sender: str | None, currency: str) -> None:
    marked = [m for m in find_money(text, sender_address=sender) if m.marked]
    assert [m.currency for m in marked] == [currency]


def test_without_evidence_there_is_no_global_default() -> None:
    """`kr` alone names no currency; `$`, `¥`, `P`, `Rs` fall to their own default, doubted."""
    kr = find_money("Paid 500 kr")[0]
    assert (kr.amount, kr.currency, kr.marked) == (Decimal("500"), None, True)
    for text, currency in [("$12.00", "USD"), ("¥500", "JPY"), ("P1,500.00", "PHP"),
                           ("Rs 500", "INR")]:  # fmt: skip
        money = find_money(f"Paid {text} today")[0]
        assert (money.currency, money.confidence) == (currency, 0.6), text
    # "US" is dollars only in a Brazilian message
    assert [m for m in find_money("valor US 19,99 at the store") if m.marked] == []


def test_toman_is_marked_but_not_taken_for_rials() -> None:
    """A toman is ten rials and has no ISO code: the amount is kept, its currency not guessed."""
    toman = find_money("خرید ۲۵۰,۰۰۰ تومان با کارت")[0]
    assert (toman.amount, toman.currency, toman.marked) == (Decimal("250000"), None, True)
    assert find_money("خرید ۲۵۰,۰۰۰ ریال با کارت")[0].currency == "IRR"


def test_institution_hints_win() -> None:
    assert find_money("$100.00", dollar_hint="CLP")[0].currency == "CLP"
    assert find_money("RS 42,90", hints={"RS": "BRL"})[0].currency == "BRL"


def test_currency_of_a_printed_marker() -> None:
    assert currency_of("INR") == "INR"
    assert currency_of("RMB") == "CNY"
    assert currency_of("RS", "compra aprovada no cartão") == "BRL"
    assert currency_of("Rs") == "INR"
    assert currency_of("$", "", "MXN") == "MXN"
    assert currency_of("kr") is None
    assert currency_of("XYZ") is None
    assert currency_of("euros") == "EUR"


def test_dollar_for_sender() -> None:
    assert dollar_for_sender("notificaciones@banorte.com.mx") == "MXN"
    assert dollar_for_sender("alerts@bank.ca") == "CAD"
    assert dollar_for_sender("alerts@chase.com") is None
    assert dollar_for_sender(None) is None


def test_unmarked_amounts_take_the_messages_currency() -> None:
    """An amount printed bare takes the one currency the message names, or its script's."""
    text = "Amount: 1,250.00\nAvailable balance INR 10,000.00"
    assert find_money(text)[0].currency == "INR"
    persian = find_money("خرید با کارت ۳۳۹۱ / ۲۵۰,۰۰۰-")[0]
    assert (persian.currency, persian.marked) == ("IRR", False)
    assert find_money("Amount: 1,250.00")[0].currency is None
