"""Indian bank alerts: HDFC, ICICI, SBI, Axis. Cards, UPI, IMPS/NEFT, ATM, salary, EMIs."""

from __future__ import annotations

from decimal import Decimal

from fincoach.demo import money
from fincoach.demo.families.layout import (
    ALERT,
    ALERT_IMPORTANT,
    choose,
    mask,
    paras,
    rows,
    shell,
    stamp,
)
from fincoach.demo.merchants import INDIA, PEOPLE_IN, pick
from fincoach.demo.types import IST, Ctx, Draft, Txn

_HDFC = ("HDFC Bank InstaAlerts", "alerts@hdfcbank.net")
_ICICI = ("ICICI Bank", "customercare@icicibank.com")
_SBI = ("State Bank of India", "donotreply.sbiatm@alerts.sbi.co.in")
_AXIS = ("Axis Bank Alerts", "alerts@axisbank.com")
_FOOT_HDFC = "Not you? Call 18002586161 or SMS BLOCK to 7308080808. Never share your OTP."
_HANDLES = ("okaxis", "okhdfcbank", "oksbi", "ybl", "paytm", "ibl")


def _ctx_alert(
    ctx: Ctx, sender: tuple[str, str], subject: str, text: str, html: str, txn: Txn
) -> Draft:
    rng = ctx.rng
    shape = rng.randrange(3)
    return Draft(
        from_name=sender[0],
        from_addr=sender[1],
        subject=subject,
        text=text if shape != 1 else None,
        html=html if shape != 0 else None,
        labels=ALERT_IMPORTANT if rng.random() < 0.2 else ALERT,
        txns=[txn],
        charsets=("utf-8",),
        zone=IST,
    )


