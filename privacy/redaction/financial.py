"""Bank accounts and payment cards: written down for a transfer, and enough to find a person.

- iban, `[IBAN]`: a candidate regular expression (country code, check digits, letters and
  digits, compact or in groups: "IT60 X054 2811 1010 0000 0123 456"), trailing words dropped
  until *python-stdnum* `stdnum.iban.is_valid` accepts it (country format, length, mod 97). An
  IBAN whose only fault is its check digits (a typo) is redacted as `[DOCUMENT]`.
- card, `[CARD]`: 13-19 digits with optional spaces or dashes, *python-stdnum*
  `stdnum.luhn.is_valid`. A Luhn-invalid run is not a `[CARD]`; with 8 or more digits the
  generic document rule still redacts it as `[DOCUMENT]`.

Both run only on the windows around digit runs the redactor passes in.
"""

import re

from stdnum import iban as stdnum_iban
from stdnum import luhn

from privacy.redaction.text import ALNUM_RUN, PRIORITY, Span

_CARD = re.compile(r"[1-9](?<![\w\-][1-9])(?:[ \-]?\d){12,18}(?![\w\-])")
_IBAN = re.compile(
    r"(?<![^\W_])[A-Z]{2}\d{2}[A-Z0-9]{0,30}(?:[ \-][A-Z0-9]{1,4}){0,9}(?![^\W_])", re.IGNORECASE
)


def is_iban(compact: str) -> bool:
    return bool(stdnum_iban.is_valid(compact))


def is_card_number(digits: str) -> bool:
    return bool(luhn.is_valid(digits))


def ibans(det: str, lo: int, hi: int, spans: list[Span]) -> None:
    for m in _IBAN.finditer(det, lo, hi):
        groups = [(g.start(), g.end()) for g in ALNUM_RUN.finditer(m.group())]
        found: Span | None = None
        for count in range(len(groups), 0, -1):  # drop trailing words until valid
            compact = "".join(m.group()[s:e] for s, e in groups[:count]).upper()
            if len(compact) < 15:
                break
            if len(compact) > 34:
                continue
            end = m.start() + groups[count - 1][1]
            if stdnum_iban.is_valid(compact):
                found = (m.start(), end, "iban", PRIORITY["iban"])
                break
            if found is None and _iban_but_check_digits(compact):
                # an account number with a typo is still an account number
                found = (m.start(), end, "document", PRIORITY["document"])
        if found is not None:
            spans.append(found)


def cards(det: str, lo: int, hi: int, spans: list[Span]) -> None:
    for m in _CARD.finditer(det, lo, hi):
        digits = "".join(c for c in m.group() if c.isdecimal())
        if len(set(digits)) > 1 and luhn.is_valid(digits):
            spans.append((m.start(), m.end(), "card", PRIORITY["card"]))


def _iban_but_check_digits(compact: str) -> bool:
    """The IBAN structure of its country, with wrong check digits."""
    try:
        fixed = compact[:2] + stdnum_iban.calc_check_digits(compact) + compact[4:]
        return bool(stdnum_iban.is_valid(fixed))
    except Exception:
        return False
