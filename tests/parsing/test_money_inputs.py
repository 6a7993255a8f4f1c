"""The money part of issue 11's "inputs that fail today": amount, currency and sign of each.

Each case names the amount that must be found in the message (by how it is printed) and what it
must read as. The messages are the issue's own, invented for it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fincoach.parsing.money import Money, find_money

# (message, printed amount, amount, currency, negative, dr_cr)
CASES = [
    (
        "شراء عبر نقاط البيع / بطاقة مدى *4821 / المبلغ: 37.50 ر.س /"
        " لدى: BIN DAWOOD MARKET / الرصيد المتاح: 1,204.10 ر.س",
        "37.50 ر.س", "37.50", "SAR", False, None,
    ),
    (
        "تم خصم 2.350 ر.ع من حسابك رقم XXXX5512 لدى LULU HYPERMARKET"
        " SEEB. رصيدك الحالي 412.870 ر.ع",
        "412.870 ر.ع", "412.870", "OMR", False, None,
    ),
    (
        "تم إيداع مبلغ 1,250.00 جنيه في حسابك المنتهي بـ 7730",
        "1,250.00 جنيه", "1250.00", "EGP", False, None,
    ),
    (
        "بانک ملت / خرید با کارت ۳۳۹۱ / ۲۵۰,۰۰۰- / مانده ۱۲,۴۸۰,۰۰۰",
        "۲۵۰,۰۰۰-", "250000", "IRR", True, None,
    ),
    (
        "SCB: ชำระเงิน 249.00 บาท จากบัญชี x7781 ที่ 7-ELEVEN"
        " คงเหลือ 5,112.40 บาท",
        "249.00 บาท", "249.00", "THB", False, None,
    ),
    (
        "เงินเข้า 3,000.00 บาท เข้าบัญชี x7781 คงเหลือ 8,112.40 บาท",
        "8,112.40 บาท", "8112.40", "THB", False, None,
    ),
    (
        "Списание 1 249,90 ₽ в PYATEROCHKA 1821. Карта *3307. Баланс"
        " 18 402,15 ₽",
        "1 249,90 ₽", "1249.90", "RUB", False, None,
    ),
    (
        "Возврат 560 р. от OZON.RU, карта *3307",
        "560 р.", "560", "RUB", False, None,
    ),
    (
        "Покупка: 4 150т / SMALL 24/7 / Доступно: 85 310,20т",
        "4 150т", "4150", "KZT", False, None,
    ),
    (
        "Покупка: 4 150т / SMALL 24/7 / Доступно: 85 310,20т",
        "85 310,20т", "85310.20", "KZT", False, None,
    ),
    (
        "Karta 4***9012 12-03-26 09:14:55. Oplata 7.40 BYN. BLR"
        ' MINSK "Sosedi". Dostupno: 312.55 BYN',
        "7.40 BYN", "7.40", "BYN", False, None,
    ),
    (
        "1234 ile biten kartınızla 14/03/2026 tarihinde MIGROS"
        " KADIKOY firmasında 287,45 TL tutarında harcama yapıldı.",
        "287,45 TL", "287.45", "TRY", False, None,
    ),
    (
        "Platba kartou 349,00 Kč, obchod BILLA PRAHA 5, karta *6620."
        " Zůstatek 12 004,31 Kč.",
        "349,00 Kč", "349.00", "CZK", False, None,
    ),
    (
        "Platba kartou 349,00 Kč, obchod BILLA PRAHA 5, karta *6620."
        " Zůstatek 12 004,31 Kč.",
        "12 004,31 Kč", "12004.31", "CZK", False, None,
    ),
    (
        "Příchozí platba 1 500,00 CZK od PETR DVORAK na účet *0042",
        "1 500,00 CZK", "1500.00", "CZK", False, None,
    ),
    (
        "Transakcja kartą: 89,99 PLN, ZABKA Z1234 WARSZAWA, karta"
        " ...5521. Dostępne środki: 2 130,40 PLN",
        "2 130,40 PLN", "2130.40", "PLN", False, None,
    ),
    (
        "Kartenzahlung -23,80 EUR bei REWE MARKT GMBH, Konto *7714."
        " Neuer Kontostand: 1.402,66 EUR",
        "-23,80 EUR", "23.80", "EUR", True, None,
    ),
    (
        "Kartenzahlung -23,80 EUR bei REWE MARKT GMBH, Konto *7714."
        " Neuer Kontostand: 1.402,66 EUR",
        "1.402,66 EUR", "1402.66", "EUR", False, None,
    ),
    (
        "Umepokea TSh 75,000 kutoka kwa JUMA ALLY tarehe 14/03/26."
        " Salio jipya ni TSh 120,500.",
        "TSh 75,000", "75000", "TZS", False, None,
    ),
    (
        "Muamala umefanikiwa: TZS 12,000 kwenda LUKU MITA 0431",
        "TZS 12,000", "12000", "TZS", False, None,
    ),
    (
        "【招商银行】您账户1234于03月14日18:22在美团外卖快捷支付38.50元，余额2,041.77",
        "38.50元", "38.50", "CNY", False, None,
    ),
    (
        "您尾号5678的储蓄卡03月15日收入人民币5,000.00元，余额7,041.77元",
        "人民币5,000.00元", "5000.00", "CNY", False, None,
    ),
    (
        "ご利用日時：2026/03/14 12:30 ご利用先：ファミリーマート ご利用金額：1,280円",
        "1,280円", "1280", "JPY", False, None,
    ),
    (
        "ご利用取消のお知らせ ご利用先：ユニクロ 取消金額：-3,990円",
        "-3,990円", "3990", "JPY", True, None,
    ),
    (
        "Cash In Tk 2,500.00 from 01711000000 successful. Fee Tk"
        " 0.00. Balance Tk 3,140.25. TrxID 9XK2LMN4PQ",
        "Tk 2,500.00", "2500.00", "BDT", False, None,
    ),
    (
        "Acct: 01****8812 Amt: N1,200.00DR Desc: POS WEB PMT"
        " SHOPRITE Bal: N12,340.55",
        "N1,200.00DR", "1200.00", "NGN", False, "DR",
    ),
    (
        "Acct: 01****8812 Amt: N1,200.00DR Desc: POS WEB PMT"
        " SHOPRITE Bal: N12,340.55",
        "N12,340.55", "12340.55", "NGN", False, None,
    ),
    (
        "Transferiste 250.00MT para 84XXXXXXX, nome: ANA MACUACUA."
        " Taxa: 0.00MT. Saldo: 1,870.40MT",
        "250.00MT", "250.00", "MZN", False, None,
    ),
    (
        "Sent P1,500.00 to JUAN D. Bal: P8,220.10. Ref 7f3a9c21",
        "P1,500.00", "1500.00", "PHP", False, None,
    ),
    (
        "Itaú: compra aprovada no cartão final 7710 - PADARIA BELLA"
        " VISTA valor RS 42,90 em 14/03",
        "RS 42,90", "42.90", "BRL", False, None,
    ),
    (
        "Itaú: compra no exterior cartão final 7710 - STEAMGAMES"
        " valor US 19,99",
        "US 19,99", "19.99", "USD", False, None,
    ),
    (
        "MARIA LOPEZ te envió la siguiente transacción. Monto:"
        " US$120.00. Terminación de producto: 4417",
        "US$120.00", "120.00", "USD", False, None,
    ),
    (
        "Rs. 5.000 credited to your A/c XX2231 by NEFT",
        "Rs. 5.000", "5", "INR", False, None,
    ),
    (
        "PKR 55.000.00 sent to ALI RAZA A/C *9911 from A/C *3348",
        "PKR 55.000.00", "55000.00", "PKR", False, None,
    ),
    (
        "Your refund of EUR .93 from CLOUDHOST LTD has been processed",
        "EUR .93", "0.93", "EUR", False, None,
    ),
    (
        "KWD 12.500 debited from card ending 6021 at ALSHAYA",
        "KWD 12.500", "12.500", "KWD", False, None,
    ),
    (
        "Spent INR 640.00 on card XX7314 at DISTRICTMOVIES. Avl"
        " Limit: INR 48,210.00",
        "INR 640.00", "640.00", "INR", False, None,
    ),
    (
        "Card:4716-2984 Sum:-1,526.49 UAH / SILPO KYIV 12 /"
        " Bal:3,402.10 UAH",
        "-1,526.49 UAH", "1526.49", "UAH", True, None,
    ),
    # the negatives' amounts still read right: what makes them no transaction is the wording
    (
        "Itaú: o saldo da sua conta em 14/03 é de R$ -28,60.",
        "R$ -28,60", "28.60", "BRL", True, None,
    ),
    (
        "OTP 482913 to pay ₹1,499.00 at MYNTRA. Do not share it with"
        " anyone.",
        "₹1,499.00", "1499.00", "INR", False, None,
    ),
    (
        "您的验证码为482913，交易金额120.00元，请勿泄露。",
        "120.00元", "120.00", "CNY", False, None,
    ),
    (
        "カードのご利用が承認されませんでした。ご利用金額：5,400円",
        "5,400円", "5400", "JPY", False, None,
    ),
    (
        "Kartenzahlung abgelehnt: 64,00 EUR bei MEDIAMARKT",
        "64,00 EUR", "64.00", "EUR", False, None,
    ),
]  # fmt: skip


def _at(text: str, printed: str) -> Money:
    start = text.index(printed)
    found = [m for m in find_money(text) if m.start <= start + len(printed) - 1 and start < m.end]
    assert len(found) == 1, (printed, find_money(text))
    return found[0]


@pytest.mark.parametrize(
    ("text", "printed", "amount", "currency", "negative", "dr_cr"),
    CASES,
    ids=[f"{i}-{c[1]}" for i, c in enumerate(CASES)],
)
def test_issue_input_amounts(
    text: str, printed: str, amount: str, currency: str, negative: bool, dr_cr: str | None
) -> None:
    money = _at(text, printed)
    assert (money.amount, money.currency, money.negative, money.dr_cr) == (
        Decimal(amount),
        currency,
        negative,
        dr_cr,
    )
    assert text[money.start : money.end].strip().rstrip(".") == printed.rstrip(".")


def test_reference_digits_are_not_amounts() -> None:
    """ "TrxID 9XK2LMN4PQ", card and phone numbers carry digits but no amount."""
    text = "Cash In Tk 2,500.00 from 01711000000 successful. TrxID 9XK2LMN4PQ"
    assert [m.amount for m in find_money(text)] == [Decimal("2500.00")]


def test_precision_is_not_guessed_away() -> None:
    """Three zero decimals in a two-decimal currency are exact; a JPY amount with decimals is
    kept exact but doubted; an amount readable two ways is doubted."""
    assert _at("Rs 6000.000 debited", "Rs 6000.000").amount == Decimal("6000")
    yen = _at("¥1,280.50 charged", "¥1,280.50")
    assert (yen.amount, yen.currency) == (Decimal("1280.50"), "JPY")
    assert yen.confidence <= 0.5
    assert _at("paid EUR 1,000 today", "EUR 1,000").confidence <= 0.5
    assert _at("paid USD 1,000 today", "USD 1,000").confidence == 1.0
