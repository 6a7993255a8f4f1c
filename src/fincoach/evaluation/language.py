"""The language a corpus record is written in, for `fincoach eval --by language`.

The corpus has no language labels, so the evaluation guesses one from the text:
1. Script first. Letters are counted per script; a non-Latin script with at least a quarter of
   the letters decides (bank alerts in Arabic, Thai or Chinese often carry a Latin merchant or
   code). Within a script, letters only one language uses split it: Persian and Urdu from Arabic,
   Ukrainian, Kazakh and Belarusian from Russian, kana makes Han text Japanese.
2. Latin script: the language whose everyday and banking words appear most often, with
   letters only one language uses (ñ, ã, ß, ł, ř, ğ, ơ...) counting as extra evidence.
   Russian written in Latin letters ("Oplata", "Dostupno") is `ru-Latn`.
A text with no evidence is `und` (undetermined, as in BCP 47).

Why not a library: detectors trained on prose (langid, langdetect, lingua) read the short,
code-heavy text of bank alerts ("A/c XX1234 debited INR 500") poorly, and bring a model of tens
of megabytes (and numpy) for an evaluation-only breakdown; this guess is deterministic, costs
microseconds and names the language of every alert whose words it can see.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

UNDETERMINED = "und"
# Share of the letters a non-Latin script needs to decide over the Latin letters beside it.
_SCRIPT_SHARE = 0.25

# (first, last) code point -> script
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, "Hang"),
    (0x1200, 0x139F, "Ethi"),
    (0x3040, 0x30FF, "Kana"),
    (0x31F0, 0x31FF, "Kana"),
    (0x3130, 0x318F, "Hang"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xAC00, 0xD7AF, "Hang"),
    (0xF900, 0xFAFF, "Hani"),
    (0xFF21, 0xFF5A, "Latn"),  # full-width Latin
    (0xFF66, 0xFF9F, "Kana"),  # half-width katakana
)
_SCRIPT_LANGUAGE = {
    "Grek": "el",
    "Armn": "hy",
    "Hebr": "he",
    "Deva": "hi",
    "Beng": "bn",
    "Thai": "th",
    "Geor": "ka",
    "Hang": "ko",
    "Ethi": "am",
    "Kana": "ja",
}
# Letters that only some languages of a script use.
_PERSIAN = frozenset("پچژگکی۰۱۲۳۴۵۶۷۸۹")
_URDU = frozenset("ٹڈڑںےھ")
_KAZAKH = frozenset("әғқңөұүһ")
_UKRAINIAN = frozenset("їєґ")
_BELARUSIAN = frozenset("ў")

# Everyday and banking words per Latin-script language; each occurrence is one point.
_WORDS: dict[str, str] = {
    "en": "the a an and in it is are we our your you to of for on at has been was with from "
    "account debited credited card payment transaction amount balance thank dear have this "
    "please will not sent received available spent purchase hello hi text message order",
    "es": "el la los las de del que por con su sus en una un cuenta tarjeta compra monto saldo "
    "pago se ha realizado transferencia gracias estimado usted fue tu te recibiste enviaste "
    "transacción operación notificación país comercio retiro",
    "pt": "o a os as do da dos das não com sua seu em no na conta cartão compra valor saldo "
    "pagamento foi você obrigado realizada aprovada transferiste para pelo transação operação "
    "notificação",
    "fr": "le la les des du de et votre vous sur pour est une un carte compte paiement montant "
    "solde avec été au chez achat virement reçu",
    "de": "der die das und ihr ihre ihrem ihres sie mit von für ist wurde eine ein konto karte "
    "zahlung betrag bei kontostand auf nicht neuer kartenzahlung abgelehnt überweisung",
    "it": "il lo la gli le di del della e che per con sul suo sua carta conto pagamento importo "
    "saldo è stato una un presso addebito accredito",
    "nl": "de het een en van uw je jouw op met voor is niet rekening betaling bedrag saldo kaart "
    "bij",
    "pl": "i w z na do się nie jest dla oraz karta kartą konto kwota płatność transakcja saldo "
    "środki dostępne został została przelew",
    "cs": "a v na do se je z pro účet účtu platba kartou karta částka zůstatek obchod byla bylo "
    "vaše vám příchozí odchozí od",
    "tr": "ve bir bu ile için hesabınız hesabınıza kartınız kartınızla tutarında tarihinde "
    "işlem bakiye harcama yapıldı biten firmasında",
    "id": "dan yang di ke dari anda untuk dengan rekening transaksi saldo sebesar pada telah "
    "berhasil kartu pembayaran",
    "ms": "akaun anda telah pada wang daripada kepada baki pembayaran berjaya",
    "sw": "na ya wa kwa umepokea kutoka kwenda salio muamala tarehe imefanikiwa umefanikiwa "
    "kiasi akaunti jipya ni la",
    "vi": "và của tài khoản giao dịch số dư thẻ tiền quý khách ngày lúc đã",
    "tl": "ang ng mga sa ay na ni ko mo iyong natanggap ipinadala halaga salamat po",
    "ru-Latn": "oplata dostupno karta balans pokupka spisanie zachislenie perevod ostatok summa "
    "schet",
}
_LEXICON: dict[str, tuple[str, ...]] = {}
for _language, _words in _WORDS.items():
    for _word in _words.split():
        _LEXICON.setdefault(_word, ())
        _LEXICON[_word] = (*_LEXICON[_word], _language)
# Letters that point at one Latin-script language, worth two words each.
_LETTERS: dict[str, str] = {
    **dict.fromkeys("ñ¿¡", "es"),
    **dict.fromkeys("ãõ", "pt"),
    **dict.fromkeys("ß", "de"),
    **dict.fromkeys("łąęśźżń", "pl"),
    **dict.fromkeys("řůě", "cs"),
    **dict.fromkeys("ğşı", "tr"),
    **dict.fromkeys("ơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ", "vi"),
}
_LETTER_WEIGHT = 2
# Whole words only: the letters inside a code such as "CA69A0AA" are no word of any language.
_TOKEN = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")


def _script(char: str) -> str | None:
    point = ord(char)
    for first, last, script in _SCRIPT_RANGES:
        if first <= point <= last:
            return script if char.isalpha() or script != "Latn" else None
    return None


def _scripts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            script = _script(char)
            if script is not None:
                counts[script] += 1
    return counts


def _within_script(script: str, text: str, scripts: Counter[str]) -> str:
    letters = set(text)
    if script == "Arab":
        if letters & _URDU:
            return "ur"
        return "fa" if letters & _PERSIAN else "ar"
    if script == "Cyrl":
        lower = set(text.lower())
        if lower & _KAZAKH:
            return "kk"
        if lower & _UKRAINIAN or ("і" in lower and not lower & _KAZAKH):
            return "be" if lower & _BELARUSIAN else "uk"
        return "ru"
    if script == "Hani":
        return "ja" if scripts["Kana"] else "zh"
    return _SCRIPT_LANGUAGE.get(script, UNDETERMINED)


def _latin(text: str) -> str:
    scores: Counter[str] = Counter()
    lower = text.casefold()
    for token in _TOKEN.findall(lower):
        for language in _LEXICON.get(token, ()):
            scores[language] += 1
    for char in lower:
        if char in _LETTERS:
            scores[_LETTERS[char]] += _LETTER_WEIGHT
    if not scores:
        return UNDETERMINED
    # Ties go to the language named first in _WORDS: a fixed order keeps runs reproducible.
    order = list(_WORDS)
    return max(scores, key=lambda language: (scores[language], -order.index(language)))


def detect_language(text: str) -> str:
    """A BCP 47 language tag for `text` ("en", "pt", "zh", "ru-Latn"), or "und".

    Rules in the module docstring; `text` is the decoded subject and body of one message.
    """
    text = unicodedata.normalize("NFKC", text)
    scripts = _scripts(text)
    letters = sum(scripts.values())
    if not letters:
        return UNDETERMINED
    foreign = [(n, s) for s, n in scripts.items() if s != "Latn"]
    if foreign:
        count, script = max(foreign)
        if script == "Kana" and scripts["Hani"]:
            count, script = count + scripts["Hani"], "Hani"
        if count >= _SCRIPT_SHARE * letters:
            return _within_script(script, text, scripts)
    return _latin(text)
