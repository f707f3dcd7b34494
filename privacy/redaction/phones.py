"""Phone numbers, `[PHONE]`: the personal data migrants write most often in open answers.

*phonenumbers*, `PhoneNumberMatcher(..., leniency=Leniency.POSSIBLE)`. Catches international
numbers of any country ("+39 333 123 4567", "0093 70 123 4567": "00" is read as "+") and national
numbers of the redactor's regions ("0333 1234567", "070 123 4567", "0944 567 890",
"067 123 45 67"), with spaces, dashes, dots, brackets, several in one run
("0944 567 890 / 0933 111 222"). POSSIBLE (the length fits the region) rather than VALID (the
number is in an allocated range): people write numbers as they dial them, "0333 1234567" with a
trunk zero Italian mobiles do not have, "+39 (0)333 ...", or from ranges newer than the
metadata, and VALID drops all of these. The false positives POSSIBLE adds are cut by an
acceptance rule: a national match is kept if it starts with the trunk "0" or is VALID with 8 or
more digits, and runs that look like amounts ("12 500 000"), years ("2019 2020") or dates never
are phones. The matcher is slow, so it runs only on a few characters around runs of 6 or more
digits found by a cheap regular expression, only for regions whose number lengths fit, and at
most `MAX_MATCHER_RUNS` times per text (beyond that, candidates are redacted unverified).
A national number without its trunk zero that looks like an amount ("933 111 222") is a
phone when a phone word comes shortly before ("call me on", "رقمي", "номер"). Misses: other
countries' numbers in their national format (unless 8+ digits: the document rule then redacts
them), such numbers without a phone word before, numbers in words, digits more than 3
characters apart.
"""

import functools
import re
from collections.abc import Iterable

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from privacy.redaction.text import DATE, PRIORITY, THOUSANDS, YEARS, Span, count_digits

MAX_MATCHER_RUNS = 200
"""PhoneNumberMatcher runs per text; further phone candidates are redacted unverified."""

_PHONE_SEP = r"[ \t\-.()/]"
LONG_RUN = re.compile(rf"\d(?:{_PHONE_SEP}{{0,3}}\d){{4,}}")  # at least 5 digits
# not right after a digit or a Latin, Greek or Cyrillic letter ("P0123456" is a document); an
# Arabic or Ge'ez letter may be a preposition written on the number ("ب0933...", "ብ0933...")
_PHONE_CANDIDATE = re.compile(
    rf"\d(?<![0-9A-Za-z_\u00c0-\u024f\u0370-\u052f]\d)(?:{_PHONE_SEP}{{0,3}}\d){{5,}}"
)
PHONE_LIKE = re.compile(r"\+?[\d \t\-.()/]+")
_MAX_PHONE_RUN_CHARS = 64  # a few numbers side by side ("0944 567 890 / 0933 111 222")


def normalise_regions(regions: Iterable[str] | str | None) -> tuple[str, ...]:
    """Upper-cased, deduplicated, in order; codes phonenumbers does not know are dropped."""
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


