"""Gulf (Emirates NBD, AED), Mexico (Banorte, BBVA México, MXN, Spanish), Kenya (M-Pesa)."""

from __future__ import annotations

from fincoach.demo import money
from fincoach.demo.families.layout import ALERT, choose, paras, rows, shell, stamp
from fincoach.demo.merchants import GULF, KENYA, MEXICO, PEOPLE_KE, PEOPLE_MX, pick
from fincoach.demo.types import EAT, GST, MX, Ctx, Draft, Txn


def enbd(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    m = pick(rng, GULF)
    amt = money.draw(rng, m.lo, m.hi, whole=0.1)
    at = money.before(rng, ctx.when, 10, 300)
    last = p.last("enbd_cc")
    avl = money.draw(rng, 5_000, 60_000)
    text = (
        f"Purchase of AED {money.us(amt)} with Credit Card ending {last} at {m.descriptor}, "
        f"DUBAI. Avl Cr. Limit is AED {money.us(avl)}. "
        f"{stamp(at, GST, '{d}-{b}-{Y} {H}:{M}')}\n"
    )
    html = shell(
        "Emirates NBD",
        "#072447",
        paras(["Dear Customer,", text.strip()]),
        "Emirates NBD Bank PJSC. Never share your card details or OTP.",
    )
    return Draft(
        from_name="Emirates NBD",
        from_addr="alerts@emiratesnbd.com",
        subject="Credit Card Transaction Alert",
        text=text if rng.random() < 0.5 else None,
        html=html,
        labels=ALERT,
        charsets=("utf-8", "us-ascii"),
        zone=GST,
        txns=[Txn(amt, "AED", "debit", m.name, last, "card", at, m.category)],
    )


def banorte(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    m = pick(rng, MEXICO)
    amt = money.draw(rng, m.lo, m.hi, whole=0.1)
    at = money.before(rng, ctx.when, 10, 300)
    last = p.last("banorte")
    table = rows(
        [
            ("Operación:", "Compra con Tarjeta de Débito"),
            ("Fecha de Operación:", stamp(at, MX, "{d}/{es}/{Y}").replace("/", "/")),
            ("Hora de Operación:", stamp(at, MX, "{H}:{M}:{S} horas")),
            ("Número de Tarjeta:", f"************{last}"),
            ("Comercio:", m.descriptor),
            ("Importe:", f"${money.us(amt)} MXN"),
        ]
    )
    inner = (
        paras(
            [
                "Estimado(a):",
                p.name.upper(),
                "La siguiente operación ha sido registrada en Banorte Móvil.",
            ]
        )
        + "\n"
        + table
    )
    html = shell(
        "BANORTE",
        "#eb0029",
        inner,
        "Banco Mercantil del Norte, S.A. Este correo es informativo, favor de no responder.",
    )
    return Draft(
        from_name="Banorte",
        from_addr="notificaciones@banorte.com",
        subject="Notificación de operación Banorte",
        html=html,
        labels=ALERT,
        charsets=("iso-8859-1", "utf-8", "windows-1252"),
        zone=MX,
        txns=[Txn(amt, "MXN", "debit", m.name, last, "card", at, m.category)],
    )


def bbva_mx(ctx: Ctx) -> Draft:
    rng, p = ctx.rng, ctx.profile
    last = p.last("bbva")
    at = money.before(rng, ctx.when, 10, 300)
    person = choose(rng, PEOPLE_MX)
    amt = money.draw(rng, 200, 12_000, whole=0.6)
    incoming = rng.random() < 0.5
    if incoming:
        what = f"Recibiste una transferencia SPEI de {person} por ${money.us(amt)} MXN"
        subject = "Recibiste una transferencia"
    else:
        what = f"Realizaste una transferencia SPEI a {person} por ${money.us(amt)} MXN"
        subject = "Comprobante de transferencia"
    lines = [
        f"Hola {p.first_name},",
        f"{what} en tu cuenta con terminación {last}.",
        f"Fecha: {stamp(at, MX, '{d}/{m}/{Y} {H}:{M}')}",
        f"Clave de rastreo: BNET{money.digits(rng, 14)}",
    ]
    html = shell(
        "BBVA México",
        "#004481",
        paras(lines),
        "BBVA México, S.A., Institución de "
        "Banca Múltiple. Por tu seguridad, nunca compartas tus claves.",
    )
    text = "\n".join(lines) + "\n"
    return Draft(
        from_name="BBVA México",
        from_addr="notificaciones@bbva.mx",
        subject=subject,
        text=text,
        html=html if rng.random() < 0.7 else None,
        labels=ALERT,
        charsets=("iso-8859-1", "utf-8"),
        zone=MX,
        txns=[
            Txn(
                amt,
                "MXN",
                "credit" if incoming else "debit",
                person,
                last,
                "bank_transfer",
                at,
                "transfer_in" if incoming else "transfer_out",
            )
        ],
    )


def mpesa(ctx: Ctx) -> Draft:
    rng = ctx.rng
    at = money.before(rng, ctx.when, 5, 60)
    code = money.upper_ref(rng, 10)
    when = stamp(at, EAT, "{D}/{m}/{y} at {I}:{M} {p}")
    bal = money.draw(rng, 200, 60_000)
    cost = choose(rng, ("0.00", "7.00", "13.00", "23.00"))
    kind = rng.randrange(3)
    if kind == 0:
        person = choose(rng, PEOPLE_KE)
        amt = money.draw(rng, 100, 8_000, whole=0.8)
        text = (
            f"{code} Confirmed. Ksh{money.us(amt)} sent to {person} 07{money.digits(rng, 8)} "
            f"on {when}. New M-PESA balance is Ksh{money.us(bal)}. Transaction cost, "
            f"Ksh{cost}. Amount you can transact within the day is 499,000.00."
        )
        txn = Txn(amt, "KES", "debit", person.title(), None, "wallet", at, "transfer_out")
    elif kind == 1:
        m = pick(rng, KENYA)
        amt = money.draw(rng, m.lo, m.hi, whole=0.5)
        text = (
            f"{code} Confirmed. Ksh{money.us(amt)} paid to {m.descriptor}. on {when}."
            f"New M-PESA balance is Ksh{money.us(bal)}. Transaction cost, Ksh0.00."
        )
        txn = Txn(amt, "KES", "debit", m.name, None, "wallet", at, m.category)
    else:
        person = choose(rng, PEOPLE_KE)
        amt = money.draw(rng, 100, 15_000, whole=0.8)
        text = (
            f"{code} Confirmed.You have received Ksh{money.us(amt)} from {person} "
            f"07{money.digits(rng, 8)} on {when}  New M-PESA balance is "
            f"Ksh{money.us(bal)}."
        )
        txn = Txn(amt, "KES", "credit", person.title(), None, "wallet", at, "transfer_in")
    return Draft(
        from_name="M-PESA",
        from_addr="mpesa@safaricom.co.ke",
        subject=f"M-PESA Confirmation {code}",
        text=text + "\n",
        labels=ALERT,
        charsets=("us-ascii", "utf-8"),
        zone=EAT,
        txns=[txn],
    )


BUILDERS = (
    ("world.enbd", 1.0, enbd),
    ("world.banorte", 0.9, banorte),
    ("world.bbva_mx", 0.8, bbva_mx),
    ("world.mpesa", 1.3, mpesa),
)
