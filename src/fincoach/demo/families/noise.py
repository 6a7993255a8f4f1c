"""Money mail that is NOT a transaction: it mentions amounts, yet nothing moved.

OTPs, statement-ready notices, payment due reminders, declined payments, balance-only alerts,
mandate/autopay set-ups and shipping updates. The truth of each is empty.
"""

from __future__ import annotations

from datetime import timedelta

from fincoach.demo import money
from fincoach.demo.families.layout import ALERT, ALERT_IMPORTANT, choose, paras, rows, shell, stamp
from fincoach.demo.merchants import INDIA, US, pick
from fincoach.demo.types import IST, US_EAST, Ctx, Draft


def otp(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    code = money.digits(rng, 6)
    if rng.random() < 0.6:
        m = pick(rng, INDIA)
        amt = money.draw(rng, m.lo, m.hi)
        text = (
            f"{code} is the OTP for transaction of {money.inr(rng, amt)} on your HDFC Bank "
            f"Card ending {p.last('hdfc_cc')} at {m.descriptor}. Valid till "
            f"{stamp(ctx.when + timedelta(minutes=5), IST, '{H}:{M}')}. "
            "Do not share OTP for security reasons.\n"
        )
        return Draft(
            from_name="HDFC Bank",
            from_addr="alerts@hdfcbank.net",
            subject="OTP for transaction on your HDFC Bank Card",
            text=text,
            labels=ALERT_IMPORTANT,
            zone=IST,
        )
    m = pick(rng, US)
    amt = money.draw(rng, m.lo, m.hi)
    text = (
        f"Your Chase one-time code is {code}. Use it to confirm your ${money.us(amt)} "
        f"purchase at {m.descriptor}. We'll never call you to ask for this code.\n"
    )
    return Draft(
        from_name="Chase",
        from_addr="no.reply.alerts@chase.com",
        subject="Your one-time code",
        text=text,
        labels=ALERT_IMPORTANT,
        zone=US_EAST,
    )


def statement_ready(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    bank, addr, last = rng.choice(
        (
            ("ICICI Bank", "estatement@icicibank.com", p.last("icici_cc")),
            ("Capital One", "capitalone@notification.capitalone.com", p.last("capone")),
            ("Barclays", "alerts@notifications.barclays.co.uk", p.last("barclays")),
        )
    )
    month = stamp(ctx.when - timedelta(days=20), IST, "{B} {Y}")
    lines = [
        f"Dear {p.name},",
        f"Your statement for the card/account ending {last} for {month} "
        "is now available. Log in to view or download it.",
        "The statement is password protected.",
    ]
    return Draft(
        from_name=bank,
        from_addr=addr,
        subject=f"Your {month} statement is ready",
        html=shell(bank, "#333333", paras(lines), "Do not reply to this email."),
        labels=ALERT,
    )


def payment_due(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    due = ctx.when + timedelta(days=rng.randint(3, 12))
    if rng.random() < 0.5:
        total = money.draw(rng, 3_000, 90_000)
        minimum = (total / 20).quantize(money.CENT)
        table = rows(
            [
                ("Card", f"XX{p.last('axis_cc')}"),
                ("Total Amount Due", f"Rs. {money.indian(total)}"),
                ("Minimum Amount Due", f"Rs. {money.indian(minimum)}"),
                ("Payment Due Date", stamp(due, IST, "{d}-{b}-{Y}")),
            ]
        )
        html = shell(
            "AXIS BANK",
            "#97144d",
            paras(["Dear Customer,", "This is a reminder that your credit card payment is due."])
            + "\n"
            + table,
            "Please ignore if already paid.",
        )
        return Draft(
            from_name="Axis Bank",
            from_addr="cc.statements@axisbank.com",
            subject="Payment reminder: Axis Bank Credit Card",
            html=html,
            labels=ALERT_IMPORTANT,
            zone=IST,
        )
    amt = money.draw(rng, 40, 2_400)
    text = (
        f"Hi {p.first_name},\n\nYour Discover card payment of ${money.us(amt)} is due on "
        f"{stamp(due, US_EAST, '{B} {D}, {Y}')}. Minimum payment due: $35.00.\n\n"
        "Set up AutoPay so you never miss a payment.\n"
    )
    return Draft(
        from_name="Discover Card",
        from_addr="discover@service.discover.com",
        subject="Your payment is due soon",
        text=text,
        labels=ALERT,
        zone=US_EAST,
    )


def declined(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    if rng.random() < 0.5:
        m = pick(rng, US)
        amt = money.draw(rng, m.lo, m.hi)
        lines = [
            f"A ${money.us(amt)} transaction at {m.descriptor} was declined on your card "
            f"ending in {p.last('capone')}.",
            "Reason: insufficient available credit. No charge was made.",
        ]
        return Draft(
            from_name="Capital One",
            from_addr="capitalone@notification.capitalone.com",
            subject="Your transaction was declined",
            text="\n\n".join(lines) + "\n",
            labels=ALERT_IMPORTANT,
            zone=US_EAST,
        )
    m = pick(rng, INDIA)
    amt = money.draw(rng, m.lo, m.hi)
    text = (
        f"Dear Customer, your UPI transaction of Rs.{money.plain(amt)} to {m.vpa} has FAILED "
        f"on {stamp(ctx.when, IST, '{d}-{m}-{y}')}. Amount, if debited, will be reversed. "
        f"UPI Ref {money.digits(rng, 12)}.\n"
    )
    return Draft(
        from_name="ICICI Bank",
        from_addr="customercare@icicibank.com",
        subject="Transaction failed",
        text=text,
        labels=ALERT,
        zone=IST,
    )


def balance_only(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    bal = money.draw(rng, 1_000, 500_000)
    text = (
        f"Dear Customer, the available balance in your A/c XX{p.last('sbi_ac')} is "
        f"{money.inr(rng, bal)} as on {stamp(ctx.when, IST, '{d}-{m}-{Y} {H}:{M}')}. "
        "-SBI\n"
    )
    return Draft(
        from_name="State Bank of India",
        from_addr="cbssbi.cas@alerts.sbi.co.in",
        subject="Balance Enquiry",
        text=text,
        labels=ALERT,
        zone=IST,
    )


def mandate(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    payee = choose(rng, ("Netflix", "JioHotstar", "Spotify", "SIP - Axis Mutual Fund"))
    cap = money.draw(rng, 199, 15_000, whole=1.0)
    lines = [
        f"Dear Customer, your e-mandate/AutoPay for {payee} has been successfully set up "
        f"on your HDFC Bank Card XX{p.last('hdfc_cc')}.",
        f"Maximum amount per debit: Rs.{money.indian(cap)}. Frequency: As presented.",
        f"UMRN: HDFC{money.digits(rng, 16)}",
    ]
    return Draft(
        from_name="HDFC Bank InstaAlerts",
        from_addr="alerts@hdfcbank.net",
        subject="E-mandate registration successful",
        html=shell("HDFC BANK", "#004c8f", paras(lines), "HDFC Bank"),
        labels=ALERT,
        zone=IST,
    )


def shipping(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    order = f"{money.digits(rng, 3)}-{money.digits(rng, 7)}-{money.digits(rng, 7)}"
    total = money.draw(rng, 10, 200)
    status = choose(rng, ("Shipped", "Out for delivery", "Delivered"))
    table = rows(
        [
            ("Order", f"#{order}"),
            ("Order total", f"${money.us(total)}"),
            ("Status", status),
            ("Carrier", choose(rng, ("UPS", "USPS", "Amazon Logistics"))),
            ("Tracking", f"1Z{money.upper_ref(rng, 16)}"),
        ]
    )
    html = shell(
        "amazon",
        "#232f3e",
        paras([f"Hello {p.first_name},", f"Your package is {status.lower()}."]) + "\n" + table,
        "Amazon.com",
    )
    return Draft(
        from_name="Amazon.com",
        from_addr="shipment-tracking@amazon.com",
        subject=f"{status}: Your Amazon.com order #{order}",
        html=html,
        labels=ALERT,
        charsets=("utf-8",),
        zone=US_EAST,
    )


def security(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    device = choose(rng, ("Chrome on Windows", "Safari on iPhone", "Firefox on Linux"))
    text = (
        f"Hi {p.first_name},\n\nWe noticed a new sign-in to your account from {device} on "
        f"{stamp(ctx.when, US_EAST, '{B} {D}, {Y} at {I}:{M} {p}')}.\n\nIf this was you, "
        "you can ignore this message.\n"
    )
    return Draft(
        from_name="Google",
        from_addr="no-reply@accounts.google.com",
        subject="Security alert",
        text=text,
        labels=ALERT,
        zone=US_EAST,
    )


BUILDERS = (
    ("noise.otp", 5.0, otp),
    ("noise.statement_ready", 3.5, statement_ready),
    ("noise.payment_due", 4.0, payment_due),
    ("noise.declined", 2.5, declined),
    ("noise.balance_only", 3.0, balance_only),
    ("noise.mandate", 2.0, mandate),
    ("noise.shipping", 5.0, shipping),
    ("noise.security", 2.5, security),
)
