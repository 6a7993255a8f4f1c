from __future__ import annotations

import pytest

from fincoach.parsing.categories import CATEGORIES, categorize, normalize_merchant
from fincoach.parsing.types import Direction


def test_taxonomy_ids() -> None:
    assert len(CATEGORIES) == 20 and len(set(CATEGORIES)) == 20
    assert CATEGORIES[0] == "income" and CATEGORIES[-1] == "other"


@pytest.mark.parametrize(
    ("merchant", "text", "direction", "category"),
    [
        ("swiggy", "", Direction.DEBIT, "food_and_drink"),
        ("netflix", "", Direction.DEBIT, "subscriptions"),
        ("uber", "", Direction.DEBIT, "transport"),
        (None, "Rs 500 withdrawn at ATM", Direction.DEBIT, "cash"),
        (None, "SALARY credited", Direction.CREDIT, "income"),
        ("zzz unknown", "nothing here", Direction.DEBIT, "other"),
    ],
)
def test_categorize(merchant: str | None, text: str, direction: Direction, category: str) -> None:
    assert categorize(merchant, text, direction) == category


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("swiggy@hdfcbank", "swiggy"),
        ("PAY*SWIGGY", "swiggy"),
        ("NETFLIX.COM", "netflix"),
        ("AIRTEL Gurgaon IND", "airtel"),
        ("STARBUCKS 001234 BANGALORE", "starbucks"),
    ],
)
def test_normalize_merchant(raw: str, key: str) -> None:
    assert normalize_merchant(raw) == key
