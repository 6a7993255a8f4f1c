"""The language guess behind `fincoach eval --by language`, on alerts written for this test."""

from __future__ import annotations

import pytest

from fincoach.evaluation.language import UNDETERMINED, detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Latin script: words and letters
        ("Kartenzahlung -23,80 EUR bei REWE MARKT GMBH. Neuer Kontostand: 1.402,66 EUR", "de"),
        ("Platba kartou 349,00 Kč, obchod BILLA PRAHA 5, karta *6620.", "cs"),
        ("Transakcja kartą: 89,99 PLN, karta ...5521. Dostępne środki: 2 130,40 PLN", "pl"),
        ("1234 ile biten kartınızla MIGROS firmasında 287,45 TL tutarında harcama yapıldı.", "tr"),
        ("Umepokea TSh 75,000 kutoka kwa JUMA ALLY. Salio jipya ni TSh 120,500.", "sw"),
        ("Rs.640.00 debited from A/c XX9921 on 02-03-25 to VPA shop@okaxis", "en"),
        ("Compra aprovada no cartão final 7710 - PADARIA valor R$ 42,90", "pt"),
        ("Compra aprobada con tu tarjeta terminada en 4417 por $120.00 en OXXO", "es"),
        ("Paiement par carte de 12,50 EUR chez CARREFOUR. Solde: 830,00 EUR", "fr"),
        ("Pagamento con carta di 18,40 EUR presso ESSELUNGA. Saldo disponibile 950,00", "it"),
        ("Betaling van 9,95 EUR bij ALBERT HEIJN met uw kaart. Saldo 1.204,10 EUR", "nl"),
        ("Transaksi sebesar Rp 150.000 di INDOMARET berhasil. Saldo rekening Anda", "id"),
        ("Tài khoản 1234 giao dịch -150.000 VND lúc 14/03. Số dư 2.300.000 VND", "vi"),
        ("Natanggap mo ang PHP 500.00 mula kay JUAN. Salamat po.", "tl"),
        ("Karta 4***9012. Oplata 7.40 BYN. Sosedi. Dostupno: 312.55 BYN", "ru-Latn"),
        # other scripts, a Latin merchant inside does not change the language
        ("شراء بطاقة مدى *4821 المبلغ: 37.50 ر.س لدى: BIN DAWOOD MARKET", "ar"),
        ("خرید با کارت ۳۳۹۱ مانده ۱۲,۴۸۰,۰۰۰ ریال", "fa"),
        ("آپ کے اکاؤنٹ سے 500 روپے کٹ گئے ہیں", "ur"),
        ("Списание 1 249,90 ₽ в PYATEROCHKA 1821. Карта *3307.", "ru"),
        ("Оплата 320,00 грн у магазині SILPO. Картка *2984. Доступно: 3 402,10 грн", "uk"),
        ("Сатып алу 4 150 ₸. Қолжетімді: 85 310,20 ₸", "kk"),
        ("SCB: ชำระเงิน 249.00 บาท จากบัญชี x7781 ที่ 7-ELEVEN คงเหลือ 5,112.40 บาท", "th"),
        ("您尾号5678的储蓄卡03月15日收入人民币5,000.00元，余额7,041.77元", "zh"),
        ("ご利用先：ファミリーマート ご利用金額：1,280円", "ja"),
        ("ｺﾞﾘﾖｳ ｱﾘｶﾞﾄｳｺﾞｻﾞｲﾏｼﾀ", "ja"),  # half-width katakana
        ("[Web발신] 신한카드 승인 12,000원 일시불 GS25", "ko"),
        ("आपके खाते से ₹500 डेबिट किए गए", "hi"),
        ("আপনার অ্যাকাউন্টে ৳২,৫০০ জমা হয়েছে", "bn"),
        ("ከሂሳብዎ 500 ብር ተቀንሷል", "am"),
        # nothing to go on
        ("12345 67890", UNDETERMINED),
        ("", UNDETERMINED),
    ],
)
def test_detects_the_language_of_an_alert(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_code_of_letters_and_digits_is_no_word() -> None:
    # "A0AA" holds the letter "a" (a word in Portuguese and Czech) but is a reference code.
    assert detect_language("Request received, ref SR#CA699084A0AA") == "en"
