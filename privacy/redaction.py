"""Redaction of personal data in free-text answers (the `free_text` privacy rule).

Open answers are where people tell their story, and where they write what no form field asked
for: a phone number to call back, a cousin's name, a passport number, an IBAN for a transfer.
A `free_text` answer keeps its words and loses its personal data, each piece replaced by a
typed placeholder (`[PHONE]`, `[EMAIL]`, ...), so a reader still sees that something was there
and the risk report can count redactions by type. The module is pure Python (no Django import),
so the anonymisation task, a management command or a benchmark can call it directly.

    redactor = Redactor.for_regions(["IT", "AF", "SY", "UA"])   # cached per set of regions
    text, counts = redactor.redact(answer, direct_values=["Ahmad Karimi", "+39 333 123 4567"])

Each detector proposes spans; overlapping spans are resolved longest first (on equal length the
more specific type wins: email, url, iban, card, document after a document word, phone,
stdnum id, direct value, generic document) and replaced right to left, so the text outside the
chosen spans comes back unchanged. Digits of any script (Arabic-Indic ٠١٢, Persian ۰۱۲...) are
read as ASCII and bidi marks or odd spaces as plain spaces for detection only; the original
characters of a span are what is replaced.

- phone, `[PHONE]`: *phonenumbers*, `PhoneNumberMatcher(..., leniency=Leniency.POSSIBLE)`.
  Catches international numbers of any country ("+39 333 123 4567", "0093 70 123 4567": "00" is
  read as "+") and national numbers of the redactor's regions ("0333 1234567", "070 123 4567",
  "0944 567 890", "067 123 45 67"), with spaces, dashes, dots, brackets, several in one run
  ("0944 567 890 / 0933 111 222"). POSSIBLE (the length fits the region) rather than VALID
  (the number is in an allocated range): people write numbers as they dial them, "0333 1234567"
  with a trunk zero Italian mobiles do not have, "+39 (0)333 ...", or from ranges newer than the
  metadata, and VALID drops all of these. The false positives POSSIBLE adds are cut by an
  acceptance rule: a national match is kept if it starts with the trunk "0" or is VALID with 8 or
  more digits, and runs that look like amounts ("12 500 000"), years ("2019 2020") or dates never
  are phones. The matcher is slow, so it runs only on a few characters around runs of 6 or more
  digits found by a cheap regular expression, only for regions whose number lengths fit, and at
  most `MAX_MATCHER_RUNS` times per text (beyond that, candidates are redacted unverified).
  Misses: other countries' numbers in their national format (unless 8+ digits: the document
  rule then redacts them), numbers without trunk zero that look like amounts ("944 567 890"),
  numbers in words, digits more than 3 characters apart.
- email, `[EMAIL]`: a bounded regular expression (Unicode letters, local part up to 64
  characters, 1-8 domain labels, alphabetic top-level domain). Misses "ahmad at gmail dot com".
- url, `[URL]`: regular expressions for `http(s)://`, `ftp://` and `www.` links and for a bare
  domain followed by a path ("facebook.com/ahmad.k", "wa.me/39333..."). Keeps a bare domain
  ("gmail.com"). Misses social-media handles ("@ahmad_k").
- iban, `[IBAN]`: a candidate regular expression (country code, check digits, letters and
  digits, compact or in groups: "IT60 X054 2811 1010 0000 0123 456"), trailing words dropped
  until *python-stdnum* `stdnum.iban.is_valid` accepts it (country format, length, mod 97). An
  IBAN whose only fault is its check digits (a typo) is redacted as `[DOCUMENT]`.
- card, `[CARD]`: 13-19 digits with optional spaces or dashes, *python-stdnum*
  `stdnum.luhn.is_valid`. A Luhn-invalid run is not a `[CARD]`; with 8 or more digits the
  generic document rule still redacts it as `[DOCUMENT]`.
- document, `[DOCUMENT]`: (1) *python-stdnum* personal-id modules of the redactor's regions,
  found with `stdnum.util.get_cc_module` (`STDNUM_PERSONAL_IDS`: it.codicefiscale, es.dni and
  es.nie, fr.nir and fr.nif, ua.rntrc, de.idnr, gr.amka, tr.tckimlik, pk.cnic... only modules
  with a checksum or strict structure; stdnum has nothing for AF or SY and no passports),
  which catch ids the generic rule misses (an omocodic codice fiscale with 3 digits);
  (2) a generic rule: a token with 8 or more digits, or with a letter and 5 or more digits in 6
  or more characters ("P01234567", "AB1234567", "1400-0101-12345"), or space-separated digit
  groups with 8 or more digits ("4111 1111 1111 1112"); (3) a series of 2-3 capitals and 6-9
  digits ("МЕ 123456", not a currency code); (4) 5 or more digits right after a document word
  (passport, tazkira, ID, permesso, dossier, case no., جواز, هوية, паспорт...; after "number"
  words like رقم, numero, n°, № a phone keeps its type). Keeps years, dates, ages, small numbers,
  amounts with thousands separators ("12 500 000", "1.500.000") and 5-7-digit numbers.
  Misses: 5-7-digit ids with no letter and no document word, ids in words.
- name, `[NAME]` (or the type the value looks like): the same submission's `direct` answers,
  given as `direct_values`, found in a folded copy of the text that keeps every offset:
  compatibility forms decomposed (presentation forms, fullwidth), case folded, combining marks
  ignored (Latin diacritics, Arabic harakat/tashkeel, tatweel), Arabic and Persian letter
  variants unified (أ إ آ ٱ → ا, ى ی ئ → ي, ة ۀ → ه, ؤ → و, ک → ك), digits ASCII. The whole value
  is matched as a phrase, and each of its words of 3 or more letters as a whole word, except
  particles and street words ("abu", "bin", "al", "الله", "via"): "Ahmad" alone is redacted
  for "Ahmad Karimi", in Latin or Arabic script, also after the conjunction و ("وأحمد" keeps
  its و), but "Alibaba" is kept for "Ali" and "Ahmadi" for "Ahmad". A value that looks like a
  phone, e-mail, IBAN, card, document or link is typed so and matched as itself; a phone or id
  by its digits in any formatting ("+39 333 123 4567" also as "333-123-45-67"). Misses: other
  transliterations ("Ahmed"), nicknames, inflected or glued forms ("Олени" for "Олена"), people
  who are not in the submission's `direct` answers.

`redact` never raises. Texts longer than `MAX_TEXT_CHARS` are cut there (with a marker); every
regular expression is linear; if a detector fails anyway, a coarse fallback masks every digit
run, every "@" token and every direct value rather than letting the text through.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.util import get_cc_module

__all__ = [
    "MAX_MATCHER_RUNS",
    "MAX_TEXT_CHARS",
    "PLACEHOLDERS",
    "STDNUM_PERSONAL_IDS",
    "TRUNCATION_MARK",
    "Redactor",
]

PLACEHOLDERS = {
    "phone": "[PHONE]",
    "email": "[EMAIL]",
    "iban": "[IBAN]",
    "card": "[CARD]",
    "document": "[DOCUMENT]",
    "url": "[URL]",
    "name": "[NAME]",
}

MAX_TEXT_CHARS = 1_000_000
"""Longer texts are cut here before redaction; no questionnaire answer is this long."""
TRUNCATION_MARK = " […]"
MAX_MATCHER_RUNS = 200
"""PhoneNumberMatcher runs per text; further phone candidates are redacted unverified."""
MAX_DIRECT_VALUES = 200
MAX_DIRECT_VALUE_CHARS = 500

# python-stdnum modules for personal identifiers that carry a checksum or a strict structure,
# by region. Modules without a check (e.g. ar.dni: any 7-8 digits) are left out on purpose:
# they would redact every amount. Only modules that exist in the installed stdnum are used.
STDNUM_PERSONAL_IDS: dict[str, tuple[str, ...]] = {
    "AT": ("vnr",),
    "BE": ("nn", "bis"),
    "BG": ("egn",),
    "BR": ("cpf",),
    "CH": ("ssn",),
    "CL": ("run",),
    "CN": ("ric",),
    "CZ": ("rc",),
    "DE": ("idnr",),
    "DK": ("cpr",),
    "EE": ("ik",),
    "ES": ("dni", "nie"),
    "FI": ("hetu",),
    "FR": ("nir", "nif"),
    "GB": ("nhs",),
    "GR": ("amka",),
    "HR": ("oib",),
    "IE": ("pps",),
    "IL": ("idnr",),
    "IN": ("aadhaar", "pan"),
    "IS": ("kennitala",),
    "IT": ("codicefiscale",),
    "LT": ("asmens",),
    "MX": ("curp",),
    "NL": ("bsn",),
    "NO": ("fodselsnummer",),
    "PK": ("cnic",),
    "PL": ("pesel",),
    "PT": ("cc",),
    "RO": ("cnp",),
    "SE": ("personnummer",),
    "SI": ("emso",),
    "SK": ("rc",),
    "TR": ("tckimlik",),
    "UA": ("rntrc",),
}

# On equal length the more specific detector wins.
_PRIORITY = {
    "email": 0,
    "url": 1,
    "iban": 2,
    "card": 3,
    "keyword": 4,  # a number right after "passport", "tazkira", "ID"... is a document
    "phone": 5,
    "stdnum": 6,
    "direct": 7,
    "document": 8,
}

# --------------------------------------------------------------------------- character tables

_MARK = "\x01"  # stands for a combining mark (or tatweel) in the folded text; same length
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
_BMP_RANGES = (range(0x80, 0x3000), range(0xA640, 0xA6A0), range(0xFB00, 0x10000))


@functools.cache
def _tables() -> tuple[dict[int, str], dict[int, str], re.Pattern[str]]:
    """(detection table, folding table, detection-needed pattern); tables map one to one.

    Detection: any decimal digit becomes ASCII, spaces and invisible format characters (bidi
    marks, zero-width joiners) become a plain space, fullwidth ASCII becomes ASCII.
    Folding (for direct values): compatibility decomposition, case folding, combining marks and
    tatweel become `_MARK`, Arabic letter variants unified, digits ASCII.
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
                fold[cp] = _MARK
                continue
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if unicodedata.category(c)[0] != "M"
            )
            folded = base.casefold()
            folded = _ARABIC_VARIANTS.get(folded, folded)
            if len(folded) == 1:
                if folded != ch:
                    fold[cp] = folded
            elif not folded:
                fold[cp] = _MARK
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


