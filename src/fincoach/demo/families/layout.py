"""Shared pieces of the family templates: locale-free date stamps and bank-style HTML."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from random import Random

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_FULL = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MESES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

ALERT = ("INBOX", "CATEGORY_UPDATES")
ALERT_IMPORTANT = ("INBOX", "IMPORTANT", "CATEGORY_UPDATES")
PROMO = ("INBOX", "CATEGORY_PROMOTIONS")
SOCIAL = ("INBOX", "CATEGORY_SOCIAL")
PERSONAL = ("INBOX", "IMPORTANT", "CATEGORY_PERSONAL")
FORUMS = ("INBOX", "CATEGORY_FORUMS")


def stamp(dt: datetime, zone: timezone, fmt: str) -> str:
    """Format in the sender's zone without strftime, whose month names follow the C locale.

    Fields: {d} {m} {y} {Y} {b} {B} {es} {H} {M} {S} {I} {p} {a} {D} (day without zero).
    """
    t = dt.astimezone(zone)
    hour12 = t.hour % 12 or 12
    return fmt.format(
        d=f"{t.day:02d}",
        D=t.day,
        m=f"{t.month:02d}",
        y=f"{t.year % 100:02d}",
        Y=t.year,
        b=MONTHS[t.month - 1],
        B=MONTHS_FULL[t.month - 1],
        es=MESES[t.month - 1],
        H=f"{t.hour:02d}",
        M=f"{t.minute:02d}",
        S=f"{t.second:02d}",
        I=f"{hour12:02d}",
        p="AM" if t.hour < 12 else "PM",
        a=DAYS[t.weekday()],
    )


def rows(pairs: list[tuple[str, str]]) -> str:
    """A two-column key/value table, the shape most bank and receipt emails use."""
    cells = "\n".join(
        f'<tr><td style="color:#666">{escape(k)}</td><td><b>{escape(v)}</b></td></tr>'
        for k, v in pairs
    )
    return f'<table cellpadding="0" cellspacing="0" border="0" width="100%">\n{cells}\n</table>'


def paras(lines: list[str]) -> str:
    return "\n".join(f"<p>{escape(line)}</p>" for line in lines)


def shell(brand: str, color: str, inner: str, footer: str) -> str:
    """A branded frame: logo bar, content, small print."""
    return (
        f'<table width="600" align="center" cellpadding="0" cellspacing="0" '
        f'style="border:1px solid #ddd">\n<tr><td style="background:{color};color:#fff;'
        f'font-size:20px;padding:12px">{escape(brand)}</td></tr>\n<tr><td>\n{inner}\n</td></tr>\n'
        f'<tr><td style="font-size:11px;color:#888">{escape(footer)}</td></tr>\n</table>'
    )


def choose(rng: Random, items: tuple[str, ...]) -> str:
    return items[rng.randrange(len(items))]


def mask(rng: Random, last: str) -> str:
    """How banks hide the rest of the number: XX1234, xx1234, **1234, XXXXXX1234."""
    return choose(rng, ("XX", "xx", "**", "XXXXXX", "X")) + last
