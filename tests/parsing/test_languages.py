"""Languages as data: every file validates, words match in every script, fields in any script."""

from __future__ import annotations

import pytest

from fincoach.parsing.fields import find_account, find_merchant
from fincoach.parsing.lexicon import LanguageFile, language_files, lexicon
from fincoach.parsing.scripts import fold, grouped, scripts_of
from fincoach.parsing.types import Direction

REQUIRED = {
    "en", "es", "pt", "fr", "de", "it", "nl", "pl", "cs", "tr", "ru", "ru-latn", "uk", "kk",
    "ar", "fa", "ur", "hi", "bn", "th", "vi", "id", "ms", "tl", "sw", "am", "zh", "ja", "ko",
}  # fmt: skip


def test_every_required_language_has_a_file_with_each_vocabulary() -> None:
    files = {f.language: f for f in language_files()}
    assert set(files) >= REQUIRED
    for code in REQUIRED:
        f = files[code]
        assert f.direction.debit and f.direction.credit, code
        assert f.labels.balance and f.labels.account, code
        assert f.negative.declined, code


def test_a_typo_in_a_language_file_is_an_error() -> None:
    with pytest.raises(ValueError, match="debitt"):
        LanguageFile.model_validate(
            {"language": "xx", "name": "X", "script": "latin", "direction": {"debitt": ["a"]}}
        )


@pytest.mark.parametrize(
    ("text", "scripts"),
    [
        ("Your card was charged", {"latin"}),
        ("Списание 100 ₽", {"latin", "cyrillic"}),
        ("ชำระเงิน 249.00 บาท", {"latin", "thai"}),
        ("您尾号5678的储蓄卡", {"latin", "han"}),
        ("ご利用先：ユニクロ", {"latin", "kana", "han"}),
        ("تم خصم 2.350 ر.ع", {"latin", "arabic"}),
    ],
)
def test_scripts_of(text: str, scripts: set[str]) -> None:
    assert scripts_of(text) == scripts


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        # Thai and Chinese run words together: no word boundary is needed
        ("SCB: ชำระเงิน 249.00 บาท", Direction.DEBIT),
        ("เงินเข้า3,000.00บาท", Direction.CREDIT),
        ("您账户1234于03月14日在美团外卖快捷支付38.50元", Direction.DEBIT),
        # Arabic attaches particles: a word matches from its start
        ("تم إيداع مبلغ 1,250.00 جنيه", Direction.CREDIT),
        ("Списание 1 249,90 ₽", Direction.DEBIT),
        ("Oplata 7.40 BYN", Direction.DEBIT),
        ("ご利用取消のお知らせ 取消金額：-3,990円", Direction.CREDIT),
    ],
)
def test_the_first_direction_word(text: str, direction: Direction) -> None:
    lex = lexicon(scripts_of(text))
    verbs = lex.verbs(lex.blank(text))
    assert verbs and verbs[0].direction is direction


def test_a_latin_word_is_not_found_inside_another() -> None:
    lex = lexicon()
    assert not lex.verbs(lex.blank("the Kartenzahlungsdienst and Spisaniex clubs"))


def test_grouping_keeps_the_alternation() -> None:
    import re

    words = ["compra aprobada", "compra", "cargo", "[üu]berwiesen", "c"]
    pattern = re.compile(grouped(words))
    for word in ("compra aprobada", "compra", "cargo", "überwiesen", "uberwiesen", "c"):
        m = pattern.match(word)
        assert m is not None and m.group() == word


def test_fold_keeps_offsets() -> None:
    text = "СПИСАНИЕ İstanbul ÇÖZÜM ZAŻÓŁĆ ＡＢＣ"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("списание")


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("Karta 4***9012 Oplata 7.40 BYN", "9012"),
        ("Acct: 01****8812 Amt: N1,200.00DR", "8812"),
        ("Card:4716-2984 Sum:-1,526.49 UAH", "2984"),
        ("A/c 174xxxxxxxx7012 debited", "7012"),
        ("حسابك المنتهي بـ 7730", "7730"),
        ("خرید با کارت ۳۳۹۱", "3391"),
        ("您尾号5678的储蓄卡", "5678"),
        ("1234 ile biten kartınızla", "1234"),
        ("compra no cartão final 7710", "7710"),
        ("Terminación de producto: 4417", "4417"),
        ("Platba kartou 349,00 Kč, karta *6620", "6620"),
    ],
)
def test_account_digits_are_the_last_ones(text: str, account: str) -> None:
    assert find_account(text, lexicon(scripts_of(text)).fields) == account


def test_in_a_debit_naming_two_accounts_the_source_is_the_readers() -> None:
    text = "PKR 55,000.00 sent to ALI RAZA A/C *9911 from A/C *3348"
    assert find_account(text, lexicon().fields, Direction.DEBIT) == "3348"


@pytest.mark.parametrize(
    ("text", "direction", "merchant"),
    [
        ("تم خصم 2.350 ر.ع من حسابك لدى LULU HYPERMARKET SEEB. رصيدك", Direction.DEBIT,
         "LULU HYPERMARKET SEEB"),
        ("ชำระเงิน 249.00 บาท จากบัญชี x7781 ที่ 7-ELEVEN คงเหลือ 5,112.40 บาท", Direction.DEBIT,
         "7-ELEVEN"),
        ("Возврат 560 р. от OZON.RU, карта *3307", Direction.CREDIT, "OZON.RU"),
        ("Příchozí platba 1 500,00 CZK od PETR DVORAK na účet *0042", Direction.CREDIT,
         "PETR DVORAK"),
        ("MIGROS KADIKOY firmasında 287,45 TL tutarında harcama", Direction.DEBIT,
         "MIGROS KADIKOY"),
        ("ご利用先：ファミリーマート ご利用金額：1,280円", Direction.DEBIT, "ファミリーマート"),
        ("在美团外卖快捷支付38.50元", Direction.DEBIT, "美团外卖"),
        ("Umepokea TSh 75,000 kutoka kwa JUMA ALLY tarehe 14/03/26.", Direction.CREDIT,
         "JUMA ALLY"),
        # the payer named by "from", not the note ("Verwendungszweck") in a credit
        ("Zahlungseingang: +1.850,00 € von MÜLLER & SÖHNE GMBH auf Ihr Girokonto. "
         "Verwendungszweck: Gehalt März", Direction.CREDIT, "MÜLLER & SÖHNE GMBH"),
    ],
)  # fmt: skip
def test_merchants_after_local_labels_and_prepositions(
    text: str, direction: Direction, merchant: str
) -> None:
    anchor = next(i for i, c in enumerate(text) if c.isdigit())
    assert find_merchant(text, direction, anchor, lexicon(scripts_of(text)).fields) == merchant