def _fold_text(text: str) -> str:
    """Folded `text`, one character for one."""
    if text.isascii():
        return text.lower()
    if _BEYOND_FAST_FOLD.search(text) is None:
        return text.translate(_fast_fold_table())
    return text.translate(_tables()[1])


def _fold_value(value: str) -> str:
    """A direct value folded like the text, marks dropped."""
    return _fold_text(value).replace(_MARK, "")


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\u08a0" <= ch <= "\u08ff"


def _count_digits(s: str) -> int:
    return sum(1 for c in s if c.isdecimal())


# ------------------------------------------------------------------------------ expressions
# Python's `re` scans fast for a pattern that starts with a character class and slowly for one
# that starts with a lookbehind or an alternation, so the scans over the whole text start with
# `\d` (then assert what precedes) and everything else runs on short windows around digit runs,
# or from an anchor character ("@", "/") found with `str.find`.

_PHONE_SEP = r"[ \t\-.()/]"
_LONG_RUN = re.compile(rf"\d(?:{_PHONE_SEP}{{0,3}}\d){{4,}}")  # at least 5 digits
_DIGIT_TOKEN = re.compile(r"\d[^\W_]*(?:[\-./][^\W_]+)*")
_PHONE_CANDIDATE = re.compile(rf"\d(?<!\w\d)(?:{_PHONE_SEP}{{0,3}}\d){{5,}}")
_CARD = re.compile(r"[1-9](?<![\w\-][1-9])(?:[ \-]?\d){12,18}(?![\w\-])")
_DIGIT_GROUPS = re.compile(r"\d(?<![\w.,/\-]\d)\d{0,7}(?: \d{1,8})+(?!\w)")
_IBAN = re.compile(
    r"(?<![^\W_])[A-Z]{2}\d{2}[A-Z0-9]{0,30}(?:[ \-][A-Z0-9]{1,4}){0,9}(?![^\W_])", re.IGNORECASE
)
_SERIES = re.compile(r"(?<!\w)([A-ZА-ЯІЇЄҐ]{2,3})(?: ?№ ?| )(\d{6,9})(?!\w)")
_DOC_KEYWORD_BEFORE = re.compile(  # a document word shortly before a digit run
    r"(?:(?<!\w)(?P<strong>passports?|passeports?|pasaportes?|passaport[oi]|паспорт\w*"
    r"|посвідчен\w*|tazk[ie]ra\w*|tezkere|تذكر\w*|تذکر\w*|جواز|هوي\w*|بطاق\w*|identity"
    r"|identit[éà]|identidad|id|permesso|permit|dossier|pratica|expediente|nie|dni|cnic|ssn"
    r"|case\s*(?:n[o°º]\.?|number|#)|file\s*(?:n[o°º]\.?|number|#))(?!\w)(?=[^\n\d]{0,20}\Z)"
    r"|(?<!\w)(?:رقم\w*|numero|número|numéro|номер\w*)(?!\w)|n[°º]|№)[^\n\d]{0,30}\Z",
    re.IGNORECASE,
)
_ALNUM_RUN = re.compile(r"[^\W_]+")
_EMAIL = re.compile(
    r"(?<![\w.+%\-])[\w.+%\-]{1,64}@(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w\-])"
)
_EMAIL_DOMAIN = re.compile(r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w\-])")
_EMAIL_LOCAL = frozenset("._%+-")
_URL_STOP = r"\s<>\"'«»“”‘’"
_URL_SCHEME = re.compile(rf"(?<![\w@/.\-])(?:(?:https?|ftp)://|www\.)[^{_URL_STOP}]+", re.I)
_URL_DOMAIN_BEFORE = re.compile(
    r"(?<![\w@/.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}\Z", re.I
)
_URL_REST = re.compile(rf"[^{_URL_STOP}]*")
_URL = re.compile(  # a whole value that is a link (direct values)
    rf"(?:(?:https?|ftp)://|www\.)[^{_URL_STOP}]+"
    rf"|(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.){{1,8}}[a-z]{{2,24}}/[^{_URL_STOP}]*",
    re.IGNORECASE,
)
_URL_TRAIL = ".,;:!?)]}"
_DATE = re.compile(r"\d{1,4}[\-/.]\d{1,2}[\-/.]\d{1,4}")
_YEARS = re.compile(r"(?:19|20)\d\d(?:[ \-/.,]+(?:19|20)\d\d)*")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:[ ,.'](?:\d{3}))+")
_CURRENCY_CODES = (
    "USD EUR GBP CHF SYP AFN UAH TRY IRR IQD LBP JOD EGP MAD DZD TND LYD SDG PKR INR BDT RUB "
    "PLN XOF XAF NGN ETB ERN SOS KES GHS"
)
_CURRENCIES = frozenset(_CURRENCY_CODES.split())  # "USD 1500000" is an amount, not a series
_STOP_PARTS_TEXT = (
    "abu abou ibn bin bint ben abd abdel abdul del della der van von dos das los las les the "
    "and allah ullah uddin din via viale piazza corso rue avenue street road calle plaza "
    "avenida ابو ابن بن بنت عبد الله الدين شارع вул вулиця"
)
"""Name parts never redacted alone (particles, "God", street words); the whole value still is."""
_CONTAINERS = frozenset({"email", "url", "iban", "card"})  # phone candidates inside are skipped
_MAX_PHONE_RUN_CHARS = 64  # a few numbers side by side ("0944 567 890 / 0933 111 222")
_WINDOW_MARGIN = 48  # characters around a digit run where an IBAN, a series or a keyword may be


@functools.cache
def _stop_parts() -> frozenset[str]:
    return frozenset(_fold_value(word) for word in _STOP_PARTS_TEXT.split())


def _not_a_document_number(raw: str) -> bool:
    """Dates, years, thousands-separated amounts."""
    return bool(_DATE.fullmatch(raw) or _YEARS.fullmatch(raw) or _THOUSANDS.fullmatch(raw))


def _windows(det: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merged windows around digit runs, widened to whitespace so no token is cut."""
    length = len(det)
    windows: list[tuple[int, int]] = []
    for start, end in runs:
        lo, hi = max(0, start - _WINDOW_MARGIN), min(length, end + _WINDOW_MARGIN)
        limit = max(0, lo - 64)
        while lo > limit and not det[lo - 1].isspace():
            lo -= 1
        limit = min(length, hi + 64)
        while hi < limit and not det[hi].isspace():
            hi += 1
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


# -------------------------------------------------------------------------------- redactor

Span = tuple[int, int, str, int]  # start, end, placeholder type, priority


def _normalise_regions(regions: Iterable[str] | str | None) -> tuple[str, ...]:
    if regions is None:
        return ()
    if isinstance(regions, str):
        regions = (regions,)
    seen: list[str] = []
    for region in regions:
        if not isinstance(region, str):
            continue
        code = region.strip().upper()
        if code in phonenumbers.SUPPORTED_REGIONS and code not in seen:
            seen.append(code)
    return tuple(seen)


@dataclass(frozen=True)
class Redactor:
    """Redacts personal data from free text for service points in `regions`.

    `regions` are ISO 3166 alpha-2 codes: the phone numbering plans whose national formats
    are recognised (international "+..."/"00..." numbers are recognised for every country)
    and the countries whose python-stdnum personal-id formats are checked.
    """

    regions: tuple[str, ...]
    _id_modules: tuple[ModuleType, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", _normalise_regions(self.regions))
        modules: list[ModuleType] = []
        for region in self.regions:
            for name in STDNUM_PERSONAL_IDS.get(region, ()):
                module = get_cc_module(region, name)
                if module is not None and module not in modules:
                    modules.append(module)
        object.__setattr__(self, "_id_modules", tuple(modules))

    @classmethod
    def for_regions(cls, regions: Iterable[str]) -> Redactor:
        """A shared redactor for these regions (uppercased, deduplicated, unknown ones dropped)."""
        return _cached_redactor(cls, _normalise_regions(regions))

    # ------------------------------------------------------------------------------ public

    def redact(self, text: str, direct_values: Iterable[str] = ()) -> tuple[str, Counter[str]]:
        """Return `text` with personal data replaced by placeholders, and counts by type.

        `direct_values` are the answers to the same submission's `direct` questions (names,
        phone numbers, e-mail addresses...); they are redacted wherever they occur.
        """
        try:
            text = _as_text(text)
            values = _as_values(direct_values)
        except Exception:
            return "", Counter()
        try:
            return self._redact(text, values)
        except Exception:
            return _fallback(text, values)

    # ----------------------------------------------------------------------------- private

    def _redact(self, text: str, values: tuple[str, ...]) -> tuple[str, Counter[str]]:
        if not text:
            return text, Counter()
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS] + TRUNCATION_MARK
        det = _detection_text(text)
        spans: list[Span] = []
        runs = self._detect(det, spans)
        if values:
            self._direct(text, det, runs, values, spans)
        if not spans:
            return text, Counter()
        return _apply(text, spans)

    def _detect(self, det: str, spans: list[Span]) -> list[tuple[int, int, str]]:
        """Add the spans of every detector; return the digit runs (start, end, digits)."""
        if "@" in det:
            _emails(det, spans)
        if "/" in det or "www" in det or "WWW" in det:
            _urls(det, spans)
        runs = [
            (m.start(), m.end(), "".join(c for c in m.group() if c.isdecimal()))
            for m in _LONG_RUN.finditer(det)
        ]
        self._documents(det, spans)
        if runs:
            budget = [MAX_MATCHER_RUNS]  # matcher runs left for this text
            for lo, hi in _windows(det, [(s, e) for s, e, _ in runs]):
                _ibans(det, lo, hi, spans)
                _cards(det, lo, hi, spans)
                taken = [
                    (s, e) for s, e, kind, _ in spans if kind in _CONTAINERS and e > lo and s < hi
                ]
                self._phones(det, lo, hi, taken, budget, spans)
                self._digit_groups(det, lo, hi, spans)
                _series(det, lo, hi, spans)
            for start, end, digits in runs:
                keyword = _DOC_KEYWORD_BEFORE.search(det, max(0, start - 45), start)
                if keyword and not _not_a_document_number(det[start:end]) and len(digits) >= 5:
                    strength = "keyword" if keyword.group("strong") else "document"
                    spans.append((start, end, "document", _PRIORITY[strength]))
        return runs

    def _phones(
        self,
        det: str,
        lo: int,
        hi: int,
        taken: list[tuple[int, int]],
        budget: list[int],
        spans: list[Span],
    ) -> None:
        for m in _PHONE_CANDIDATE.finditer(det, lo, hi):
            start, end = m.span()
            for _ in range(2):  # "+39 ...", "(+39) ...", "(0)333 ..."
                if start > lo and det[start - 1] in "+(":
                    start -= 1
            if any(s <= start and end <= e for s, e in taken):
                continue  # inside an e-mail address, a link, an IBAN or a card number
            if end - start > _MAX_PHONE_RUN_CHARS:
                continue  # a table of numbers, not a phone number; the document rules apply
            raw = det[start:end]
            bare = raw.lstrip("(")
            international = bare.startswith(("+", "00"))
            trunk = not international and bare.startswith("0")
            digits = _count_digits(raw)
            if not international:
                if digits < 7 or _DATE.fullmatch(raw):
                    continue
                if not trunk and (digits < 8 or _YEARS.fullmatch(raw) or _THOUSANDS.fullmatch(raw)):
                    continue
            if budget[0] <= 0:  # fail safe: redact unverified
                spans.append((start, end, "phone", _PRIORITY["phone"]))
                continue
            w_lo, w_hi = max(0, start - 1), min(len(det), end + 1)
            window = det[w_lo:w_hi]
            regions = tuple(r for r in self.regions if _may_fit(r, digits))
            if international:  # then national numbers, if the run holds more than one
                regions = ("ZZ", *regions)
                if bare.startswith("00"):  # the international prefix of most countries
                    at = start + raw.index("00") - w_lo
                    window = window[:at] + " +" + window[at + 2 :]
            for region in regions:
                budget[0] -= 1
                covered = False
                for match in PhoneNumberMatcher(window, region, leniency=Leniency.POSSIBLE):
                    if not _accept_phone(match):
                        continue
                    s, e = w_lo + match.start, w_lo + match.end
                    if international and s == start + 1 and det[start] == "0":
                        s = start  # the "00" rewritten as " +"
                    spans.append((s, e, "phone", _PRIORITY["phone"]))
                    covered = covered or (s <= start and e >= end)
                if covered:
                    break

    def _documents(self, det: str, spans: list[Span]) -> None:
        """Tokens holding digits: python-stdnum ids, then the generic rule."""
        for m in _DIGIT_TOKEN.finditer(det):
            start, end = m.span()
            while start > 0:  # the letters (and joined parts) before the first digit
                before = det[start - 1]
                if before.isalnum() or (before in "-./" and start > 1 and det[start - 2].isalnum()):
                    start -= 1
                else:
                    break
            if end - start < 5:  # years, ages, small numbers
                continue
            token = det[start:end]
            digits = _count_digits(token)
            if digits < 2:
                continue
            if self._stdnum_valid(token):
                spans.append((start, end, "document", _PRIORITY["stdnum"]))
            elif digits >= 5 and not _not_a_document_number(token):
                alnum = sum(1 for c in token if c.isalnum())
                if digits >= 8 or (alnum > digits and alnum >= 6):
                    spans.append((start, end, "document", _PRIORITY["document"]))

    def _digit_groups(self, det: str, lo: int, hi: int, spans: list[Span]) -> None:
        for m in _DIGIT_GROUPS.finditer(det, lo, hi):
            raw = m.group()
            if self._stdnum_valid(raw):
                spans.append((m.start(), m.end(), "document", _PRIORITY["stdnum"]))
            elif (
                _count_digits(raw) >= 8
                and max(len(g) for g in raw.split()) >= 3
                and not _not_a_document_number(raw)
            ):
                spans.append((m.start(), m.end(), "document", _PRIORITY["document"]))

    def _stdnum_valid(self, token: str) -> bool:
        if not self._id_modules:
            return False
        compact = sum(1 for c in token if c.isalnum())
        if not 6 <= compact <= 24:
            return False
        for module in self._id_modules:
            try:
                if module.is_valid(token):
                    return True
            except Exception:  # noqa: S112 - a stdnum bug must not stop redaction
                continue
        return False

    # --------------------------------------------------------------------- direct values

    def _direct(
        self,
        text: str,
        det: str,
        runs: list[tuple[int, int, str]],
        values: tuple[str, ...],
        spans: list[Span],
    ) -> None:
        folded: _Folded | None = None
        priority = _PRIORITY["direct"]
        for value in values:
            kind, phrase, parts, keys = _direct_pattern(self, value)
            if phrase or parts:
                if folded is None:
                    folded = _Folded(text)
                for start, end in folded.find_phrase(phrase):
                    spans.append((start, end, kind, priority))
                for part in parts:
                    for start, end in folded.find_phrase(part):
                        spans.append((start, end, kind, priority))
            for start, end, run in runs if keys else ():
                if any(k in run or (len(run) >= 6 and run in k) for k in keys):
                    spans.append((start, end, kind, priority))

    def _classify(self, value: str) -> str:
        """The type a direct value looks like: phone, email, url, iban, card, document, name."""
        det = _detection_text(value).strip()
        if "@" in det and _EMAIL.fullmatch(det):
            return "email"
        if _URL.fullmatch(det):
            return "url"
        digits = "".join(c for c in det if c.isdecimal())
        if len(digits) < 5:
            return "name"
        compact = "".join(c for c in det if c.isalnum()).upper()
        if len(compact) >= 15 and stdnum_iban.is_valid(compact):
            return "iban"
        if any(c.isalpha() for c in det):
            # an id ("P01234567", "RSSMRA85T10A562S"), unless it is mostly words (an address)
            return "document" if 2 * len(digits) >= len(compact) or " " not in det else "name"
        international = det.lstrip("(").startswith(("+", "00"))
        if not international and 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            return "card"
        if _PHONE_LIKE.fullmatch(det) and 7 <= len(digits) <= 15:
            return "phone"
        return "document"


_PHONE_LIKE = re.compile(r"\+?[\d \t\-.()/]+")


def _detection_text(text: str) -> str:
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


def _emails(det: str, spans: list[Span]) -> None:
    at = det.find("@")
    while at != -1:
        m = _EMAIL_DOMAIN.match(det, at + 1)
        next_from = at + 1
        if m:
            start = at
            while start > 0 and at - start < 64:
                before = det[start - 1]
                if before.isalnum() or before in _EMAIL_LOCAL or before == "_":
                    start -= 1
                else:
                    break
            if start < at:
                spans.append((start, m.end(), "email", _PRIORITY["email"]))
                next_from = m.end()
        at = det.find("@", next_from)


def _urls(det: str, spans: list[Span]) -> None:
    found_until = -1
    if "://" in det or "www." in det.lower():
        for m in _URL_SCHEME.finditer(det):
            _add_url(det, m.start(), m.end(), spans)
            found_until = m.end()
    slash = det.find("/")
    while slash != -1:
        if slash > found_until and slash and det[slash - 1].isalpha():
            m = _URL_DOMAIN_BEFORE.search(det, max(0, slash - 100), slash)
            if m:
                end = _URL_REST.match(det, slash).end()
                _add_url(det, m.start(), end, spans)
                found_until = end
        slash = det.find("/", slash + 1)


def _add_url(det: str, start: int, end: int, spans: list[Span]) -> None:
    url = det[start:end]
    while end > start and url[end - start - 1] in _URL_TRAIL:
        if url[end - start - 1] == ")" and url.count("(") >= url.count(")"):
            break
        end -= 1
    if end - start > 4:
        spans.append((start, end, "url", _PRIORITY["url"]))


def _ibans(det: str, lo: int, hi: int, spans: list[Span]) -> None:
    for m in _IBAN.finditer(det, lo, hi):
        groups = [(g.start(), g.end()) for g in _ALNUM_RUN.finditer(m.group())]
        found: Span | None = None
        for count in range(len(groups), 0, -1):  # drop trailing words until valid
            compact = "".join(m.group()[s:e] for s, e in groups[:count]).upper()
            if len(compact) < 15:
                break
            if len(compact) > 34:
                continue
            end = m.start() + groups[count - 1][1]
            if stdnum_iban.is_valid(compact):
                found = (m.start(), end, "iban", _PRIORITY["iban"])
                break
            if found is None and _iban_but_check_digits(compact):
                # an account number with a typo is still an account number
                found = (m.start(), end, "document", _PRIORITY["document"])
        if found is not None:
            spans.append(found)


def _cards(det: str, lo: int, hi: int, spans: list[Span]) -> None:
    for m in _CARD.finditer(det, lo, hi):
        digits = "".join(c for c in m.group() if c.isdecimal())
        if len(set(digits)) > 1 and luhn.is_valid(digits):
            spans.append((m.start(), m.end(), "card", _PRIORITY["card"]))


def _series(det: str, lo: int, hi: int, spans: list[Span]) -> None:
    for m in _SERIES.finditer(det, lo, hi):
        if m.group(1) not in _CURRENCIES:
            spans.append((m.start(), m.end(), "document", _PRIORITY["document"]))


def _iban_but_check_digits(compact: str) -> bool:
    """The IBAN structure of its country, with wrong check digits."""
    try:
        fixed = compact[:2] + stdnum_iban.calc_check_digits(compact) + compact[4:]
        return stdnum_iban.is_valid(fixed)
    except Exception:
        return False


@functools.cache
def _national_lengths(region: str) -> frozenset[int]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return frozenset(range(4, 18))
    desc = metadata.general_desc
    return frozenset((*desc.possible_length, *desc.possible_length_local_only))


def _may_fit(region: str, digits: int) -> bool:
    """Could a run of `digits` digits hold a national number of `region` (with a trunk prefix)?

    Longer runs may hold several numbers; the matcher splits them.
    """
    lengths = _national_lengths(region)
    return any(digits - k in lengths for k in (0, 1, 2)) or digits > max(lengths) + 2


def _accept_phone(match: phonenumbers.PhoneNumberMatch) -> bool:
    raw = match.raw_string
    bare = raw.lstrip("(")
    if bare.startswith("+"):
        return True
    digits = _count_digits(raw)
    if _DATE.fullmatch(raw) or digits < 7:
        return False
    if bare.startswith("0"):
        return True
    return (
        digits >= 8
        and not _YEARS.fullmatch(raw)
        and not _THOUSANDS.fullmatch(raw)
        and phonenumbers.is_valid_number(match.number)
    )


@functools.lru_cache(maxsize=128)
def _cached_redactor(cls: type[Redactor], regions: tuple[str, ...]) -> Redactor:
    return cls(regions)


@functools.lru_cache(maxsize=8192)
def _direct_pattern(
    redactor: Redactor, value: str
) -> tuple[str, tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """(type, phrase words, single-word parts, digit keys) to look for, for one direct value."""
    kind = redactor._classify(value)
    folded = _fold_value(value)
    words = tuple(_ALNUM_RUN.findall(folded))
    if sum(len(w) for w in words) < 3:
        words = ()
    keys: tuple[str, ...] = ()
    parts: tuple[tuple[str, ...], ...] = ()
    if kind == "name":
        stop = _stop_parts()
        parts = tuple(
            (w,) for w in dict.fromkeys(words) if len(w) >= 3 and w.isalpha() and w not in stop
        )
        if len(words) == 1 and parts:
            words = ()  # the part is the phrase
    else:
        digits = "".join(c for c in folded if c.isdecimal())
        if len(digits) >= 5:  # its digits in any formatting; a phone also without "0"/"00"
            keys = tuple(dict.fromkeys(k for k in (digits, digits.lstrip("0")) if len(k) >= 5))
            if not any(c.isalpha() for c in folded):
                words = ()  # the digit runs of the text are compared instead
    return kind, words, parts, keys


class _Folded:
    """The text folded for comparison, marks removed, with positions mapped back to `text`."""

    def __init__(self, text: str) -> None:
        # one character for one, so offsets in `folded` are offsets in `text`
        folded = _fold_text(text)
        if len(folded) != len(text):  # cannot happen (one-to-one tables); be safe anyway
            raise ValueError("folded text length changed")
        self.length = len(text)
        self.folded = folded
        self.starts: list[int] = []  # start of each unmarked run, in stripped coordinates
        self.origins: list[int] = []  # and in text coordinates
        if _MARK in folded:
            pieces = []
            position = 0
            for m in _UNMARKED.finditer(folded):
                self.starts.append(position)
                self.origins.append(m.start())
                pieces.append(m.group())
                position += len(m.group())
            self.stripped = "".join(pieces)
        else:
            self.stripped = folded

    def _to_text(self, position: int) -> int:
        if not self.starts:
            return position
        i = bisect.bisect_right(self.starts, position) - 1
        return self.origins[i] + position - self.starts[i]

    def _span(self, start: int, end: int) -> tuple[int, int]:
        s = self._to_text(start)
        e = self._to_text(end - 1) + 1
        while e < self.length and self.folded[e] == _MARK:  # marks on the last letter
            e += 1
        return s, e

    def find_phrase(self, words: tuple[str, ...]) -> list[tuple[int, int]]:
        """Whole-word occurrences of `words`, separated by 1-3 non-word characters."""
        found: list[tuple[int, int]] = []
        if not words:
            return found
        s = self.stripped
        n = len(s)
        first = words[0]
        arabic = _is_arabic(first[0])
        at = s.find(first)
        while at != -1:
            before = s[at - 1] if at else " "
            ok = not _is_word(before) or (
                arabic and before == "و" and (at < 2 or not _is_word(s[at - 2]))
            )
            end = at + len(first)
            for word in words[1:]:
                if not ok:
                    break
                gap = end
                while gap < n and gap - end < 3 and not _is_word(s[gap]):
                    gap += 1
                ok = end < gap and s.startswith(word, gap)
                end = gap + len(word)
            if ok and (end >= n or not _is_word(s[end])):
                found.append(self._span(at, end))
            at = s.find(first, at + 1)
        return found


_UNMARKED = re.compile(r"[^\x01]+")


# ---------------------------------------------------------------------------- application


def _apply(text: str, spans: list[Span]) -> tuple[str, Counter[str]]:
    """Keep non-overlapping spans, longest first (ties: priority, then leftmost)."""
    spans.sort(key=lambda span: (span[0] - span[1], span[3], span[0]))
    starts: list[int] = []
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind, _priority in spans:
        if start >= end:
            continue
        i = bisect.bisect_right(starts, start)
        if i and chosen[i - 1][1] > start:
            continue
        if i < len(chosen) and chosen[i][0] < end:
            continue
        starts.insert(i, start)
        chosen.insert(i, (start, end, kind))
    counts: Counter[str] = Counter()
    pieces: list[str] = []
    cursor = len(text)
    for start, end, kind in reversed(chosen):  # right to left: earlier offsets stay valid
        pieces.append(text[end:cursor])
        pieces.append(PLACEHOLDERS[kind])
        counts[kind] += 1
        cursor = start
    pieces.append(text[:cursor])
    return "".join(reversed(pieces)), counts


def _as_text(text: object) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    return text if isinstance(text, str) else str(text)


def _as_values(values: object) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        values = (values,)
    found: list[str] = []
    for value in values:  # type: ignore[attr-defined]
        if value is None:
            continue
        value = _as_text(value).strip()[:MAX_DIRECT_VALUE_CHARS]
        if value and value not in found:
            found.append(value)
        if len(found) >= MAX_DIRECT_VALUES:
            break
    return tuple(found)


_FALLBACK = re.compile(r"[^\s@]{0,64}@\S{1,255}|\d(?:[\W_]{0,3}\d){3,}")


def _fallback(text: str, values: tuple[str, ...]) -> tuple[str, Counter[str]]:
    """Coarse but safe: used only if a detector fails. Masks digit runs, @-tokens, values."""
    try:
        counts: Counter[str] = Counter()

        def mask(m: re.Match[str]) -> str:
            kind = "email" if "@" in m.group() else "document"
            counts[kind] += 1
            return PLACEHOLDERS[kind]

        text = _FALLBACK.sub(mask, text[:MAX_TEXT_CHARS])
        for value in values:
            for word in {value, *value.split()}:
                if len(word) >= 3:
                    text, n = re.subn(re.escape(word), PLACEHOLDERS["name"], text, flags=re.I)
                    counts["name"] += n
        return text, +counts
    except Exception:
        return "", Counter()
