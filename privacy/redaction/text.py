"""What every detector shares: the placeholders, span priorities, and the two same-length views
of a text that detection and name matching work on.

Digits of any script (Arabic-Indic ٠١٢, Persian ۰۱۲...) are read as ASCII and bidi marks or odd
spaces as plain spaces for detection only; the original characters of a span are what is
replaced. Both views map one character to one, so an offset found in a view is an offset in the
text.
"""

import functools
import re
import unicodedata

PLACEHOLDERS = {
    "phone": "[PHONE]",
    "email": "[EMAIL]",
    "iban": "[IBAN]",
    "card": "[CARD]",
    "document": "[DOCUMENT]",
    "url": "[URL]",
    "name": "[NAME]",
}

# On equal length the more specific detector wins.
PRIORITY = {
    "email": 0,
    "url": 1,
    "iban": 2,
    "card": 3,
    "keyword": 4,  # a number right after "passport", "tazkira", "ID"... is a document
    "phone": 5,
    "stdnum": 6,
    "direct": 7,
    "document": 8,
    "variant": 9,  # a direct name in another spelling, script or form (`variants`)
    "cue": 10,  # a name after a naming cue (`cues`)
}
NAME_MATCHES = ("direct", "variant", "transliteration", "cue")
"""How a `[NAME]` was found; the redactor counts each for the DPO's report."""

Span = tuple[int, int, str, int]  # start, end, placeholder type, priority

# --------------------------------------------------------------------------- character tables

MARK = "\x01"  # stands for a combining mark (or tatweel) in the folded text; same length
_ARABIC_VARIANTS = {
    "ٱ": "ا",  # alef wasla (أ إ آ decompose to ا + hamza/madda, removed as marks)
    "ى": "ي",  # alef maksura
    "ی": "ي",  # Farsi yeh (Dari/Pashto)
    "ې": "ي",
    "ة": "ه",  # teh marbuta
    "ە": "ه",  # ۀ decomposes to ە + hamza
    "ک": "ك",  # keheh (Dari/Pashto)
    "ڪ": "ك",
    "ı": "i",  # Turkish dotless i
}


def _geez_variants() -> dict[str, str]:
    """Ge'ez letters written interchangeably, to one of each: the series ሐ and ኀ as ሀ, ሠ as
    ሰ, ዐ as አ, ፀ as ጸ (every order: ሓ→ሃ, ፁ→ጹ), and the first order of the gutturals as
    the fourth (ሀ→ሃ, አ→ኣ), which Amharic spelling uses for the same sound as Tigrinya's."""
    series = ((0x1210, 0x1200), (0x1280, 0x1200), (0x1220, 0x1230), (0x12D0, 0x12A0))
    variants = {}
    for source, target in (*series, (0x1340, 0x1338)):
        for order in range(7):
            variants[chr(source + order)] = chr(target + order)
    fourth = {chr(first): chr(first + 3) for first in (0x1200, 0x12A0)}
    return {k: fourth.get(v, v) for k, v in variants.items()} | fourth


GEEZ_VARIANTS = _geez_variants()
"""Ge'ez letter variants (see `_geez_variants`), applied by `fold_text` and `tokens.light`."""
_BMP_RANGES = (range(0x80, 0x3000), range(0xA640, 0xA6A0), range(0xFB00, 0x10000))


@functools.cache
def _tables() -> tuple[dict[int, str], dict[int, str], re.Pattern[str]]:
    """(detection table, folding table, detection-needed pattern); tables map one to one.

    Detection: any decimal digit becomes ASCII, spaces and invisible format characters (bidi
    marks, zero-width joiners) become a plain space, fullwidth ASCII becomes ASCII.
    Folding (for direct values): compatibility decomposition, case folding, combining marks and
    tatweel become `MARK`, Arabic letter variants unified, digits ASCII.
    """
    detect: dict[int, str] = {0x066B: ".", 0x066C: ","}  # Arabic decimal/thousands separators
    fold: dict[int, str] = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    for block in _BMP_RANGES:
        for cp in block:
            ch = chr(cp)
            category = unicodedata.category(ch)
            if category == "Cs":
                continue
            digit = unicodedata.decimal(ch, None)
            if digit is not None:
                detect[cp] = fold[cp] = str(digit)
                continue
            if category in ("Zs", "Cf"):
                detect[cp] = fold[cp] = " "
                continue
            if 0xFF01 <= cp <= 0xFF5E:  # fullwidth ASCII
                detect[cp] = chr(cp - 0xFEE0)
            if category[0] == "M" or ch == "\u0640":
                fold[cp] = MARK
                continue
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if unicodedata.category(c)[0] != "M"
            )
            folded = base.casefold()
            folded = _ARABIC_VARIANTS.get(folded, folded)
            folded = GEEZ_VARIANTS.get(folded, folded)
            if len(folded) == 1:
                if folded != ch:
                    fold[cp] = folded
            elif not folded:
                fold[cp] = MARK
            else:  # "ß" -> "ss", ligatures: keep one character, lower-cased if possible
                lower = ch.lower()
                if len(lower) == 1 and lower != ch:
                    fold[cp] = lower
    detect = {cp: ch for cp, ch in detect.items() if chr(cp) != ch}
    needs = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(detect)) + "]")
    return detect, fold, needs


@functools.cache
def _fast_fold_table() -> tuple[str, ...]:
    """The folding table below U+3000 as a tuple: `str.translate` looks a tuple up about
    twice as fast as a dict (no KeyError for unmapped characters)."""
    fold = _tables()[1]
    return tuple(fold.get(cp, chr(cp)) for cp in range(_FAST_FOLD_LIMIT))


_FAST_FOLD_LIMIT = 0x3000
_BEYOND_FAST_FOLD = re.compile("[\u3000-\U0010ffff]")


def fold_text(text: str) -> str:
    """Folded `text`, one character for one."""
    if text.isascii():
        return text.lower()
    if _BEYOND_FAST_FOLD.search(text) is None:
        return text.translate(_fast_fold_table())
    return text.translate(_tables()[1])


def fold_value(value: str) -> str:
    """A direct value folded like the text, marks dropped."""
    return fold_text(value).replace(MARK, "")


def detection_text(text: str) -> str:
    """`text` with digits made ASCII and odd spaces plain, same length (see `_tables`)."""
    if text.isascii():
        return text
    table, _, needs = _tables()
    if needs.search(text) is None:
        return text
    det = text.translate(table)
    if len(det) != len(text):  # cannot happen (one-to-one table); be safe anyway
        raise ValueError("detection text length changed")
    return det


def is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\u08a0" <= ch <= "\u08ff"


def count_digits(s: str) -> int:
    return sum(1 for c in s if c.isdecimal())


# ------------------------------------------------------------- numbers that identify no one
# Python's `re` scans fast for a pattern that starts with a character class and slowly for one
# that starts with a lookbehind or an alternation, so the scans over the whole text start with
# `\d` (then assert what precedes) and everything else runs on short windows around digit runs,
# or from an anchor character ("@", "/") found with `str.find`.

DATE = re.compile(r"\d{1,4}[\-/.]\d{1,2}[\-/.]\d{1,4}")
YEARS = re.compile(r"(?:19|20)\d\d(?:[ \-/.,]+(?:19|20)\d\d)*")
THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:[ ,.'](?:\d{3}))+")
ALNUM_RUN = re.compile(r"[^\W_]+")


def not_a_document_number(raw: str) -> bool:
    """Dates, years, thousands-separated amounts."""
    return bool(DATE.fullmatch(raw) or YEARS.fullmatch(raw) or THOUSANDS.fullmatch(raw))
