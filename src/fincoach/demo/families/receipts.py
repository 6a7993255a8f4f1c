"""Merchant receipts, subscriptions and refunds: mostly HTML with item tables and a total."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from fincoach.demo import money
from fincoach.demo.families.layout import choose, paras, rows, shell, stamp
from fincoach.demo.types import IST, UK, US_EAST, US_PACIFIC, Ctx, Draft, Txn

RECEIPT = ("INBOX", "CATEGORY_UPDATES")
ITEMS = (
    "USB-C Charging Cable (2-Pack)",
    "Wireless Mouse",
    "Paperback: The Pragmatic Programmer",
    "Stainless Steel Water Bottle",
    "Cotton T-Shirt, Navy",
    "LED Desk Lamp",
    "Noise Cancelling Earbuds",
    "Yoga Mat",
    "Coffee Beans 1kg",
    "Phone Case",
)
_FOOD = (
    "Chicken Biryani",
    "Paneer Butter Masala",
    "Margherita Pizza",
    "Veg Burger",
    "Masala Dosa",
    "Pad Thai",
    "Caesar Salad",
    "Garlic Naan",
    "Cold Coffee",
    "Chocolate Brownie",
)
# (brand, sender, currency, symbol, zone, card key, low, high, category, merchant)
_SUBS = (
    (
        "Netflix",
        "info@account.netflix.com",
        "USD",
        "$",
        US_PACIFIC,
        "visa",
        ("6.99", "15.49", "22.99"),
        "subscriptions",
    ),
    (
        "Spotify",
        "no-reply@spotify.com",
        "GBP",
        "£",
        UK,
        "mastercard",
        ("11.99", "17.99", "5.99"),
        "subscriptions",
    ),
    (
        "Netflix",
        "info@account.netflix.com",
        "INR",
        "₹",
        IST,
        "hdfc_cc",
        ("149", "199", "499", "649"),
        "subscriptions",
    ),
)


def amount_text(sym: str, cur: str, amt: Decimal) -> str:
    return f"{sym}{money.indian(amt)}" if cur == "INR" else f"{sym}{money.us(amt)}"


def _item_table(lines: list[tuple[str, str]], total: str) -> str:
    body = "\n".join(
        f'<tr><td>{escape(a)}</td><td align="right">{escape(b)}</td></tr>' for a, b in lines
    )
    return (
        f'<table width="100%" cellpadding="4" style="border-collapse:collapse">\n{body}\n'
        f'<tr style="border-top:2px solid #000"><td><b>Order Total</b></td>'
        f'<td align="right"><b>{escape(total)}</b></td></tr>\n</table>'
    )


def amazon_order(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    india = rng.random() < 0.5
    cur, sym, zone = ("INR", "₹", IST) if india else ("USD", "$", US_EAST)
    n = rng.randint(1, 3)
    lines, subtotal = [], Decimal(0)
    for _ in range(n):
        price = money.draw(rng, 199, 2999) if india else money.draw(rng, 6, 80, whole=0.0)
        qty = rng.choice((1, 1, 1, 2))
        subtotal += price * qty
        lines.append((f"{choose(rng, ITEMS)} (Qty: {qty})", amount_text(sym, cur, price * qty)))
    ship = Decimal(0) if india or rng.random() < 0.6 else Decimal("5.99")
    tax = Decimal(0) if india else (subtotal * Decimal("0.0725")).quantize(money.CENT)
    total = subtotal + ship + tax
    lines += [
        ("Shipping & Handling:", amount_text(sym, cur, ship)),
        ("Estimated tax:", amount_text(sym, cur, tax)),
    ]
    key = "icici_cc" if india else "chase_cc"
    last = p.last(key)
    at = money.before(rng, ctx.when, 5, 60)
    order = f"{money.digits(rng, 3)}-{money.digits(rng, 7)}-{money.digits(rng, 7)}"
    inner = (
        paras(
            [
                f"Hello {p.first_name},",
                "Thank you for shopping with us. We'll send a confirmation when your item ships.",
                f"Order #{order}",
            ]
        )
        + "\n"
        + _item_table(lines, amount_text(sym, cur, total))
        + "\n"
        + paras([f"Payment method: Visa ending in {last}"])
    )
    html = shell(
        "amazon",
        "#232f3e",
        inner,
        "This email was sent from a notification-only address that cannot accept incoming email.",
    )
    domain = "amazon.in" if india else "amazon.com"
    return Draft(
        from_name=f"Amazon.{domain.split('.')[1]}",
        from_addr=f"auto-confirm@{domain}",
        subject=f"Your Amazon.{domain.split('.')[1]} order #{order}",
        html=html,
        labels=RECEIPT,
        charsets=("utf-8",),
        zone=zone,
        txns=[Txn(total, cur, "debit", "Amazon", last, "card", at, "shopping")],
    )


def uber_trip(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    cur, sym, zone, lo, hi, key = rng.choice(
        (
            ("USD", "$", US_EAST, 9, 58, "visa"),
            ("INR", "₹", IST, 90, 850, "hdfc_cc"),
            ("GBP", "£", UK, 7, 35, "mastercard"),
        )
    )
    fare = money.draw(rng, lo, hi, whole=0.0)
    fee = (fare * Decimal("0.08")).quantize(money.CENT)
    total = fare + fee
    at = money.before(rng, ctx.when, 60, 900)
    last = p.last(key)
    table = rows(
        [
            ("Trip fare", amount_text(sym, cur, fare)),
            ("Booking fee", amount_text(sym, cur, fee)),
            ("Total", amount_text(sym, cur, total)),
            ("Payments", f"•••• {last}"),
        ]
    )
    inner = (
        paras(
            [f"Thanks for riding, {p.first_name}", stamp(at, zone, "{B} {D}, {Y} at {I}:{M} {p}")]
        )
        + "\n"
        + table
    )
    html = shell("Uber", "#000000", inner, "Uber Technologies, 1725 3rd Street, San Francisco")
    daypart = "morning" if at.astimezone(zone).hour < 12 else "evening"
    return Draft(
        from_name="Uber Receipts",
        from_addr="noreply@uber.com",
        subject=f"Your {stamp(at, zone, '{a}')} {daypart} trip with Uber",
        html=html,
        labels=RECEIPT,
        charsets=("utf-8",),
        zone=zone,
        txns=[Txn(total, cur, "debit", "Uber", last, "card", at, "transport")],
    )


def food_order(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    brand, sender, cur, sym, zone, key = rng.choice(
        (
            ("Swiggy", "noreply@swiggy.in", "INR", "₹", IST, "hdfc_cc"),
            ("Zomato", "noreply@zomato.com", "INR", "₹", IST, "icici_cc"),
            ("DoorDash", "no-reply@doordash.com", "USD", "$", US_PACIFIC, "visa"),
        )
    )
    india = cur == "INR"
    lines, subtotal = [], Decimal(0)
    for _ in range(rng.randint(1, 4)):
        price = money.draw(rng, 90, 420, whole=0.9) if india else money.draw(rng, 6, 22)
        subtotal += price
        lines.append((choose(rng, _FOOD), amount_text(sym, cur, price)))
    fee = Decimal(rng.choice((25, 35, 49))) if india else Decimal("3.99")
    total = subtotal + fee
    lines.append(("Delivery fee", amount_text(sym, cur, fee)))
    at = money.before(rng, ctx.when, 60, 1200)
    paid = f"Paid via {'UPI' if india and rng.random() < 0.5 else 'Card ending ' + p.last(key)}"
    upi = paid.endswith("UPI")
    inner = (
        paras([f"Hi {p.first_name}, your order has been delivered!"])
        + "\n"
        + _item_table(lines, amount_text(sym, cur, total))
        + "\n"
        + paras([paid])
    )
    html = shell(brand, "#fc8019", inner, f"{brand} - order summary")
    return Draft(
        from_name=brand,
        from_addr=sender,
        subject=f"Your {brand} order summary",
        html=html,
        labels=RECEIPT,
        charsets=("utf-8",),
        zone=zone,
        txns=[
            Txn(
                total,
                cur,
                "debit",
                brand,
                None if upi else p.last(key),
                "upi" if upi else "card",
                at,
                "food_and_drink",
            )
        ],
    )


def subscription(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    brand, sender, cur, sym, zone, key, prices, cat = rng.choice(_SUBS)
    amt = Decimal(rng.choice(prices)).quantize(money.CENT)
    at = money.before(rng, ctx.when, 60, 3600)
    last = p.last(key)
    text = (
        f"Hi {p.first_name},\n\nThanks for your payment. Here is your receipt.\n\n"
        f"Plan: {choose(rng, ('Premium', 'Standard', 'Individual'))}\n"
        f"Amount: {amount_text(sym, cur, amt)}\nPayment method: Card ending in {last}\n"
        f"Date: {stamp(at, zone, '{D} {B} {Y}')}\n\nThe {brand} team\n"
    )
    html = shell(
        brand,
        "#e50914" if brand == "Netflix" else "#1db954",
        paras(text.strip().split("\n\n")),
        f"{brand} - manage your account online",
    )
    return Draft(
        from_name=brand,
        from_addr=sender,
        subject=f"Your {brand} receipt",
        text=text,
        html=html,
        labels=RECEIPT,
        charsets=("utf-8",),
        zone=zone,
        txns=[Txn(amt, cur, "debit", brand, last, "card", at, cat)],
    )


def app_store(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    apple = rng.random() < 0.5
    brand = "Apple" if apple else "Google Play"
    item = choose(
        rng,
        (
            "iCloud+ 200 GB",
            "YouTube Premium",
            "Duolingo Super",
            "Headspace",
            "Monument Valley 2",
            "Procreate Pocket",
        ),
    )
    amt = Decimal(rng.choice(("0.99", "2.99", "4.99", "9.99", "13.99")))
    tax = (amt * Decimal("0.08")).quantize(money.CENT)
    total = amt + tax
    at = money.before(rng, ctx.when, 30, 600)
    last = p.last("visa")
    cat = (
        "subscriptions"
        if item in ("iCloud+ 200 GB", "YouTube Premium", "Headspace", "Duolingo Super")
        else "entertainment"
    )
    table = rows(
        [
            ("Item", item),
            ("Price", f"${money.us(amt)}"),
            ("Tax", f"${money.us(tax)}"),
            ("TOTAL", f"${money.us(total)}"),
            ("Billed to", f"Visa .... {last}"),
            ("Order ID", money.upper_ref(rng, 10)),
            ("Date", stamp(at, US_PACIFIC, "{b} {D}, {Y}")),
        ]
    )
    html = shell(
        brand,
        "#000000" if apple else "#01875f",
        paras(["Receipt"]) + "\n" + table,
        "Apple Inc. One Apple Park Way" if apple else "Google LLC, 1600 Amphitheatre",
    )
    sender = "no_reply@email.apple.com" if apple else "googleplay-noreply@google.com"
    day = stamp(at, US_PACIFIC, "{b} {D}, {Y}")
    subject = "Your receipt from Apple." if apple else f"Your Google Play Order Receipt from {day}"
    return Draft(
        from_name=brand,
        from_addr=sender,
        subject=subject,
        html=html,
        labels=RECEIPT,
        charsets=("utf-8",),
        zone=US_PACIFIC,
        txns=[Txn(total, "USD", "debit", brand, last, "card", at, cat)],
    )


BUILDERS = (
    ("receipt.amazon_order", 1.5, amazon_order),
    ("receipt.uber_trip", 1.0, uber_trip),
    ("receipt.food_order", 1.3, food_order),
    ("receipt.subscription", 0.9, subscription),
    ("receipt.app_store", 0.7, app_store),
)