def hdfc_card(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    m = pick(rng, INDIA)
    amt = money.draw(rng, m.lo, m.hi)
    at = money.before(rng, ctx.when)
    cc = p.last("hdfc_cc")
    avl = money.draw(rng, 20_000, 400_000)
    when = stamp(at, IST, "{d}-{m}-{Y} {H}:{M}:{S}")
    lines = [
        "Dear Card Member,",
        f"Thank you for using your HDFC Bank Credit Card ending {cc} for Rs "
        f"{money.indian(amt)} at {m.descriptor} on {when}.",
        f"Authorization code:- {money.digits(rng, 6)}",
        f"After the above transaction, the available balance on your card is Rs "
        f"{money.indian(avl)} and the total outstanding is Rs {money.indian(avl / 7)}.",
        "Warm Regards, HDFC Bank",
    ]
    html = shell("HDFC BANK", "#004c8f", paras(lines), _FOOT_HDFC)
    subject = choose(
        rng,
        (
            "Alert : Update on your HDFC Bank Credit Card",
            f"You have done a transaction of Rs.{money.plain(amt)} on your card",
        ),
    )
    txn = Txn(amt, "INR", "debit", m.name, cc, "card", at, m.category)
    return _ctx_alert(ctx, _HDFC, subject, "\n\n".join(lines) + "\n", html, txn)


def hdfc_upi_debit(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    ac = p.last("hdfc_ac")
    at = money.before(rng, ctx.when, 5, 120)
    if rng.random() < 0.6:
        m = pick(rng, INDIA)
        amt, vpa, payee, merchant, category = (
            money.draw(rng, m.lo, m.hi),
            m.vpa,
            m.descriptor,
            m.name,
            m.category,
        )
    else:
        merchant = choose(rng, PEOPLE_IN)
        first = merchant.split()[0].lower()
        amt = money.draw(rng, 50, 15_000, whole=0.7)
        vpa = f"{first}{money.digits(rng, 2)}@{choose(rng, _HANDLES)}"
        payee, category = merchant.upper(), "transfer_out"
    ref = money.digits(rng, 12)
    lines = [
        "Dear Customer,",
        f"Rs.{money.plain(amt)} has been debited from account **{ac} to VPA {vpa} {payee} on "
        f"{stamp(at, IST, '{d}-{m}-{y}')}.",
        f"Your UPI transaction reference number is {ref}.",
        "If you did not authorize this transaction, please report it immediately by calling "
        "18002586161 Or SMS BLOCK UPI to 7308080808.",
        "Warm Regards, HDFC Bank",
    ]
    html = shell("HDFC BANK", "#004c8f", paras(lines), _FOOT_HDFC)
    subject = choose(
        rng,
        ("❗  You have done a UPI txn. Check details!", "You have done a UPI txn. Check details!"),
    )
    txn = Txn(amt, "INR", "debit", merchant, ac, "upi", at, category)
    return _ctx_alert(ctx, _HDFC, subject, "\n\n".join(lines) + "\n", html, txn)


def hdfc_upi_credit(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    ac = p.last("hdfc_ac")
    at = money.before(rng, ctx.when, 5, 120)
    person = choose(rng, PEOPLE_IN)
    vpa = f"{person.split()[0].lower()}.{money.digits(rng, 3)}@{choose(rng, _HANDLES)}"
    amt = money.draw(rng, 100, 20_000, whole=0.7)
    lines = [
        "Dear Customer,",
        f"Rs. {money.indian(amt)} is successfully credited to your account **{ac} by VPA "
        f"{vpa} {person.upper()} on {stamp(at, IST, '{d}-{m}-{y}')}.",
        f"Your UPI transaction reference number is {money.digits(rng, 12)}.",
        "Thank you for banking with us. Warm Regards, HDFC Bank",
    ]
    html = shell("HDFC BANK", "#004c8f", paras(lines), _FOOT_HDFC)
    txn = Txn(amt, "INR", "credit", person, ac, "upi", at, "transfer_in")
    return _ctx_alert(
        ctx, _HDFC, "❗  You have received money!", "\n\n".join(lines) + "\n", html, txn
    )


def hdfc_salary(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    ac = p.last("hdfc_ac")
    at = money.before(rng, ctx.when, 60, 3600)
    amt = money.draw(rng, 45_000, 260_000, whole=0.1)
    bal = amt + money.draw(rng, 1_000, 90_000)
    employer = p.employer_in
    text = (
        f"Update! INR {money.indian(amt)} deposited in HDFC Bank A/c XX{ac} on "
        f"{stamp(at, IST, '{d}-{b}-{y}').upper()} for NEFT Cr-CITI0000002-{employer.upper()}-"
        f"SALARY {stamp(at, IST, '{B} {Y}').upper()}-CITIN{money.digits(rng, 11)}."
        f"Avl bal INR {money.indian(bal)}. Cheque deposits in A/C are subject to clearing\n"
    )
    html = shell("HDFC BANK", "#004c8f", paras([text.strip()]), _FOOT_HDFC)
    txn = Txn(amt, "INR", "credit", employer, ac, "bank_transfer", at, "income")
    return _ctx_alert(ctx, _HDFC, "View: Account update for your HDFC Bank A/c", text, html, txn)


def icici_account(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    ac = p.last("icici_ac", 3)
    at = money.before(rng, ctx.when, 60, 1800)
    kind = rng.randrange(3)
    if kind == 0:
        m = pick(rng, INDIA)
        amt = money.draw(rng, m.lo, m.hi)
        info = f"UPI-{money.digits(rng, 12)}-{m.descriptor}"
        txn = Txn(amt, "INR", "debit", m.name, ac, "upi", at, m.category)
    elif kind == 1:
        lender = choose(rng, ("Bajaj Finance", "HDFC Credila", "Tata Capital"))
        amt = Decimal(rng.randrange(25, 450) * 100 + rng.choice((0, 12, 45, 99)))
        info = f"ACH*{lender.upper().replace(' ', '')}*{money.digits(rng, 12)}"
        txn = Txn(amt, "INR", "debit", lender, ac, "ach", at, "loan_payments")
    else:
        amt = money.draw(rng, 500, 60_000, whole=0.6)
        person = choose(rng, PEOPLE_IN)
        info = f"NEFT-N{money.digits(rng, 15)}-{person.upper()}"
        txn = Txn(amt, "INR", "credit", person, ac, "bank_transfer", at, "transfer_in")
    verb = "debited" if txn.direction == "debit" else "credited"
    bal = money.draw(rng, 2_000, 300_000)
    text = (
        f"Dear Customer,\n\nYour ICICI Bank Account XX{ac} has been {verb} with INR "
        f"{money.indian(amt)} on {stamp(at, IST, '{d}-{b}-{y}')}. Info: {info}. "
        f"The Available Balance is INR {money.indian(bal)}.\n\nSincerely,\nICICI Bank\n"
    )
    inner = paras(text.strip().split("\n\n"))
    html = shell("ICICI Bank", "#b02a30", inner, "Call 18002662 for dispute.")
    subject = "Transaction alert for your ICICI Bank account"
    return _ctx_alert(ctx, _ICICI, subject, text, html, txn)


def icici_card(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    cc = p.last("icici_cc")
    m = pick(rng, INDIA)
    amt = money.draw(rng, m.lo, m.hi)
    at = money.before(rng, ctx.when)
    total = Decimal(rng.choice((150_000, 300_000, 500_000)))
    avl = total - money.draw(rng, 1_000, 90_000)
    table = rows(
        [
            ("Card", f"XX{cc}"),
            ("Amount", f"INR {money.indian(amt)}"),
            ("Merchant", m.descriptor),
            ("Date", stamp(at, IST, "{b} {d}, {Y}")),
            ("Time", stamp(at, IST, "{H}:{M}:{S}")),
            ("Available Credit Limit", f"INR {money.indian(avl)}"),
            ("Total Credit Limit", f"INR {money.indian(total)}"),
        ]
    )
    html = shell(
        "ICICI Bank",
        "#b02a30",
        paras(
            [
                "Dear Customer,",
                "Your ICICI Bank Credit Card has been used for a transaction. The details are:",
            ]
        )
        + "\n"
        + table,
        "To dispute, call 18002662 or SMS BLOCK to 9215676766.",
    )
    text = (
        f"Dear Customer,\n\nYour ICICI Bank Credit Card XX{cc} has been used for a transaction "
        f"of INR {money.indian(amt)} on {stamp(at, IST, '{b} {d}, {Y} at {H}:{M}:{S}')}. "
        f"Info: {m.descriptor}.\n\nThe Available Credit Limit on your card is INR "
        f"{money.indian(avl)} and Total Credit Limit is INR {money.indian(total)}.\n"
    )
    txn = Txn(amt, "INR", "debit", m.name, cc, "card", at, m.category)
    return _ctx_alert(
        ctx, _ICICI, "Transaction alert for your ICICI Bank Credit Card", text, html, txn
    )


def sbi_atm(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    ac = p.last("sbi_ac")
    at = money.before(rng, ctx.when, 20, 300)
    amt = Decimal(rng.choice((500, 1000, 2000, 2500, 3000, 5000, 10000)))
    bal = money.draw(rng, 3_000, 150_000)
    text = (
        f"Dear Customer, Rs.{money.plain(amt)} withdrawn at SBI ATM S1NW{money.digits(rng, 6)} "
        f"from A/c X{ac} on {stamp(at, IST, '{d}{b}{y} {H}:{M}')} Transaction Number "
        f"{money.digits(rng, 4)}. Available Balance Rs.{money.plain(bal)}. If not withdrawn "
        "by you, forward this SMS to 9223008333 / call 1800111109 to block your card.\n"
    )
    html = shell("SBI", "#280071", paras([text.strip()]), "State Bank of India")
    txn = Txn(amt, "INR", "debit", "ATM", ac, "cash_withdrawal", at, "cash")
    return _ctx_alert(ctx, _SBI, "ATM Cash Withdrawal Alert", text, html, txn)


def axis_card(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    cc = p.last("axis_cc")
    m = pick(rng, INDIA)
    amt = money.draw(rng, m.lo, m.hi)
    at = money.before(rng, ctx.when)
    lmt = money.draw(rng, 40_000, 450_000)
    when = stamp(at, IST, "{d}-{m}-{y} {H}:{M}:{S}")
    text = (
        f"Spent\nCard no. XX{cc}\nINR {money.plain(amt)}\n{when}"
        f"\n{m.descriptor}\nAvl Lmt INR {money.plain(lmt)}\n"
        f"SMS BLOCK {cc} to 919951860002, if not you - Axis Bank\n"
    )
    table = rows(
        [
            ("Transaction Amount", f"INR {money.indian(amt)}"),
            ("Merchant Name", m.descriptor),
            ("Axis Bank Credit Card No.", mask(rng, cc)),
            ("Date & Time", stamp(at, IST, "{d}-{m}-{Y}, {H}:{M}:{S} IST")),
            ("Available Limit*", f"INR {money.indian(lmt)}"),
        ]
    )
    html = shell(
        "AXIS BANK",
        "#97144d",
        paras(
            [
                f"Dear {p.name},",
                "Thank you for using your Axis Bank Credit Card. Here are the transaction details:",
            ]
        )
        + "\n"
        + table,
        "*Available limit is subject to change. Axis Bank never asks for your PIN.",
    )
    txn = Txn(amt, "INR", "debit", m.name, cc, "card", at, m.category)
    subject = f"Transaction alert on Axis Bank Credit Card no. XX{cc}"
    return _ctx_alert(ctx, _AXIS, subject, text, html, txn)


def axis_fee(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    ac = p.last("axis_ac")
    at = money.before(rng, ctx.when, 60, 7200)
    amt = Decimal(rng.choice(("17.70", "59.00", "118.00", "295.00", "590.00")))
    reason = choose(rng, ("SMS Alert Chgs", "Debit Card Annual Fee", "Min Bal Non-Maint Chgs"))
    text = (
        f"Dear Customer,\n\nINR {money.indian(amt)} has been debited from your A/c no. "
        f"XX{ac} on {stamp(at, IST, '{d}-{m}-{Y}')} towards {reason} (incl. GST).\n\n"
        "Regards,\nAxis Bank Ltd\n"
    )
    html = shell("AXIS BANK", "#97144d", paras(text.strip().split("\n\n")), "Axis Bank Ltd")
    txn = Txn(amt, "INR", "debit", "Axis Bank", ac, "other", at, "bank_fees")
    return _ctx_alert(ctx, _AXIS, "Debit alert on your Axis Bank account", text, html, txn)


def hdfc_imps_out(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    ac = p.last("hdfc_ac")
    at = money.before(rng, ctx.when, 5, 200)
    person = choose(rng, PEOPLE_IN)
    amt = money.draw(rng, 500, 80_000, whole=0.7)
    bal = money.draw(rng, 1_000, 200_000)
    text = (
        f"Money Sent - INR {money.indian(amt)} From HDFC Bank A/c XX{ac} on "
        f"{stamp(at, IST, '{d}-{m}-{y}')} To {person} A/c xxxxxxx{money.digits(rng, 4)} "
        f"IMPS Ref-{money.digits(rng, 12)} Avl bal:INR {money.indian(bal)} "
        "Not you?Call 18002586161\n"
    )
    html = shell("HDFC BANK", "#004c8f", paras([text.strip()]), _FOOT_HDFC)
    txn = Txn(amt, "INR", "debit", person, ac, "bank_transfer", at, "transfer_out")
    return _ctx_alert(ctx, _HDFC, "Alert: IMPS money transfer from your account", text, html, txn)


BUILDERS = (
    ("in.hdfc_card", 1.6, hdfc_card),
    ("in.hdfc_upi_debit", 2.6, hdfc_upi_debit),
    ("in.hdfc_upi_credit", 1.0, hdfc_upi_credit),
    ("in.hdfc_salary", 0.5, hdfc_salary),
    ("in.icici_account", 1.6, icici_account),
    ("in.icici_card", 1.2, icici_card),
    ("in.sbi_atm", 0.8, sbi_atm),
    ("in.axis_card", 1.2, axis_card),
    ("in.axis_fee", 0.3, axis_fee),
    ("in.hdfc_imps_out", 0.8, hdfc_imps_out),
)
