"""Amounts drawn like real spending, and written the way each region writes them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from random import Random

CENT = Decimal("0.01")


def draw(rng: Random, lo: int, hi: int, *, whole: float = 0.25) -> Decimal:
    """An amount in [lo, hi] major units; a share are round numbers, as prices often are."""
    if rng.random() < whole:
        return Decimal(rng.randint(lo, hi))
    return (Decimal(rng.randint(lo * 100, hi * 100)) / 100).quantize(CENT)


def _western(amount: Decimal, sep: str = ",", dec: str = ".") -> str:
    whole, _, frac = f"{amount:.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.append(whole[-3:])
        whole = whole[:-3]
    groups.append(whole)
    return sep.join(reversed(groups)) + dec + frac


def us(amount: Decimal) -> str:
    """1,234.56"""
    return _western(amount)


def eu(amount: Decimal) -> str:
    """1.234,56 (German, Spanish, Italian... style)."""
    return _western(amount, ".", ",")


def indian(amount: Decimal) -> str:
    """1,23,456.78 (lakh grouping)."""
    whole, _, frac = f"{amount:.2f}".partition(".")
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        pairs = []
        while len(head) > 2:
            pairs.append(head[-2:])
            head = head[:-2]
        if head:
            pairs.append(head)
        whole = ",".join(reversed(pairs)) + "," + tail
    return f"{whole}.{frac}"


def plain(amount: Decimal) -> str:
    """1234.56, or 1234 when whole: how SMS-style Indian alerts often print it."""
    if amount == amount.to_integral_value():
        return str(int(amount))
    return f"{amount:.2f}"


def inr(rng: Random, amount: Decimal) -> str:
    """One of the ways Indian banks write rupees."""
    style = rng.randrange(5)
    if style == 0:
        return f"Rs.{indian(amount)}"
    if style == 1:
        return f"Rs {plain(amount)}"
    if style == 2:
        return f"INR {indian(amount)}"
    if style == 3:
        return f"₹{indian(amount)}"
    return f"Rs.{plain(amount)}"


def before(rng: Random, when: datetime, lo_s: int = 30, hi_s: int = 900) -> datetime:
    """When the transaction happened: shortly before the alert, to the minute as shown."""
    t = when - timedelta(seconds=rng.randint(lo_s, hi_s))
    return t.replace(second=0, microsecond=0)


def digits(rng: Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def upper_ref(rng: Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(n))
