"""Refunds from merchants (credits), and the rare exchange that refunds and charges at once."""

from __future__ import annotations

from fincoach.demo import money
from fincoach.demo.families.layout import choose, paras, rows, shell
from fincoach.demo.families.receipts import ITEMS, RECEIPT, amount_text
from fincoach.demo.types import IST, US_EAST, Ctx, Draft, Txn


def refund(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    brand, cur, sym, zone, key, lo, hi, cat = rng.choice(
        (
            ("Amazon", "INR", "₹", IST, "icici_cc", 199, 4999, "shopping"),
            ("Swiggy", "INR", "₹", IST, "hdfc_cc", 120, 900, "food_and_drink"),
            ("Amazon", "USD", "$", US_EAST, "chase_cc", 8, 150, "shopping"),
            ("Uber", "USD", "$", US_EAST, "visa", 5, 40, "transport"),
        )
    )
    amt = money.draw(rng, lo, hi)
    at = money.before(rng, ctx.when, 60, 3600)
    last = p.last(key)
    text = (
        f"Hi {p.first_name},\n\nWe've processed your refund of {amount_text(sym, cur, amt)}. "
        f"It will be credited to your card ending in {last} within 5-7 business days.\n\n"
        f"Refund reference: {money.upper_ref(rng, 12)}\n\nTeam {brand}\n"
    )
    html = shell(brand, "#444444", paras(text.strip().split("\n\n")), f"{brand} customer support")
    return Draft(
        from_name=brand,
        from_addr=f"refunds@{brand.lower()}.com",
        subject=f"Your refund of {amount_text(sym, cur, amt)} has been processed",
        text=text,
        html=html if rng.random() < 0.5 else None,
        labels=RECEIPT,
        charsets=("utf-8",),
        zone=zone,
        txns=[Txn(amt, cur, "credit", brand, last, "card", at, cat)],
    )


def refund_and_charge(ctx: Ctx) -> Draft:
    """An exchange: the refund of the returned item, then the charge for the new one."""
    rng, p = ctx.rng, ctx.profile
    last = p.last("chase_cc")
    back, new = money.draw(rng, 15, 90, whole=0.0), money.draw(rng, 15, 90, whole=0.0)
    at = money.before(rng, ctx.when, 60, 900)
    item = choose(rng, ITEMS)
    table = rows(
        [
            (f"Refund: {item} (returned)", f"-${money.us(back)}"),
            (f"Charge: {item} (replacement, larger size)", f"${money.us(new)}"),
            ("Card", f"Visa ending in {last}"),
        ]
    )
    html = shell(
        "amazon",
        "#232f3e",
        paras(
            [
                f"Hello {p.first_name},",
                "Your exchange is complete. Here is what happened on your card:",
            ]
        )
        + "\n"
        + table,
        "Amazon.com Services LLC",
    )
    txns = [
        Txn(back, "USD", "credit", "Amazon", last, "card", at, "shopping"),
        Txn(new, "USD", "debit", "Amazon", last, "card", at, "shopping"),
    ]
    return Draft(
        from_name="Amazon.com",
        from_addr="return@amazon.com",
        subject="Your exchange is complete",
        html=html,
        labels=RECEIPT,
        charsets=("utf-8",),
        zone=US_EAST,
        txns=txns,
    )


BUILDERS = (
    ("receipt.refund", 0.8, refund),
    ("receipt.refund_and_charge", 0.6, refund_and_charge),
)
