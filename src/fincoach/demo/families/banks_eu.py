"""UK and euro-area banks: Monzo, Revolut, Barclays (GBP), N26 (EUR, German number style)."""

from __future__ import annotations

from fincoach.demo import money
from fincoach.demo.families.layout import ALERT, choose, paras, rows, shell, stamp
from fincoach.demo.merchants import EU, PEOPLE_EU, UK, pick
from fincoach.demo.types import CET, Ctx, Draft, Txn
from fincoach.demo.types import UK as UK_ZONE

_LATIN = ("iso-8859-15", "windows-1252", "utf-8")


def monzo(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    m = pick(rng, UK)
    amt = money.draw(rng, m.lo, m.hi, whole=0.05)
    at = money.before(rng, ctx.when, 10, 120)
    text = (
        f"Hi {p.first_name},\n\nYou spent £{money.us(amt)} at {m.name} on "
        f"{stamp(at, UK_ZONE, '{D} {B} {Y} at {H}:{M}')}.\n\n"
        "If you don't recognise this payment, freeze your card in the app.\n\nMonzo\n"
    )
    return Draft(
        from_name="Monzo",
        from_addr="help@monzo.com",
        subject=f"You spent £{money.us(amt)} at {m.name}",
        text=text,
        labels=ALERT,
        charsets=("utf-8", "iso-8859-1", "windows-1252"),
        zone=UK_ZONE,
        txns=[Txn(amt, "GBP", "debit", m.name, None, "card", at, m.category)],
    )


def revolut(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    at = money.before(rng, ctx.when, 10, 300)
    if rng.random() < 0.6:
        m = pick(rng, EU)
        amt = money.draw(rng, m.lo, m.hi, whole=0.05)
        lines = [
            f"Hi {p.first_name},",
            f"You paid €{money.us(amt)} to {m.descriptor} with your "
            f"card ending {p.last('revolut')}.",
        ]
        subject = f"Payment of €{money.us(amt)} to {m.descriptor}"
        txn = Txn(amt, "EUR", "debit", m.name, p.last("revolut"), "card", at, m.category)
    else:
        person = choose(rng, PEOPLE_EU)
        amt = money.draw(rng, 10, 600, whole=0.6)
        lines = [
            f"Hi {p.first_name},",
            f"{person} sent you €{money.us(amt)}.",
            "The money is already in your EUR account.",
        ]
        subject = f"You received €{money.us(amt)} from {person}"
        txn = Txn(amt, "EUR", "credit", person, None, "bank_transfer", at, "transfer_in")
    lines.append(f"Date: {stamp(at, CET, '{d} {b} {Y}, {H}:{M}')}")
    html = shell(
        "Revolut",
        "#191c1f",
        paras(lines),
        "Revolut Bank UAB, Konstitucijos ave. 21B, Vilnius, Lithuania",
    )
    return Draft(
        from_name="Revolut",
        from_addr="no-reply@revolut.com",
        subject=subject,
        html=html,
        text="\n\n".join(lines) + "\n" if rng.random() < 0.5 else None,
        labels=ALERT,
        charsets=_LATIN,
        zone=CET,
        txns=[txn],
    )


def barclays(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("barclays")
    at = money.before(rng, ctx.when, 60, 3600)
    if rng.random() < 0.5:
        person = choose(rng, PEOPLE_EU)
        amt = money.draw(rng, 20, 1_500, whole=0.5)
        what = (
            f"a payment of £{money.us(amt)} from {person} has been received into your "
            f"account ending {last}"
        )
        txn = Txn(amt, "GBP", "credit", person, last, "bank_transfer", at, "transfer_in")
        subject = "You've received a payment"
    else:
        bill = choose(rng, ("Thames Water", "Octopus Energy", "Council Tax", "EE Limited"))
        amt = money.draw(rng, 25, 260)
        what = (
            f"a Direct Debit of £{money.us(amt)} to {bill.upper()} has been paid from "
            f"your account ending {last}"
        )
        cat = "government" if bill == "Council Tax" else "bills_and_utilities"
        txn = Txn(amt, "GBP", "debit", bill, last, "bank_transfer", at, cat)
        subject = "A Direct Debit has been paid"
    lines = [
        f"Dear {p.name},",
        f"We're letting you know that on {stamp(at, UK_ZONE, '{d}/{m}/{Y}')} {what}.",
        "Barclays Bank UK PLC.",
    ]
    html = shell(
        "Barclays",
        "#00aeef",
        paras(lines),
        "Barclays Bank UK PLC. Authorised by the Prudential Regulation Authority.",
    )
    return Draft(
        from_name="Barclays",
        from_addr="alerts@notifications.barclays.co.uk",
        subject=subject,
        html=html,
        labels=ALERT,
        charsets=("utf-8", "iso-8859-1", "windows-1252"),
        zone=UK_ZONE,
        txns=[txn],
    )


def n26(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    m = pick(rng, EU)
    amt = money.draw(rng, m.lo, m.hi, whole=0.05)
    at = money.before(rng, ctx.when, 10, 300)
    table = rows(
        [
            ("Händler", m.descriptor),
            ("Betrag", f"{money.eu(amt)} €"),
            ("Datum", stamp(at, CET, "{d}.{m}.{Y}, {H}:{M} Uhr")),
            ("Karte", f"Mastercard •••• {p.last('n26')}"),
        ]
    )
    lines = [f"Hallo {p.first_name},", f"du hast {money.eu(amt)} € bei {m.descriptor} bezahlt."]
    html = shell(
        "N26", "#36a18b", paras(lines) + "\n" + table, "N26 Bank SE, Voltairestraße 8, 10179 Berlin"
    )
    text = (
        "\n\n".join(lines) + f"\n\nHändler: {m.descriptor}\nBetrag: {money.eu(amt)} €\n"
        f"Datum: {stamp(at, CET, '{d}.{m}.{Y}, {H}:{M} Uhr')}\n"
        f"Karte: Mastercard **** {p.last('n26')}\n\nDein N26 Team\n"
    )
    txn = Txn(amt, "EUR", "debit", m.name, p.last("n26"), "card", at, m.category)
    return Draft(
        from_name="N26",
        from_addr="no-reply@n26.com",
        subject=f"Zahlung über {money.eu(amt)} € bei {m.descriptor}",
        text=text if rng.random() < 0.6 else None,
        html=html,
        labels=ALERT,
        charsets=("iso-8859-15", "windows-1252", "utf-8"),
        zone=CET,
        txns=[txn],
    )


BUILDERS = (
    ("eu.monzo", 1.4, monzo),
    ("eu.revolut", 1.5, revolut),
    ("eu.barclays", 1.2, barclays),
    ("eu.n26", 1.5, n26),
)
