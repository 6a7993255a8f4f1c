"""Wallets: PayPal (USD/EUR/GBP), Venmo (USD), Paytm (INR, UPI)."""

from __future__ import annotations

from fincoach.demo import money
from fincoach.demo.families.layout import ALERT, choose, paras, rows, shell, stamp
from fincoach.demo.merchants import EU, INDIA, PEOPLE_IN, PEOPLE_US, US, pick
from fincoach.demo.types import IST, US_PACIFIC, Ctx, Draft, Txn

_PAYPAL_FOOT = (
    "PayPal is committed to preventing fraudulent emails. Emails from PayPal will "
    "always contain your full name."
)


def paypal(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    at = money.before(rng, ctx.when, 5, 120)
    kind = rng.randrange(3)
    cur = choose(rng, ("USD", "EUR"))
    sym = "$" if cur == "USD" else "€"
    rows_src = US if cur == "USD" else EU
    txn_id = money.upper_ref(rng, 17)
    if kind == 0:
        m = pick(rng, rows_src)
        amt = money.draw(rng, m.lo, m.hi, whole=0.1)
        head = f"You sent a payment of {sym}{money.us(amt)} {cur} to {m.name}"
        subject = f"Receipt for your payment to {m.name}"
        txn = Txn(amt, cur, "debit", m.name, None, "wallet", at, m.category)
    elif kind == 1:
        person = choose(rng, PEOPLE_US)
        amt = money.draw(rng, 10, 400, whole=0.6)
        head = f"{person} sent you {sym}{money.us(amt)} {cur}"
        subject = "You've got money"
        txn = Txn(amt, cur, "credit", person, None, "wallet", at, "transfer_in")
    else:
        person = choose(rng, PEOPLE_US)
        amt = money.draw(rng, 10, 300, whole=0.6)
        head = f"You sent {sym}{money.us(amt)} {cur} to {person}"
        subject = f"You sent a payment to {person}"
        txn = Txn(amt, cur, "debit", person, None, "wallet", at, "transfer_out")
    table = rows(
        [
            ("Transaction ID", txn_id),
            ("Transaction date", stamp(at, US_PACIFIC, "{B} {D}, {Y}")),
            ("Amount", f"{sym}{money.us(amt)} {cur}"),
        ]
    )
    html = shell(
        "PayPal", "#003087", paras([f"Hello, {p.name}", head]) + "\n" + table, _PAYPAL_FOOT
    )
    return Draft(
        from_name="service@paypal.com",
        from_addr="service@paypal.com",
        subject=subject,
        html=html,
        labels=ALERT,
        charsets=("utf-8", "windows-1252", "iso-8859-15"),
        zone=US_PACIFIC,
        txns=[txn],
    )


def venmo(ctx: Ctx) -> Draft:
    rng = ctx.rng
    at = money.before(rng, ctx.when, 5, 60)
    person = choose(rng, PEOPLE_US)
    amt = money.draw(rng, 5, 250, whole=0.5)
    note = choose(rng, ("🍕 pizza", "rent", "concert tickets", "groceries", "🍻", "utilities"))
    if rng.random() < 0.5:
        subject = f"You paid {person} ${money.us(amt)}"
        txn = Txn(amt, "USD", "debit", person, None, "wallet", at, "transfer_out")
    else:
        subject = f"{person} paid you ${money.us(amt)}"
        txn = Txn(amt, "USD", "credit", person, None, "wallet", at, "transfer_in")
    inner = paras(
        [
            subject,
            note,
            stamp(at, US_PACIFIC, "{B} {D}, {Y}"),
            f"Transaction ID {money.digits(rng, 19)}",
        ]
    )
    html = shell("venmo", "#3d95ce", inner, "Venmo is a service of PayPal, Inc.")
    return Draft(
        from_name="Venmo",
        from_addr="venmo@venmo.com",
        subject=subject,
        html=html,
        text=f"{subject}\n{note}\n" if rng.random() < 0.4 else None,
        labels=ALERT,
        charsets=("utf-8",),
        zone=US_PACIFIC,
        txns=[txn],
    )


def paytm(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    at = money.before(rng, ctx.when, 5, 60)
    if rng.random() < 0.7:
        m = pick(rng, INDIA)
        amt = money.draw(rng, m.lo, m.hi, whole=0.5)
        name, cat = m.name, m.category
    else:
        name = choose(rng, PEOPLE_IN)
        amt = money.draw(rng, 50, 5_000, whole=0.7)
        cat = "transfer_out"
    table = rows(
        [
            ("Paid to", name),
            ("Amount", f"₹{money.indian(amt)}"),
            ("UPI Ref No", money.digits(rng, 12)),
            ("From", f"State Bank of India - {p.last('sbi_ac')}"),
            ("Date", stamp(at, IST, "{I}:{M} {p}, {D} {b} {Y}")),
        ]
    )
    html = shell(
        "Paytm",
        "#00baf2",
        paras([f"Paid Successfully to {name}"]) + "\n" + table,
        "Paytm Payments Services Ltd.",
    )
    return Draft(
        from_name="Paytm",
        from_addr="no-reply@paytm.com",
        subject=f"Payment of ₹{money.indian(amt)} to {name} successful",
        html=html,
        labels=ALERT,
        charsets=("utf-8",),
        zone=IST,
        txns=[Txn(amt, "INR", "debit", name, p.last("sbi_ac"), "upi", at, cat)],
    )


BUILDERS = (
    ("wallet.paypal", 1.3, paypal),
    ("wallet.venmo", 0.8, venmo),
    ("wallet.paytm", 1.1, paytm),
)