def phones(
    det: str,
    lo: int,
    hi: int,
    regions: tuple[str, ...],
    taken: list[tuple[int, int]],
    budget: list[int],
    spans: list[Span],
) -> None:
    """Phone spans in `det[lo:hi]`, outside `taken` (e-mails, links, IBANs, cards); `budget`
    holds the matcher runs left for the whole text."""
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
        digits = count_digits(raw)
        cued = not international and not trunk and _after_phone_word(det, start)
        if not international:
            if digits < 7 or DATE.fullmatch(raw):
                continue
            amount = digits < 8 or YEARS.fullmatch(raw) or THOUSANDS.fullmatch(raw)
            if not trunk and amount and not (cued and digits >= 8):
                continue
        if budget[0] <= 0:  # fail safe: redact unverified
            spans.append((start, end, "phone", PRIORITY["phone"]))
            continue
        w_lo, w_hi = max(0, start - 1), min(len(det), end + 1)
        window = det[w_lo:w_hi]
        number = "".join(c for c in raw if c.isdecimal())
        fitting = tuple(r for r in regions if _may_fit(r, digits) and _pattern_fits(r, number))
        if international:  # then national numbers, if the run holds more than one
            fitting = ("ZZ", *fitting)
            if bare.startswith("00"):  # the international prefix of most countries
                at = start + raw.index("00") - w_lo
                window = window[:at] + " +" + window[at + 2 :]
        for region in fitting:
            budget[0] -= 1
            covered = False
            for match in PhoneNumberMatcher(window, region, leniency=Leniency.POSSIBLE):
                if not _accept_phone(match, cued):
                    continue
                s, e = w_lo + match.start, w_lo + match.end
                if international and s == start + 1 and det[start] == "0":
                    s = start  # the "00" rewritten as " +"
                spans.append((s, e, "phone", PRIORITY["phone"]))
                covered = covered or (s <= start and e >= end)
            if covered:
                break


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
    counts, limit = _fit_counts(region)
    return digits in counts or digits > limit


@functools.cache
def _fit_counts(region: str) -> tuple[frozenset[int], int]:
    lengths = _national_lengths(region)
    return frozenset(n + k for n in lengths for k in (0, 1, 2)), max(lengths) + 2


@functools.cache
def _national_pattern(region: str) -> tuple[re.Pattern[str] | None, str]:
    """(the region's national number pattern, its trunk prefix), from phonenumbers' metadata."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return None, ""
    pattern = metadata.general_desc.national_number_pattern
    return (re.compile(pattern) if pattern else None), metadata.national_prefix or ""


def _pattern_fits(region: str, number: str) -> bool:
    """Could `number` (digits only) be a national number of `region`, or start with one?

    A cheap test before the matcher (which costs about a millisecond a region): with transit
    countries the redactor knows some 80 regions, and most numbers fit few of them.
    """
    pattern, trunk = _national_pattern(region)
    if pattern is None:
        return True
    if trunk and number.startswith(trunk):
        number = number[len(trunk) :]
    if pattern.fullmatch(number):
        return True
    lengths = _national_lengths(region)
    if len(number) <= max(lengths):
        return False
    return any(pattern.fullmatch(number[:k]) for k in lengths if k < len(number))  # several


def _accept_phone(match: phonenumbers.PhoneNumberMatch, cued: bool = False) -> bool:
    """International, or national with the trunk 0, or a valid national number of 8 or more
    digits that does not look like an amount or years (unless a phone word comes before)."""
    raw = match.raw_string
    bare = raw.lstrip("(")
    if bare.startswith("+"):
        return True
    digits = count_digits(raw)
    if DATE.fullmatch(raw) or digits < 7:
        return False
    if bare.startswith("0"):
        return True
    return (
        digits >= 8
        and (cued or (not YEARS.fullmatch(raw) and not THOUSANDS.fullmatch(raw)))
        and phonenumbers.is_valid_number(match.number)
    )


_PHONE_WORD_BEFORE = re.compile(
    r"(?:phone|mobile|cell|call|tel|whatsapp|viber|telegram|signal|number|numéro|numero"
    r"|número|téléphone|telefono|teléfono|portable|móvil|movil|llama\w*|appel\w*|هاتف\w*"
    r"|تلفون\w*|جوال\w*|موبايل\w*|رقم\w*|واتس\w*|اتصل\w*|شماره\w*|تلیفون\w*|телефон\w*"
    r"|номер\w*|дзвон\w*|ቁጽሪ|ስልኪ|ተሌፎን)\W{0,12}(?:\w+\W{1,3}){0,2}\Z",
    re.IGNORECASE,
)


def _after_phone_word(det: str, start: int) -> bool:
    """A phone word shortly before: "call me on 933 111 222", "رقمي 933 111 222"."""
    return _PHONE_WORD_BEFORE.search(det, max(0, start - 40), start) is not None
