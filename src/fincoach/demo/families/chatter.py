"""The rest of an inbox: promotions with prices and cashback, newsletters, personal mail,
social and forum notifications, calendar invites. None of it is a transaction."""

from __future__ import annotations

from datetime import UTC, timedelta

from fincoach.demo import money
from fincoach.demo.families.layout import (
    FORUMS,
    PERSONAL,
    PROMO,
    SOCIAL,
    choose,
    paras,
    shell,
    stamp,
)
from fincoach.demo.merchants import PEOPLE_EU, PEOPLE_IN, PEOPLE_US
from fincoach.demo.types import IST, US_EAST, US_PACIFIC, Ctx, Draft

_PROMOS = (
    (
        "Swiggy",
        "offers@swiggy.in",
        "Flat 50% OFF up to ₹{a} on your next 3 orders 🍔",
        "Use code TRYNEW. Minimum order ₹{b}. Get ₹{c} cashback with Paytm UPI!",
        "INR",
    ),
    (
        "Amazon.in",
        "store-news@amazon.in",
        "Great Indian Festival: up to 70% off, extra ₹{a} off",
        "Get 10% instant discount up to ₹{b} with SBI Credit Cards. Prime members save ₹{c} more.",
        "INR",
    ),
    (
        "Target",
        "Target@e.target.com",
        "Save ${a} when you spend ${b}",
        "This week only: earn a ${c} gift card with qualifying purchases.",
        "USD",
    ),
    (
        "Uber Eats",
        "uber@uber.com",
        "$0 delivery fee + ${a} off your next order",
        "Order by Sunday. Valid on orders over ${b}. Up to ${c} in savings.",
        "USD",
    ),
    (
        "HDFC Bank",
        "offers@hdfcbank.net",
        "Pre-approved Personal Loan of Rs.{a} for you!",
        "Get instant disbursal at 10.5% p.a. EMI starting Rs.{c} only. Processing fee Rs.{b}.",
        "INR",
    ),
    (
        "Zalando",
        "info@zalando.de",
        "Nur heute: 20 % auf alles ab {b} €",
        "Sichere dir deinen Gutschein über {a} € – nur für kurze Zeit. Versand ab {c} € gratis.",
        "EUR",
    ),
    (
        "Liverpool",
        "ofertas@liverpool.com.mx",
        "¡Hasta 18 meses sin intereses y ${a} de regalo!",
        "Compras mínimas de ${b} MXN. Bonificación de ${c} MXN en tu monedero electrónico.",
        "MXN",
    ),
    (
        "PayPal",
        "paypal@emails.paypal.com",
        "Get 5% cashback, up to ${a}",
        "Pay with PayPal at checkout on orders of ${b} or more. Limit ${c} per account.",
        "USD",
    ),
)
_NEWS = (
    (
        "Morning Brew",
        "crew@morningbrew.com",
        "☕ Markets, Fed, and a $4.2B deal",
        "Good morning. Stocks closed higher after the Fed held rates steady. A chipmaker agreed "
        "to buy a rival in a $4.2 billion deal, and gold topped $2,400 an ounce.",
    ),
    (
        "The Ken",
        "newsletter@the-ken.com",
        "Why India's ₹1,500 crore quick-commerce bet matters",
        "Quick commerce start-ups raised ₹1,500 crore this quarter. Here is what the numbers say "
        "about dark stores, discounts and the ₹99 delivery fee.",
    ),
    (
        "Substack",
        "noreply@substack.com",
        "Money Stuff: The trade that made $50 million",
        "A hedge fund made $50 million on a trade that, in hindsight, was obvious. The fund "
        "charges 2 and 20; the manager's bonus was $3 million.",
    ),
    (
        "Medium Daily Digest",
        "noreply@medium.com",
        "Stories for you: Python 3.13 is here",
        "Today's highlights: what is new in Python, a gentle introduction to async, and why "
        "I spent $300 on a mechanical keyboard.",
    ),
    (
        "Le Monde",
        "newsletters@lemonde.fr",
        "La matinale : l'économie en questions",
        "Le prix de l'électricité baisse de 15 % en février ; l'inflation recule à 2,3 %. "
        "Un café coûte désormais 1,20 € en moyenne.",
    ),
)
_PERSONAL = (
    (
        "Dinner on Friday?",
        "Hey! Are we still on for dinner on Friday? I booked a table for "
        "8pm. It's about $40 a head, I'll cover the wine.\n\nCheers,\n{friend}",
    ),
    (
        "Re: trip plan",
        "I've put the flights at around ₹18,000 each. Can you check if the hotel "
        "(₹6,500/night) is ok? Let's decide by tomorrow.\n\n{friend}",
    ),
    ("Photos from the weekend", "Here are the photos from Saturday! Had so much fun.\n\n{friend}"),
    (
        "Rent split",
        "Hi, this month's rent is £1,450 so we each owe £725. I'll transfer mine "
        "on the 1st. Thanks!\n{friend}",
    ),
    ("Café ce week-end ?", "Salut ! On se retrouve au café samedi à 10 h ? Bisous,\n{friend}"),
)
_SOCIAL = (
    ("LinkedIn", "messages-noreply@linkedin.com", "{friend} has endorsed you for Python"),
    ("Facebook", "notification@facebookmail.com", "{friend} commented on your photo"),
    ("X", "info@x.com", "{friend} and 3 others liked your post"),
    ("Instagram", "no-reply@mail.instagram.com", "{friend} started following you"),
)
_FORUMS = (
    (
        "python-dev",
        "python-dev@python.org",
        "[Python-Dev] Summary of Python tracker Issues",
        "ACTIVITY SUMMARY: 23 open (+2) / 871 closed (+11) / 894 total (+13).",
    ),
    (
        "Google Groups",
        "sqlalchemy@googlegroups.com",
        "[sqlalchemy] Digest for 3 topics",
        "Topic: relationship lazy=raise and selectinload. 4 messages from 3 authors.",
    ),
)


