"""US card and bank alerts: Chase, Amex, Capital One, Bank of America, Discover (USD)."""

from __future__ import annotations

from decimal import Decimal

from fincoach.demo import money
from fincoach.demo.families.layout import ALERT, ALERT_IMPORTANT, choose, paras, rows, shell, stamp
from fincoach.demo.merchants import PEOPLE_US, US, pick
from fincoach.demo.types import US_EAST, Ctx, Draft, Txn

_FOOT = "This is an automated message. Please do not reply. Securely sign in to review activity."


def _draft(
    ctx: Ctx,
    sender: tuple[str, str],
    subject: str,
    text: str | None,
    html: str | None,
    txns: list[Txn],
) -> Draft:
    return Draft(
        from_name=sender[0],
        from_addr=sender[1],
        subject=subject,
        text=text,
        html=html,
        labels=ALERT_IMPORTANT if ctx.rng.random() < 0.15 else ALERT,
        txns=txns,
        charsets=("us-ascii", "utf-8", "iso-8859-1", "windows-1252"),
        zone=US_EAST,
    )


def chase_card(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    m = pick(rng, US)
    amt = money.draw(rng, m.lo, m.hi, whole=0.05)
    at = money.before(rng, ctx.when, 30, 300)
    last = p.last("chase_cc")
    when = stamp(at, US_EAST, "{B} {D}, {Y} at {I}:{M} {p} ET")
    table = rows(
        [
            ("Account", f"Chase Sapphire Preferred (...{last})"),
            ("Date", when),
            ("Merchant", m.descriptor),
            ("Amount", f"${money.us(amt)}"),
        ]
    )
    html = shell("CHASE", "#117aca", paras(["You made a transaction"]) + "\n" + table, _FOOT)
    text = (
        f"You made a ${money.us(amt)} transaction\n\nAccount: Chase Sapphire Preferred "
        f"(...{last})\nDate: {when}\nMerchant: {m.descriptor}\nAmount: ${money.us(amt)}\n\n"
        "You are receiving this alert because a transaction was over the amount you set.\n"
    )
    subject = f"Your ${money.us(amt)} transaction with {m.descriptor}"
    txn = Txn(amt, "USD", "debit", m.name, last, "card", at, m.category)
    return _draft(
        ctx,
        ("Chase", "no.reply.alerts@chase.com"),
        subject,
        text if rng.random() < 0.5 else None,
        html,
        [txn],
    )


def chase_direct_deposit(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("chase_ac")
    amt = money.draw(rng, 1_800, 7_500, whole=0.0)
    at = money.before(rng, ctx.when, 600, 7200)
    table = rows(
        [
            ("Account", f"TOTAL CHECKING (...{last})"),
            ("Date", stamp(at, US_EAST, "{B} {D}, {Y}")),
            ("From", f"{p.employer_us} PAYROLL"),
            ("Amount", f"${money.us(amt)}"),
        ]
    )
    html = shell("CHASE", "#117aca", paras(["You have a direct deposit"]) + "\n" + table, _FOOT)
    subject = choose(rng, ("Your direct deposit has posted", "You have a direct deposit"))
    txn = Txn(amt, "USD", "credit", p.employer_us, last, "ach", at, "income")
    return _draft(ctx, ("Chase", "no.reply.alerts@chase.com"), subject, None, html, [txn])


def amex_charge(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("amex", 5)
    m = pick(rng, US)
    amt = money.draw(rng, m.lo, m.hi, whole=0.05)
    at = money.before(rng, ctx.when, 30, 600)
    table = rows(
        [(m.descriptor, f"${money.us(amt)}"), ("Date", stamp(at, US_EAST, "{a}, {b} {d}, {Y}"))]
    )
    inner = (
        paras(
            [
                f"Hi {p.first_name},",
                f"We're notifying you of a large purchase on your Card ending in {last}:",
            ]
        )
        + "\n"
        + table
    )
    html = shell("AMERICAN EXPRESS", "#006fcf", inner, "American Express safe key alerts.")
    txn = Txn(amt, "USD", "debit", m.name, last, "card", at, m.category)
    return _draft(
        ctx,
        ("American Express", "AmericanExpress@welcome.americanexpress.com"),
        "Large Purchase Approved",
        None,
        html,
        [txn],
    )


def amex_two(ctx: Ctx) -> Draft:
    """An activity summary listing two purchases: the rare two-transaction message."""
    rng, p = ctx.rng, ctx.profile
    last = p.last("amex", 5)
    first, second = pick(rng, US), pick(rng, US)
    a1 = money.draw(rng, first.lo, first.hi, whole=0.05)
    a2 = money.draw(rng, second.lo, second.hi, whole=0.05)
    t1 = money.before(rng, ctx.when, 3600, 7200)
    t2 = money.before(rng, ctx.when, 60, 3000)
    table = rows(
        [
            (f"{stamp(t1, US_EAST, '{b} {d}')} {first.descriptor}", f"${money.us(a1)}"),
            (f"{stamp(t2, US_EAST, '{b} {d}')} {second.descriptor}", f"${money.us(a2)}"),
        ]
    )
    inner = (
        paras([f"Hi {p.first_name},", f"Here are recent charges on your Card ending in {last}:"])
        + "\n"
        + table
    )
    html = shell("AMERICAN EXPRESS", "#006fcf", inner, "Review all activity online.")
    txns = [
        Txn(a1, "USD", "debit", first.name, last, "card", t1, first.category),
        Txn(a2, "USD", "debit", second.name, last, "card", t2, second.category),
    ]
    return _draft(
        ctx,
        ("American Express", "AmericanExpress@welcome.americanexpress.com"),
        "Your recent Card activity",
        None,
        html,
        txns,
    )


def capone(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("capone")
    m = pick(rng, US)
    amt = money.draw(rng, m.lo, m.hi, whole=0.05)
    at = money.before(rng, ctx.when, 30, 600)
    text = (
        f"Hi {p.first_name},\n\nAs requested, we're notifying you that on "
        f"{stamp(at, US_EAST, '{B} {D}, {Y}')}, at {m.descriptor}, a pending authorization "
        f"or purchase in the amount of ${money.us(amt)} was placed or charged on your "
        f"Capital One VENTURE account ending in {last}.\n\nThanks,\nCapital One\n"
    )
    html = shell("Capital One", "#004977", paras(text.strip().split("\n\n")), _FOOT)
    txn = Txn(amt, "USD", "debit", m.name, last, "card", at, m.category)
    return _draft(
        ctx,
        ("Capital One", "capitalone@notification.capitalone.com"),
        "A new transaction was charged to your account",
        text,
        html,
        [txn],
    )


def boa_transfer(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("boa_ac")
    person = choose(rng, PEOPLE_US)
    amt = money.draw(rng, 20, 900, whole=0.6)
    at = money.before(rng, ctx.when, 10, 300)
    incoming = rng.random() < 0.5
    lines = (
        [
            f"{person} sent you ${money.us(amt)}",
            f"The money was deposited into your account ending in {last}.",
        ]
        if incoming
        else [f"You sent ${money.us(amt)} to {person}", f"From: Adv Plus Banking - {last}"]
    )
    lines.append(f"Date: {stamp(at, US_EAST, '{m}/{d}/{Y}')}")
    lines.append(f"Confirmation: {money.upper_ref(rng, 9)}")
    html = shell(
        "Bank of America",
        "#e31837",
        paras(lines),
        "Zelle® and the Zelle® related marks are wholly owned by Early Warning Services, LLC.",
    )
    subject = f"{person} sent you ${money.us(amt)}" if incoming else "You sent money with Zelle®"
    txn = Txn(
        amt,
        "USD",
        "credit" if incoming else "debit",
        person,
        last,
        "bank_transfer",
        at,
        "transfer_in" if incoming else "transfer_out",
    )
    return _draft(
        ctx,
        ("Bank of America", "onlinebanking@ealerts.bankofamerica.com"),
        subject,
        None,
        html,
        [txn],
    )


def discover(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("discover")
    m = pick(rng, US)
    amt = money.draw(rng, m.lo, m.hi, whole=0.05)
    at = money.before(rng, ctx.when, 30, 600)
    text = (
        f"Transaction Alert\n\nA transaction of ${money.us(amt)} was made at {m.descriptor} "
        f"on {stamp(at, US_EAST, '{B} {D}, {Y}')} with your Discover card ending in {last}."
        f"\n\nMerchant: {m.descriptor}\nAmount: ${money.us(amt)}\n\nLog in to see more.\n"
    )
    txn = Txn(amt, "USD", "debit", m.name, last, "card", at, m.category)
    return _draft(
        ctx,
        ("Discover Card", "discover@service.discover.com"),
        "Transaction Alert",
        text,
        None,
        [txn],
    )


def chase_fee(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("chase_ac")
    amt = Decimal(rng.choice(("12.00", "15.00", "34.00", "5.00")))
    at = money.before(rng, ctx.when, 600, 7200)
    reason = choose(
        rng, ("Monthly Service Fee", "Overdraft Fee", "Foreign Exchange Rate Adjustment Fee")
    )
    table = rows(
        [
            ("Account", f"TOTAL CHECKING (...{last})"),
            ("Description", reason),
            ("Date", stamp(at, US_EAST, "{B} {D}, {Y}")),
            ("Amount", f"${money.us(amt)}"),
        ]
    )
    html = shell(
        "CHASE", "#117aca", paras(["A fee was charged to your account"]) + "\n" + table, _FOOT
    )
    txn = Txn(amt, "USD", "debit", "Chase", last, "other", at, "bank_fees")
    return _draft(
        ctx, ("Chase", "no.reply.alerts@chase.com"), "A fee was charged", None, html, [txn]
    )


def chase_wire(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("chase_ac")
    amt = money.draw(rng, 500, 25_000, whole=0.5)
    at = money.before(rng, ctx.when, 600, 7200)
    sender, name = rng.choice(
        (
            ("ESCROW TITLE CO", "Escrow Title Co"),
            ("SMITH & PARTNERS LLP", "Smith & Partners"),
            ("FIDELITY INVESTMENTS", "Fidelity Investments"),
        )
    )
    table = rows(
        [
            ("Account", f"TOTAL CHECKING (...{last})"),
            ("Type", "Incoming domestic wire"),
            ("From", sender),
            ("Date", stamp(at, US_EAST, "{B} {D}, {Y}")),
            ("Amount", f"${money.us(amt)}"),
            ("Fed reference", money.digits(rng, 10)),
        ]
    )
    html = shell("CHASE", "#117aca", paras(["You received a wire transfer"]) + "\n" + table, _FOOT)
    txn = Txn(amt, "USD", "credit", name, last, "wire", at, "transfer_in")
    return _draft(
        ctx, ("Chase", "no.reply.alerts@chase.com"), "You received a wire", None, html, [txn]
    )


BUILDERS = (
    ("us.chase_card", 1.8, chase_card),
    ("us.chase_direct_deposit", 0.4, chase_direct_deposit),
    ("us.amex_charge", 1.0, amex_charge),
    ("us.amex_two", 0.35, amex_two),
    ("us.capone", 1.1, capone),
    ("us.boa_transfer", 0.9, boa_transfer),
    ("us.discover", 0.9, discover),
    ("us.chase_fee", 0.2, chase_fee),
    ("us.chase_wire", 0.15, chase_wire),
)
