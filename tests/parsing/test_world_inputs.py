"""The 39 inputs of issue 11 ("Inputs that fail today"), each as the body of a minimal email.

Names and numbers are invented. Each case states what must come out: amount, currency,
direction, and where the issue names them the merchant (containment, case-insensitive),
account digits, balance and reference; the last five must give nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime, formataddr, parseaddr
from typing import NamedTuple

import pytest

from fincoach.parsing import parse_detailed


class Want(NamedTuple):
    amount: str
    currency: str
    direction: str
    merchant: str | None = None
    account: str | None = None
    balance: str | None = None
    reference: str | None = None


def email_bytes(body: str, sender: str = "Alerts <alerts@bank.example>") -> bytes:
    """A minimal RFC 5322 message: From, Date, a UTF-8 plain-text body."""
    date = format_datetime(datetime(2026, 3, 14, 19, 0, tzinfo=UTC))
    headers = [
        f"From: {formataddr(parseaddr(sender), charset='utf-8')}",
        "To: someone@example.org",
        f"Date: {date}",
        "Message-ID: <world-input@bank.example>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + body.encode("utf-8")


# (case number, sender, body, expected)
TRANSACTIONS: list[tuple[int, str, str, Want]] = [
    (1, "Alinma <alerts@alinma.example.sa>",
     "شراء عبر نقاط البيع / بطاقة مدى *4821 / المبلغ: 37.50 ر.س / لدى: BIN DAWOOD MARKET / "
     "الرصيد المتاح: 1,204.10 ر.س",
     Want("37.50", "SAR", "debit", "BIN DAWOOD MARKET", "4821", "1204.10")),
    (2, "Bank Muscat <sms@bankmuscat.example.om>",
     "تم خصم 2.350 ر.ع من حسابك رقم XXXX5512 لدى LULU HYPERMARKET SEEB. رصيدك الحالي 412.870 ر.ع",
     Want("2.350", "OMR", "debit", "LULU HYPERMARKET SEEB", "5512", "412.870")),
    (3, "NBE <alerts@nbe.example.eg>",
     "تم إيداع مبلغ 1,250.00 جنيه في حسابك المنتهي بـ 7730",
     Want("1250.00", "EGP", "credit", account="7730")),
    (4, "Bank Mellat <sms@bankmellat.example.ir>",
     "بانک ملت / خرید با کارت ۳۳۹۱ / ۲۵۰,۰۰۰- / مانده ۱۲,۴۸۰,۰۰۰",
     Want("250000", "IRR", "debit", account="3391", balance="12480000")),
    (5, "SCB <alert@scb.example.th>",
     "SCB: ชำระเงิน 249.00 บาท จากบัญชี x7781 ที่ 7-ELEVEN คงเหลือ 5,112.40 บาท",
     Want("249.00", "THB", "debit", "7-ELEVEN", "7781", "5112.40")),
    (6, "SCB <alert@scb.example.th>",
     "เงินเข้า 3,000.00 บาท เข้าบัญชี x7781 คงเหลือ 8,112.40 บาท",
     Want("3000.00", "THB", "credit", account="7781")),
    (7, "Sber <900@sber.example.ru>",
     "Списание 1 249,90 ₽ в PYATEROCHKA 1821. Карта *3307. Баланс 18 402,15 ₽",
     Want("1249.90", "RUB", "debit", "PYATEROCHKA 1821", "3307", "18402.15")),
    (8, "Sber <900@sber.example.ru>",
     "Возврат 560 р. от OZON.RU, карта *3307",
     Want("560", "RUB", "credit", "OZON.RU", "3307")),
    (9, "Kaspi <info@kaspi.example.kz>",
     "Покупка: 4 150т / SMALL 24/7 / Доступно: 85 310,20т",
     Want("4150", "KZT", "debit", "SMALL 24/7", balance="85310.20")),
    (10, "Belarusbank <sms@belarusbank.example.by>",
     'Karta 4***9012 12-03-26 09:14:55. Oplata 7.40 BYN. BLR MINSK "Sosedi". '
     "Dostupno: 312.55 BYN",
     Want("7.40", "BYN", "debit", "Sosedi", "9012", "312.55")),
    (11, "Garanti <bilgi@garanti.example.tr>",
     "1234 ile biten kartınızla 14/03/2026 tarihinde MIGROS KADIKOY firmasında 287,45 TL "
     "tutarında harcama yapıldı.",
     Want("287.45", "TRY", "debit", "MIGROS KADIKOY", "1234")),
    (12, "KB <info@kb.example.cz>",
     "Platba kartou 349,00 Kč, obchod BILLA PRAHA 5, karta *6620. Zůstatek 12 004,31 Kč.",
     Want("349.00", "CZK", "debit", "BILLA PRAHA 5", "6620", "12004.31")),
    (13, "KB <info@kb.example.cz>",
     "Příchozí platba 1 500,00 CZK od PETR DVORAK na účet *0042",
     Want("1500.00", "CZK", "credit", "PETR DVORAK", "0042")),
    (14, "mBank <powiadomienia@mbank.example.pl>",
     "Transakcja kartą: 89,99 PLN, ZABKA Z1234 WARSZAWA, karta ...5521. "
     "Dostępne środki: 2 130,40 PLN",
     Want("89.99", "PLN", "debit", "ZABKA Z1234 WARSZAWA", "5521", "2130.40")),
    (15, "Sparkasse <info@sparkasse.example.de>",
     "Kartenzahlung -23,80 EUR bei REWE MARKT GMBH, Konto *7714. Neuer Kontostand: 1.402,66 EUR",
     Want("23.80", "EUR", "debit", "REWE MARKT GMBH", "7714", "1402.66")),
    (16, "M-Pesa <mpesa@vodacom.example.tz>",
     "Umepokea TSh 75,000 kutoka kwa JUMA ALLY tarehe 14/03/26. Salio jipya ni TSh 120,500.",
     Want("75000", "TZS", "credit", "JUMA ALLY", balance="120500")),
    (17, "Tigo Pesa <info@tigo.example.tz>",
     "Muamala umefanikiwa: TZS 12,000 kwenda LUKU MITA 0431",
     Want("12000", "TZS", "debit", "LUKU MITA 0431")),
    (18, "CMB <95555@cmbchina.example.cn>",
     "【招商银行】您账户1234于03月14日18:22在美团外卖快捷支付38.50元，余额2,041.77",
     Want("38.50", "CNY", "debit", "美团外卖", "1234", "2041.77")),
    (19, "ICBC <95588@icbc.example.cn>",
     "您尾号5678的储蓄卡03月15日收入人民币5,000.00元，余额7,041.77元",
     Want("5000.00", "CNY", "credit", account="5678", balance="7041.77")),
    (20, "Rakuten Card <info@rakuten-card.example.jp>",
     "ご利用日時：2026/03/14 12:30 ご利用先：ファミリーマート ご利用金額：1,280円",
     Want("1280", "JPY", "debit", "ファミリーマート")),
    (21, "Rakuten Card <info@rakuten-card.example.jp>",
     "ご利用取消のお知らせ ご利用先：ユニクロ 取消金額：-3,990円",
     Want("3990", "JPY", "credit", "ユニクロ")),
    (22, "bKash <info@bkash.example.bd>",
     "Cash In Tk 2,500.00 from 01711000000 successful. Fee Tk 0.00. Balance Tk 3,140.25. "
     "TrxID 9XK2LMN4PQ",
     Want("2500.00", "BDT", "credit", balance="3140.25", reference="9XK2LMN4PQ")),
    (23, "GTBank <gens@gtbank.example.ng>",
     "Acct: 01****8812 Amt: N1,200.00DR Desc: POS WEB PMT SHOPRITE Bal: N12,340.55",
     Want("1200.00", "NGN", "debit", "POS WEB PMT SHOPRITE", "8812", "12340.55")),
    (24, "M-Pesa <mpesa@vm.example.mz>",
     "Transferiste 250.00MT para 84XXXXXXX, nome: ANA MACUACUA. Taxa: 0.00MT. "
     "Saldo: 1,870.40MT",
     Want("250.00", "MZN", "debit", "ANA MACUACUA", balance="1870.40")),
    (25, "GCash <no-reply@gcash.example.ph>",
     "Sent P1,500.00 to JUAN D. Bal: P8,220.10. Ref 7f3a9c21",
     Want("1500.00", "PHP", "debit", "JUAN D.", balance="8220.10")),
    (26, "Itaú <comunicacao@itau.example.br>",
     "Itaú: compra aprovada no cartão final 7710 - PADARIA BELLA VISTA valor RS 42,90 em 14/03",
     Want("42.90", "BRL", "debit", "PADARIA BELLA VISTA", "7710")),
    (27, "Itaú <comunicacao@itau.example.br>",
     "Itaú: compra no exterior cartão final 7710 - STEAMGAMES valor US 19,99",
     Want("19.99", "USD", "debit", "STEAMGAMES", "7710")),
    (28, "Bancolombia <alertas@bancolombia.example.co>",
     "MARIA LOPEZ te envió la siguiente transacción. Monto: US$120.00. "
     "Terminación de producto: 4417",
     Want("120.00", "USD", "credit", "MARIA LOPEZ", "4417")),
    (29, "HDFC Bank <alerts@hdfcbank.example.in>",
     "Rs. 5.000 credited to your A/c XX2231 by NEFT",
     Want("5.000", "INR", "credit", account="2231")),
    (30, "Meezan <alerts@meezanbank.example.pk>",
     "PKR 55.000.00 sent to ALI RAZA A/C *9911 from A/C *3348",
     Want("55000.00", "PKR", "debit", "ALI RAZA", "3348")),
    (31, "CloudHost <billing@cloudhost.example>",
     "Your refund of EUR .93 from CLOUDHOST LTD has been processed",
     Want("0.93", "EUR", "credit", "CLOUDHOST LTD")),
    (32, "NBK <alerts@nbk.example.kw>",
     "KWD 12.500 debited from card ending 6021 at ALSHAYA",
     Want("12.500", "KWD", "debit", "ALSHAYA", "6021")),
    (33, "ICICI <alerts@icicibank.example.in>",
     "Spent INR 640.00 on card XX7314 at DISTRICTMOVIES. Avl Limit: INR 48,210.00",
     Want("640.00", "INR", "debit", "DISTRICTMOVIES", "7314")),
    (34, "PrivatBank <info@privatbank.example.ua>",
     "Card:4716-2984 Sum:-1,526.49 UAH / SILPO KYIV 12 / Bal:3,402.10 UAH",
     Want("1526.49", "UAH", "debit", "SILPO KYIV 12", "2984", "3402.10")),
]  # fmt: skip

NOTHING: list[tuple[int, str, str]] = [
    (35, "Itaú <comunicacao@itau.example.br>",
     "Itaú: o saldo da sua conta em 14/03 é de R$ -28,60."),
    (36, "Alerts <alerts@bank.example.in>",
     "OTP 482913 to pay ₹1,499.00 at MYNTRA. Do not share it with anyone."),
    (37, "Bank <95588@bank.example.cn>", "您的验证码为482913，交易金额120.00元，请勿泄露。"),
    (38, "Card <info@card.example.jp>",
     "カードのご利用が承認されませんでした。ご利用金額：5,400円"),
    (39, "Sparkasse <info@sparkasse.example.de>",
     "Kartenzahlung abgelehnt: 64,00 EUR bei MEDIAMARKT"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("number", "sender", "body", "want"), TRANSACTIONS, ids=[f"input{c[0]}" for c in TRANSACTIONS]
)
def test_input_gives_its_transaction(number: int, sender: str, body: str, want: Want) -> None:
    result = parse_detailed(email_bytes(body, sender))
    assert len(result.transactions) == 1, f"input {number}: {result.transactions}"
    t = result.transactions[0]
    assert (t.amount, t.currency, t.direction.value) == (
        Decimal(want.amount),
        want.currency,
        want.direction,
    )
    # Decimal equality ignores the exponent: 5.000 INR must also keep the currency's scale
    assert t.amount == Decimal(want.amount)
    if want.merchant is not None:
        # a name's own final dot ("JUAN D.") is punctuation, not part of the comparison
        assert t.merchant is not None
        assert want.merchant.lower().rstrip(".") in t.merchant.lower()
    if want.account is not None:
        assert t.account == want.account
    if want.balance is not None:
        assert t.balance == Decimal(want.balance)
    if want.reference is not None:
        assert t.reference == want.reference


def test_an_available_limit_is_not_a_balance() -> None:
    """Input 33: "Avl Limit" is what the card may still spend, never the account's balance."""
    (t,) = parse_detailed(email_bytes(TRANSACTIONS[32][2])).transactions
    assert t.balance is None


@pytest.mark.parametrize(
    ("number", "sender", "body"), NOTHING, ids=[f"input{c[0]}" for c in NOTHING]
)
def test_input_gives_nothing(number: int, sender: str, body: str) -> None:
    result = parse_detailed(email_bytes(body, sender))
    assert result.transactions == (), f"input {number}: {result.transactions}"