def _friend(ctx: Ctx) -> str:
    pool = (PEOPLE_IN, PEOPLE_US, PEOPLE_EU)[ctx.rng.randrange(3)]
    return choose(ctx.rng, pool)


def promotion(ctx: Ctx) -> Draft:
    rng = ctx.rng
    brand, addr, subject, body, cur = rng.choice(_PROMOS)
    fill = {
        "a": str(rng.choice((100, 150, 200, 500))),
        "b": str(rng.choice((99, 199, 299, 49))),
        "c": str(rng.choice((25, 50, 75, 10))),
    }
    if cur == "INR" and "Loan" in subject:
        fill["a"] = money.indian(money.draw(rng, 100_000, 900_000, whole=1.0)).removesuffix(".00")
    subject, body = subject.format(**fill), body.format(**fill)
    html = shell(
        brand,
        "#ff5a00",
        paras([subject, body, "Shop now ›", "T&C apply."]),
        "You are receiving this because you subscribed. Unsubscribe.",
    )
    return Draft(
        from_name=brand,
        from_addr=addr,
        subject=subject,
        html=html,
        text=f"{subject}\n\n{body}\n" if rng.random() < 0.5 else None,
        labels=PROMO,
        charsets=("iso-8859-15", "windows-1252", "utf-8") if cur == "EUR" else (),
        zone=US_EAST,
    )


def newsletter(ctx: Ctx) -> Draft:
    rng = ctx.rng
    brand, addr, subject, body = rng.choice(_NEWS)
    html = shell(brand, "#111111", paras([body, "Read more online."]), "Unsubscribe")
    return Draft(
        from_name=brand,
        from_addr=addr,
        subject=subject,
        html=html,
        text=f"{body}\n" if rng.random() < 0.6 else None,
        labels=PROMO if rng.random() < 0.3 else ("INBOX", "CATEGORY_UPDATES"),
        charsets=("iso-8859-1", "windows-1252", "utf-8") if addr.endswith(".fr") else (),
        zone=US_EAST,
    )


def personal(ctx: Ctx) -> Draft:
    rng = ctx.rng
    friend = _friend(ctx)
    subject, body = rng.choice(_PERSONAL)
    user = friend.split()[0].lower().replace("é", "e").replace("ü", "u")
    return Draft(
        from_name=friend,
        from_addr=f"{user}{money.digits(rng, 2)}@gmail.com",
        subject=subject,
        text=body.format(friend=friend.split()[0]) + "\n",
        labels=PERSONAL,
        zone=IST,
    )


def social(ctx: Ctx) -> Draft:
    rng = ctx.rng
    brand, addr, subject = rng.choice(_SOCIAL)
    subject = subject.format(friend=_friend(ctx))
    return Draft(
        from_name=brand,
        from_addr=addr,
        subject=subject,
        html=shell(brand, "#0a66c2", paras([subject, "See what's new."]), "Unsubscribe"),
        text=subject + "\n",
        labels=SOCIAL,
        zone=US_PACIFIC,
    )


def forum(ctx: Ctx) -> Draft:
    brand, addr, subject, body = ctx.rng.choice(_FORUMS)
    return Draft(
        from_name=brand, from_addr=addr, subject=subject, text=body + "\n", labels=FORUMS, zone=UTC
    )


def invite(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    friend = _friend(ctx)
    begin = (ctx.when + timedelta(days=rng.randint(1, 14))).replace(minute=0, second=0)
    what = choose(rng, ("Quarterly budget review", "Team lunch", "1:1", "Dentist appointment"))
    uid = f"{money.upper_ref(rng, 20)}@google.com"
    ics = (
        "BEGIN:VCALENDAR\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nVERSION:2.0\n"
        "METHOD:REQUEST\nBEGIN:VEVENT\n"
        f"DTSTART:{stamp(begin, UTC, '{Y}{m}{d}T{H}{M}00Z')}\n"
        f"DTEND:{stamp(begin + timedelta(hours=1), UTC, '{Y}{m}{d}T{H}{M}00Z')}\n"
        f"UID:{uid}\nSUMMARY:{what}\nORGANIZER;CN={friend}:mailto:calendar@example.com\n"
        f"ATTENDEE;CN={p.name};PARTSTAT=NEEDS-ACTION:mailto:{p.address}\n"
        "END:VEVENT\nEND:VCALENDAR\n"
    )
    when = stamp(begin, US_EAST, "{a} {b} {D}, {Y} {I}:{M} {p} (EST)")
    text = f"{friend} has invited you to: {what}\nWhen: {when}\n\nJoin with Google Meet.\n"
    return Draft(
        from_name=f"{friend} (Google Calendar)",
        from_addr="calendar-notification@google.com",
        subject=f"Invitation: {what} @ {when}",
        text=text,
        calendar=ics,
        labels=PERSONAL,
        zone=US_EAST,
    )


BUILDERS = (
    ("chatter.promotion", 14.0, promotion),
    ("chatter.newsletter", 8.0, newsletter),
    ("chatter.personal", 5.0, personal),
    ("chatter.social", 3.0, social),
    ("chatter.forum", 2.0, forum),
    ("chatter.invite", 2.0, invite),
)
