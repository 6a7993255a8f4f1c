"""Several transactions in one message, and lists that are one purchase."""

from __future__ import annotations

from decimal import Decimal

from fincoach.parsing.generic import extract_all
from fincoach.parsing.money import find_money
from fincoach.parsing.types import Direction


def test_activity_list_gives_one_transaction_per_row_in_order() -> None:
    text = (
        "Your recent Card activity\nHere are recent charges on your Card ending in 4410:\n"
        "Feb 11 CORNER DELI 22\n$12.40\nFeb 12 CITY PARKING\n$8.00\n"
    )
    found = extract_all(text)
    assert [(f.amount, f.direction) for f in found] == [
        (Decimal("12.40"), Direction.DEBIT),
        (Decimal("8.00"), Direction.DEBIT),
    ]
    assert found[0].merchant == "CORNER DELI 22"
    assert found[0].account == "4410"


def test_refund_and_charge_rows_keep_their_directions() -> None:
    text = (
        "Your exchange is complete\nHere is what happened on your card:\n"
        "Refund: Wool scarf (returned)\n-$30.00\nCharge: Wool scarf (new colour)\n$32.00\n"
    )
    found = extract_all(text)
    assert [(f.amount, f.direction) for f in found] == [
        (Decimal("30.00"), Direction.CREDIT),
        (Decimal("32.00"), Direction.DEBIT),
    ]


def test_receipt_items_with_a_total_are_one_purchase() -> None:
    text = (
        "Thank you for your order\nFeb 11 Pasta\n$12.00\nFeb 11 Salad\n$9.00\n"
        "Order total\n$21.00\nPaid with Visa ending in 4410\n"
    )
    found = extract_all(text)
    assert [f.amount for f in found] == [Decimal("21.00")]


def test_story_figures_are_not_amounts() -> None:
    assert find_money("a $4.2 billion deal and ₹1,500 crore raised") == []
    assert [m.amount for m in find_money("a $4.2B deal, then $12.50 for lunch")] == [
        Decimal("12.50")
    ]
