"""Identity documents and case numbers, `[DOCUMENT]`: a passport or tazkira number names one
person for good, and a case number opens their file.

(1) *python-stdnum* personal-id modules of the redactor's regions, found with
`stdnum.util.get_cc_module` (`STDNUM_PERSONAL_IDS`: it.codicefiscale, es.dni and es.nie, fr.nir
and fr.nif, ua.rntrc, de.idnr, gr.amka, tr.tckimlik, pk.cnic... only modules with a checksum or
strict structure; stdnum has nothing for AF or SY and no passports), which catch ids the generic
rule misses (an omocodic codice fiscale with 3 digits); (2) a generic rule: a token with 8 or
more digits, or with a letter and 5 or more digits in 6 or more characters ("P01234567",
"AB1234567", "1400-0101-12345"), or space-separated digit groups with 8 or more digits
("4111 1111 1111 1112"); (3) a series of 2-3 capitals and 6-9 digits ("МЕ 123456", not
a currency code), or one capital, a space and 7-9 digits (a passport number written with a
space after its letter, "P 1234567"); (4) 5 or more digits right after a document word
(passport, tazkira, ID, permesso, dossier, case no., جواز, هوية, паспорт...; after "number"
words like رقم, numero, n°, № a phone keeps its type). Keeps years, dates, ages, small
numbers, amounts with thousands separators ("12 500 000", "1.500.000") and 5-7-digit numbers.
Misses: 5-7-digit ids with no letter and no document word, ids in words.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from stdnum.util import get_cc_module

from privacy.redaction.text import PRIORITY, Span, count_digits, not_a_document_number

if TYPE_CHECKING:  # typing only: older python-stdnum releases do not define it
    from stdnum.util import NumberValidationModule

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

_DIGIT_TOKEN = re.compile(r"\d[^\W_]*(?:[\-./][^\W_]+)*")
_DIGIT_GROUPS = re.compile(r"\d(?<![\w.,/\-]\d)\d{0,7}(?: \d{1,8})+(?!\w)")
_SERIES = re.compile(r"(?<!\w)(?:([A-ZА-ЯІЇЄҐ]{2,3})(?: ?№ ?| )\d{6,9}|[A-ZА-ЯІЇЄҐ] \d{7,9})(?!\w)")
_DOC_KEYWORD_BEFORE = re.compile(  # a document word shortly before a digit run
    r"(?:(?<!\w)(?P<strong>passports?|passeports?|pasaportes?|passaport[oi]|паспорт\w*"
    r"|посвідчен\w*|tazk[ie]ra\w*|tezkere|تذكر\w*|تذکر\w*|جواز|هوي\w*|بطاق\w*|identity"
    r"|identit[éà]|identidad|id|permesso|permit|dossier|pratica|expediente|nie|dni|cnic|ssn"
    r"|case\s*(?:n[o°º]\.?|number|#)|file\s*(?:n[o°º]\.?|number|#))(?!\w)(?=[^\n\d]{0,20}\Z)"
    r"|(?<!\w)(?:رقم\w*|numero|número|numéro|номер\w*)(?!\w)|n[°º]|№)[^\n\d]{0,30}\Z",
    re.IGNORECASE,
)
_CURRENCY_CODES = (
    "USD EUR GBP CHF SYP AFN UAH TRY IRR IQD LBP JOD EGP MAD DZD TND LYD SDG PKR INR BDT RUB "
    "PLN XOF XAF NGN ETB ERN SOS KES GHS"
)
_CURRENCIES = frozenset(_CURRENCY_CODES.split())  # "USD 1500000" is an amount, not a series


def id_modules(regions: tuple[str, ...]) -> tuple[NumberValidationModule, ...]:
    """The python-stdnum personal-id modules of `regions`, each once."""
    modules: list[NumberValidationModule] = []
    for region in regions:
        for name in STDNUM_PERSONAL_IDS.get(region, ()):
            module = get_cc_module(region, name)
            if module is not None and module not in modules:
                modules.append(module)
    return tuple(modules)


def documents(det: str, modules: tuple[NumberValidationModule, ...], spans: list[Span]) -> None:
    """Tokens holding digits: python-stdnum ids, then the generic rule."""
    for m in _DIGIT_TOKEN.finditer(det):
        start, end = m.span()
        while start > 0:  # the letters (and joined parts) before the first digit
            before = det[start - 1]
            if _id_letter(before) or (before in "-./" and start > 1 and _id_letter(det[start - 2])):
                start -= 1
            else:
                break
        if end - start < 5:  # years, ages, small numbers
            continue
        token = det[start:end]
        digits = count_digits(token)
        if digits < 2:
            continue
        if not_a_document_number(token):  # a date is no id, whatever a checksum says
            continue
        if stdnum_valid(modules, token):
            spans.append((start, end, "document", PRIORITY["stdnum"]))
        elif digits >= 5:
            alnum = sum(1 for c in token if c.isalnum())
            if digits >= 8 or (alnum > digits and alnum >= 6):
                spans.append((start, end, "document", PRIORITY["document"]))


def _id_letter(ch: str) -> bool:
    """A character an id is written with; an Arabic or Ge'ez letter joined to a number is a
    preposition ("ب", "ብ"), not part of it."""
    return ch.isalnum() and not ("\u0600" <= ch <= "\u08ff" or "\u1200" <= ch <= "\u139f")


def digit_groups(
    det: str, lo: int, hi: int, modules: tuple[NumberValidationModule, ...], spans: list[Span]
) -> None:
    for m in _DIGIT_GROUPS.finditer(det, lo, hi):
        raw = m.group()
        if stdnum_valid(modules, raw):
            spans.append((m.start(), m.end(), "document", PRIORITY["stdnum"]))
        elif (
            count_digits(raw) >= 8
            and max(len(g) for g in raw.split()) >= 3
            and not not_a_document_number(raw)
        ):
            spans.append((m.start(), m.end(), "document", PRIORITY["document"]))


def series(det: str, lo: int, hi: int, spans: list[Span]) -> None:
    for m in _SERIES.finditer(det, lo, hi):
        if m.group(1) not in _CURRENCIES:
            spans.append((m.start(), m.end(), "document", PRIORITY["document"]))


def after_keywords(det: str, runs: list[tuple[int, int, str]], spans: list[Span]) -> None:
    """Digit runs (start, end, digits) right after a document word."""
    for start, end, digits in runs:
        keyword = _DOC_KEYWORD_BEFORE.search(det, max(0, start - 45), start)
        if keyword and not not_a_document_number(det[start:end]) and len(digits) >= 5:
            strength = "keyword" if keyword.group("strong") else "document"
            spans.append((start, end, "document", PRIORITY[strength]))


def stdnum_valid(modules: tuple[NumberValidationModule, ...], token: str) -> bool:
    if not modules:
        return False
    compact = sum(1 for c in token if c.isalnum())
    if not 6 <= compact <= 24:
        return False
    for module in modules:
        try:
            if module.is_valid(token):
                return True
        except Exception:  # noqa: S112 - a stdnum bug must not stop redaction
            continue
    return False
